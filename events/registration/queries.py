"""Reading registrations: events open to the public, seats and places taken, waiting-list positions, links."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db, utcnow
from events.programme.models import Event, EventStatus, Session, SessionKind
from events.registration import links, rules
from events.registration.models import (HOLDS_PLACE, Enrolment, EnrolmentStatus, PlaceCount, Registration,
                                        RegistrationStatus)


_s = Session.__table__.c


@dataclass(frozen=True)
class SessionSeats:
    session: Session
    taken: int
    waiting: int

    @property
    def seats_left(self) -> int | None:
        return rules.seats_left(self.session, self.taken)

    @property
    def full(self) -> bool:
        return self.seats_left == 0

    @property
    def over(self) -> int:
        """Seats given beyond the capacity (staff may, with a reason): 21 taken of 20 is 1."""
        return max(self.taken - self.session.capacity, 0) if rules.is_limited(self.session) else 0

    @property
    def overbooked(self) -> bool:
        return self.over > 0


def upcoming_events(now: datetime | None = None) -> list[Event]:
    now = now or utcnow()
    return list(db.session.scalars(
        select(Event).where(Event.status == EventStatus.PUBLISHED, Event.ends_at >= now).order_by(Event.starts_at)
    ))


def get_published_event(slug: str) -> Event | None:
    if not rules.storable_key(slug, 80):
        return None
    return db.session.scalars(
        select(Event).where(Event.slug == slug, Event.status.in_([EventStatus.PUBLISHED, EventStatus.CLOSED]))
    ).first()


def get_session(session_id: int) -> Session | None:
    """A session by id; ids from URLs can be any size, the column is a 32-bit integer."""
    if not 0 < session_id < rules.MAX_ID:
        return None
    return db.session.get(Session, session_id)


def session_seats(event: Event, *, kind: str | None = None, language: str | None = None) -> list[SessionSeats]:
    """The programme with seats taken and waiting-list lengths (the sessions' counters), in time order."""
    query = select(Session).where(Session.event_id == event.id).options(
        selectinload(Session.room), selectinload(Session.host)
    ).order_by(Session.starts_at, Session.id)
    if kind:
        query = query.where(Session.kind == SessionKind(kind))
    if language:
        query = query.where(Session.language == language)
    return [SessionSeats(s, s.seats_taken, s.seats_waiting) for s in db.session.scalars(query)]


_SEATS = select(_s.seats_taken, _s.seats_waiting).where(_s.id == bindparam("session"))


def seats_for(session: Session) -> SessionSeats:
    """The session's seats as the database has them now (read again: under the lock, what counts is the row)."""
    taken, waiting = db.session.connection().execute(_SEATS, {"session": session.id}).one()
    return SessionSeats(session, taken, waiting)


_PLACES = select(func.coalesce(func.sum(PlaceCount.__table__.c.taken), 0)).where(
    PlaceCount.__table__.c.event_id == bindparam("event"))


def places_taken(event: Event) -> int:
    """Places held at the event (``event`` may be any row with an ``id``): the sum of its few counter rows."""
    return db.session.connection().execute(_PLACES, {"event": event.id}).scalar_one()


def registration_by_token(token: str) -> Registration | None:
    """The registration behind a secret link, found by the token's hash (events/registration/links.py). An old link,
    from before links were hashed, finds its row by ``legacy_token_hash``; the row's new link is stored and
    committed here, so that the pages it opens link to a stored link."""
    if not rules.storable_key(token, 64):
        return None
    digest = links.hash_token(token)
    registration = db.session.scalars(select(Registration).where(
        or_(Registration.token_hash == digest, Registration.legacy_token_hash == digest))).first()
    if registration is None:
        return None
    if registration.token_hash == digest:
        return registration if links.matches(registration, token) else None  # else: built with an older key
    if links.store(registration):
        db.session.commit()
    return registration


def waitlist_position(enrolment: Enrolment) -> int | None:
    """1-based place in the session's waiting list, counting only people who hold a place at the event."""
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Enrolment)
        .join(Registration, Registration.id == Enrolment.registration_id)
        .where(Enrolment.session_id == enrolment.session_id, Enrolment.status == EnrolmentStatus.WAITLISTED,
               Enrolment.queue_seq < enrolment.queue_seq, Registration.status.in_(HOLDS_PLACE))
    ) or 0
    return ahead + 1


def event_waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == registration.event_id,
               Registration.status == RegistrationStatus.WAITLISTED,
               Registration.queue_seq < registration.queue_seq)
    ) or 0
    return ahead + 1


def reload_registration(registration_id: int) -> Registration:
    """The registration as the database has it now (after the lock), with its enrolments and their sessions."""
    return db.session.scalars(
        select(Registration).where(Registration.id == registration_id)
        .options(selectinload(Registration.enrolments).selectinload(Enrolment.session))
        .execution_options(populate_existing=True)
    ).one()


def chosen_sessions(event: Event, session_ids: list[int]) -> list[Session]:
    """The chosen sessions of the event, checked (rules.check_chosen)."""
    if not session_ids:
        return []
    sessions = list(db.session.scalars(
        select(Session).where(Session.id.in_(rules.storable_ids(session_ids)), Session.event_id == event.id)
        .order_by(Session.id)
    ))
    return rules.check_chosen(sessions, session_ids)


# The chosen sessions with what the rules read, and their seats taken (prepared once: the registration path).
_SESSION_ROWS = select(
    _s.id, _s.title, _s.starts_at, _s.ends_at, _s.status, _s.capacity, _s.needs_seat, _s.seats_taken.label("taken"),
).where(_s.id.in_(bindparam("ids", expanding=True)), _s.event_id == bindparam("event_id")).order_by(_s.id)


def chosen_session_rows(conn, event_id: int, session_ids: list[int]) -> list:
    """The chosen sessions as rows with their confirmed seats (``taken``), checked; one query, under the locks."""
    if not session_ids:
        return []
    rows = conn.execute(_SESSION_ROWS, {"ids": rules.storable_ids(session_ids), "event_id": event_id}).all()
    return rules.check_chosen(rows, session_ids)
