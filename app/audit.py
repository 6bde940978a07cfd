"""Audit log of staff actions: who did what, when, to what, with the values before and after.

Services call ``audit(action, target, before, after)`` inside their transaction and commit once, after it: the
entry only joins the session and never commits on its own, so an entry exists exactly when the change does (an
action that fails and rolls back leaves none). ``snapshot(obj, fields)`` turns a row into JSON-safe values for
``before``/``after``.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import UTCDateTime, db, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Kept as text too, so the log still says who it was after an account is deleted.
    actor: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(64), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field that differs."""
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj, fields) -> dict:
    return {f: _plain(getattr(obj, f)) for f in fields}


def audit(action: str, target=None, before: dict | None = None, after: dict | None = None, *,
          event_id: int | None = None, user=None) -> AuditEntry:
    """Record a staff action (no commit: the caller's transaction carries it). The entry's event is the target's
    (``target.event_id``), or the target itself when it is a row of the event table."""
    if user is None:
        user = current_user if getattr(current_user, "is_authenticated", False) else None
    if event_id is None and target is not None:
        event_id = getattr(target, "event_id", None)
        if event_id is None and getattr(target, "__tablename__", "") == "event":
            event_id = target.id
    entry = AuditEntry(
        at=utcnow(), user_id=user.id if user is not None else None,
        actor=user.email if user is not None else "system", action=action,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None), event_id=event_id,
        before=_plain(before) if before is not None else None, after=_plain(after) if after is not None else None)
    db.session.add(entry)
    return entry


ACTION_LABELS = {
    "event.create": _l("Created the event"), "event.edit": _l("Edited the event"),
    "event.clone": _l("Cloned the event"), "event.publish": _l("Published the event"),
    "event.unpublish": _l("Took the event offline"), "event.close": _l("Closed the event"),
    "room.create": _l("Added a room"), "room.edit": _l("Edited a room"),
    "session.create": _l("Added a session"), "session.edit": _l("Edited a session"),
    "session.cancel": _l("Cancelled a session"),
    "registration.create": _l("Registered someone by hand"), "registration.cancel": _l("Cancelled a registration"),
    "registration.place": _l("Gave a place at the event"), "registration.resend": _l("Sent an e-mail again"),
    "registration.reinstate": _l("Reinstated a cancelled registration"),
    "registration.walk_in": _l("Registered a walk-in at the door"),
    "enrolment.seat": _l("Gave a seat"), "enrolment.overbook": _l("Gave a seat beyond the capacity"),
    "enrolment.waitlist": _l("Moved to the waiting list"),
    "enrolment.drop": _l("Took out of a session"),
    "import": _l("Imported attendees"), "mail.segment": _l("Sent an e-mail to a group"),
    "role.grant": _l("Gave a role"), "role.revoke": _l("Took a role away"),
    "totp.enable": _l("Turned on two-step login"), "totp.disable": _l("Turned off two-step login"),
    "password.reset": _l("Set a new password"),
    "privacy.purge": _l("Erased personal data after the event"),
    "reminders.settings": _l("Set the reminder days"),
}

PAGE_SIZE = 50


def entries(event_id: int | None = None, action: str = "", page: int = 1) -> tuple[list[AuditEntry], bool]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if event_id is not None:
        query = query.where(AuditEntry.event_id == event_id)
    if action:
        query = query.where(AuditEntry.action == action)
    rows = list(db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
