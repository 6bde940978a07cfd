"""The seat and place rules, on plain values: no database, no request, so they are tested on their own.

A session or event here is anything with the attributes a rule reads (an ORM instance, a Core row, or a
``SimpleNamespace`` in a test).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from app.content import localized
from app.security import isolated
from events.programme.models import EventStatus, SessionStatus

MAX_ID = 2**31  # the id columns are 32-bit integers


class RegistrationError(Exception):
    """A rule said no. ``code`` is machine-readable (API ``reason``), ``message`` is for people."""

    def __init__(self, code: str, message: str, field: str | None = None, status: int = 409):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status


def no_such_event() -> RegistrationError:
    return RegistrationError("not_found", _("This welcome day does not exist."), status=404)


def storable_key(value: str, max_length: int) -> bool:
    """Whether a slug or token from a URL can be looked up at all (PostgreSQL rejects NUL in text)."""
    return bool(value) and len(value) <= max_length and "\x00" not in value


def storable_ids(session_ids: list[int]) -> list[int]:
    """The ids that can exist, each once, in id order (the order session locks are taken in)."""
    return sorted({i for i in session_ids if 0 < i < MAX_ID})


def check_open(event, now: datetime) -> None:
    """Registration and changes are open: the event is published, and ``now`` is inside its registration window."""
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationError("registration_closed", _("Registration for this welcome day is not open."))
    if event.registration_opens_at and now < event.registration_opens_at:
        raise RegistrationError("registration_not_open_yet", _("Registration has not opened yet."))
    if now >= (event.registration_closes_at or event.ends_at):
        raise RegistrationError("registration_closed", _("Registration for this welcome day has closed."))


def check_chosen(sessions: list, session_ids: list[int]) -> list:
    """All asked for exist at this event (``sessions``: those found), none is cancelled, no two overlap."""
    if len(sessions) != len(set(session_ids)):
        raise RegistrationError("session_not_found", _("A chosen session is not part of this welcome day."),
                                field="sessions", status=422)
    for session in sessions:
        if session.status == SessionStatus.CANCELLED:
            raise RegistrationError("session_cancelled",
                                    _("“%(title)s” has been cancelled.", title=isolated(localized(session, "title"))),
                                    field="sessions", status=422)
    for i, a in enumerate(sessions):
        for b in sessions[i + 1:]:
            if overlap(a, b):
                raise RegistrationError(
                    "sessions_overlap", _("“%(first)s” and “%(second)s” take place at the same time; choose one.",
                                          first=isolated(localized(a, "title")),
                                          second=isolated(localized(b, "title"))),
                    field="sessions", status=422)
    return sessions


def overlap(a, b) -> bool:
    """Whether two sessions take place at the same time (one ending as the other starts does not)."""
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def is_limited(session) -> bool:
    """Whether the session counts its seats."""
    return session.needs_seat and session.capacity is not None


def gets_seat(holds_place: bool, session, taken: int) -> bool:
    """Whether a registration gets a seat in a session with ``taken`` confirmed seats."""
    return holds_place and (not is_limited(session) or taken < session.capacity)


def seats_left(session, taken: int) -> int | None:
    """Free seats in the session; None when it does not count them."""
    if not is_limited(session):
        return None
    return max(session.capacity - taken, 0)


def seats_to_fill(session, taken: int, waiting: int) -> int:
    """How many of the waiting list move up now: the free seats, or everyone when the session has no limit."""
    if session.status == SessionStatus.CANCELLED:
        return 0
    left = seats_left(session, taken)
    return waiting if left is None else left


def places_free(capacity: int | None, taken: int) -> int | None:
    """Free places at the event; None when it has no overall capacity."""
    return None if capacity is None else max(capacity - taken, 0)


def event_full(capacity: int | None, taken: int) -> bool:
    """A new registration goes onto the event's waiting list."""
    return capacity is not None and taken >= capacity


def pending_expiry(now: datetime, hours: int) -> datetime:
    """When a registration whose address is not confirmed gives its place back."""
    return now + timedelta(hours=hours)
