"""Declarative permissions: every signed-in view says who may use it, with one decorator.

    @bp.route("/sessions")
    @requires("staff", event_from="slug")
    def sessions(event): ...

Roles, from most to least powerful:

- ``admin``: everything, every event (``User.is_admin``);
- ``staff``: runs one event (``EventRole`` staff) — admins too;
- ``door``: check-in only, for one event (``EventRole`` door) — staff and admins too;
- ``employer``: an employer contact (``User.organisation_id``), own organisation only — admins too, for the
  organisation they choose to act for (``acting_organisation_id``);
- ``user``: any logged-in account.

Not logged in: the login page (HTML) or 401 (JSON). Logged in without the role: 403. With ``event_from`` the
event is looked up by slug (404 when it does not exist) and passed to the view as ``event`` instead of the slug;
for ``employer`` the organisation must take part in that event (404 otherwise: no hint that it exists).
The role a view requires is kept on the function (``view.required_role``) so that tests can list them all.

app/ never imports a feature: the programme feature gives the event lookups and the employers feature the
employer check, in their ``init_app``, through ``lookups(app)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable

from flask import Flask, abort, current_app, session
from flask_login import current_user

from app.accounts.models import EventRoleKind, User
from app.extensions import login_manager

ROLES = ("admin", "staff", "door", "employer", "user")
ACTING_ORGANISATION = "acting_organisation_id"  # the session key: which organisation an administrator acts for


@dataclass
class PermissionLookups:
    """What the features give the decorator (kept on ``app.extensions["permissions"]``)."""
    event_by_slug: Callable[[str], Any] | None = None  # the programme: slug -> event or None
    slug_of_event: Callable[[int], str | None] | None = None  # the programme: event id -> its slug or None
    events_for: Callable[[User], list] | None = None  # the programme: the events a person may open, newest first
    takes_part: Callable[[int, Any], bool] | None = None  # employers: does this organisation take part in the event
    choose_organisation: Callable[[], Any] | None = None  # employers: the response that lets an admin choose one


def lookups(app: Flask | None = None) -> PermissionLookups:
    app = app or current_app
    return app.extensions.setdefault("permissions", PermissionLookups())


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


def acting_organisation_id() -> int | None:
    """The organisation the employer pages act for: a contact's own; for an administrator, the one chosen."""
    if current_user.organisation_id is not None:
        return current_user.organisation_id
    if current_user.is_admin:
        return session.get(ACTING_ORGANISATION)
    return None


class ActingEmployer:
    """An administrator acting for an organisation, read by employer services as a contact of it."""
    is_employer = True

    def __init__(self, user: User, organisation_id: int):
        self._user = user
        self.organisation_id = organisation_id

    def __getattr__(self, name: str):
        return getattr(self._user, name)


def acting_employer():
    """Who the employer services see: the contact themselves, or the administrator as a contact of the organisation
    chosen."""
    user = current_user._get_current_object()
    if user.organisation_id is None and user.is_admin and acting_organisation_id() is not None:
        return ActingEmployer(user, acting_organisation_id())
    return user


def _employer_refusal(event) -> Any:
    """None when the employer page may open; else the chooser (an administrator who chose no organisation)."""
    found = lookups()
    organisation_id = acting_organisation_id()
    if organisation_id is None:
        return found.choose_organisation()
    if event is not None and not found.takes_part(organisation_id, event):
        abort(404)
    return None


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
                event = lookups().event_by_slug(kwargs.pop(event_from))
                if event is None:
                    abort(404)
                kwargs["event"] = event
            if not has_role(current_user, role, event.id if event is not None else None):
                abort(403)
            if role == "employer":
                refusal = _employer_refusal(event)
                if refusal is not None:
                    return refusal
            return view(*args, **kwargs)

        wrapper.required_role = role
        wrapper.event_from = event_from
        return wrapper
    return decorator


def staff_events(user: User) -> list:
    """The events a person may open in the console (all for administrators), newest first."""
    return lookups().events_for(user)
