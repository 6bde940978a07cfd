"""Declarative permissions: every staff view says who may use it.

    @bp.route("/e/<slug>/sessions")
    @requires("staff", event_from="slug")
    def sessions(event): ...

Roles, from most to least powerful:

- ``admin``: everything, every event (``User.is_admin``);
- ``staff``: runs one event (``EventRole`` staff) — admins too;
- ``door``: check-in only, for one event (``EventRole`` door) — staff and admins too;
- ``employer``: an employer contact (``User.organisation_id``), own organisation only — admins too;
- ``user``: any logged-in account.

Not logged in: the login page (HTML) or 401 (JSON). Logged in without the role: 403. With ``event_from`` the
event is looked up by slug (404 when it does not exist) and passed to the view as ``event`` instead of the slug.
The role a view requires is kept on the function (``view.required_role``) so that tests can list them all.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import EventRoleKind, User
from app.extensions import db, login_manager

ROLES = ("admin", "staff", "door", "employer", "user")


def has_role(user: User, role: str, event_id: int | None = None) -> bool:
    """Whether ``user`` holds ``role`` (for ``event_id`` where the role is per event)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    if role == "user":
        return True
    if role == "admin":
        return False
    if role == "employer":
        return user.is_employer
    if event_id is None:  # "staff somewhere": for pages that list the events a person may open
        kinds = {r.role for r in user.event_roles}
        return EventRoleKind.STAFF in kinds if role == "staff" else bool(kinds)
    if role == "staff":
        return user.is_staff_for(event_id)
    if role == "door":
        return user.can_check_in(event_id)
    raise ValueError(f"unknown role {role!r}")


def requires(role: str, *, event_from: str | None = None):
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            event = None
            if event_from is not None:
                from events.programme.models import Event
                slug = kwargs.pop(event_from)
                event = db.session.scalars(select(Event).where(Event.slug == slug)).first()
                if event is None:
                    abort(404)
                kwargs["event"] = event
            if not has_role(current_user, role, event.id if event is not None else None):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_role = role
        wrapper.event_from = event_from
        return wrapper
    return decorator


def staff_events(user: User):
    """The events a person may open in the console (all for administrators), newest first."""
    from events.programme.models import Event
    query = select(Event).order_by(Event.starts_at.desc())
    if not user.is_admin:
        ids = {r.event_id for r in user.event_roles}
        query = query.where(Event.id.in_(ids or {-1}))
    return list(db.session.scalars(query))
