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

    def shown_changes(self) -> list[tuple[str, str | None, str]]:
        """``changes()`` as a reader sees them: the field's label, and values with codes and yes/no in words
        (before is None when there was nothing before)."""
        return [(str(FIELD_LABELS.get(key, key)), None if before is None else shown_value(before),
                 shown_value(after)) for key, before, after in self.changes()]

    @property
    def target_label(self) -> str:
        return str(TARGET_LABELS.get(self.target_type, self.target_type))


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
    "feedback.settings": _l("Changed the feedback survey"),
    "ratings.closing": _l("Changed when the meeting ratings close"),
}

# What the entries' before and after hold, for the log's "Changes" column (the stored keys stay codes).
FIELD_LABELS = {
    "slug": _l("Address (slug)"), "title": _l("Title"), "description": _l("Description"), "venue": _l("Venue"),
    "address": _l("Address"), "timezone": _l("Time zone"), "starts_at": _l("Starts"), "ends_at": _l("Ends"),
    "registration_opens_at": _l("Registration opens"), "registration_closes_at": _l("Registration closes"),
    "capacity": _l("Capacity"), "status": _l("Status"), "languages": _l("Languages"),
    "contact_email": _l("Contact e-mail"), "privacy_notice": _l("Privacy notice"), "name": _l("Name"),
    "floor": _l("Floor"), "kind": _l("Kind"), "abstract": _l("Abstract"), "room_id": _l("Room"),
    "needs_seat": _l("People book a seat"), "language": _l("Language"), "speakers": _l("Speakers"),
    "clash_override": _l("Clash accepted"), "enrolments": _l("Sessions"), "email": _l("E-mail"),
    "walk_in": _l("Walk-in"), "places": _l("Places"), "seats": _l("Seats"), "session_id": _l("Session ID"),
    "reason": _l("Reason"), "template": _l("E-mail"),
    "segment": _l("Recipients"), "subject": _l("Subject"), "recipients": _l("Recipients"),
    "count": _l("Number"), "columns": _l("Columns"), "user": _l("Account"), "role": _l("Role"),
    "by": _l("How"), "from": _l("Copied from"), "told": _l("People told"), "message": _l("Message"),
    "days": _l("Days"), "attendees": _l("Attendees"), "overall": _l("Overall rating"),
    "sessions": _l("Rating per session"), "comment": _l("Comments"), "anonymous": _l("Anonymous"),
    "closed": _l("Closed"),
    "closes_at": _l("Closes"),
}
TARGET_LABELS = {
    "event": _l("Welcome day"), "room": _l("Room"), "session": _l("Session"), "registration": _l("Registration"),
    "user": _l("Account"), "eventrole": _l("Role"),
}
# Codes of statuses, kinds and roles as they stand in the entries' values.
CODE_LABELS = {
    "pending": _l("Not confirmed yet"), "confirmed": _l("Confirmed"), "waitlisted": _l("Waiting list"),
    "cancelled": _l("Cancelled"), "dropped": _l("Dropped"), "draft": _l("Draft"), "published": _l("Published"),
    "closed": _l("Closed"), "scheduled": _l("Scheduled"), "staff": _l("Staff"), "door": _l("Door staff"),
    "registration_link": _l("Link to the personal page"),
    "confirm_registration": _l("Request to confirm the e-mail address"),
    "registration_confirmed": _l("Confirmation with badge and agenda"),
}


def shown_value(value) -> str:
    """A value of an entry in the reader's words: yes/no, a code's label, text as it is, the rest as JSON."""
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, str):
        return str(CODE_LABELS.get(value, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {shown_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(shown_value(v) for v in value)
    return "" if value is None else str(value)


PAGE_SIZE = 50


def entries(event_id: int | None = None, action: str = "", page: int = 1) -> tuple[list[AuditEntry], bool]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if event_id is not None:
        query = query.where(AuditEntry.event_id == event_id)
    if action:
        query = query.where(AuditEntry.action == action)
    rows = list(db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
