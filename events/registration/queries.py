"""Reading registrations: events open to the public, seats and places taken, waiting-list positions, links."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db, utcnow
from events.programme.models import Event, EventStatus, Session, SessionKind
from events.registration import links, rules
from events.registration.models import (HOLDS_PLACE, Enrolment, EnrolmentStatus, Registration,
                                        RegistrationStatus)


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
    """The programme with seats taken and waiting-list lengths, in time order."""
    query = select(Session).where(Session.event_id == event.id).options(
        selectinload(Session.room), selectinload(Session.host)
    ).order_by(Session.starts_at, Session.id)
    if kind:
        query = query.where(Session.kind == SessionKind(kind))
    if language:
        query = query.where(Session.language == language)
    sessions = list(db.session.scalars(query))
    taken, waiting = seat_counts([s.id for s in sessions])
    return [SessionSeats(s, taken.get(s.id, 0), waiting.get(s.id, 0)) for s in sessions]


def seats_for(session: Session) -> SessionSeats:
    taken, waiting = seat_counts([session.id])
    return SessionSeats(session, taken.get(session.id, 0), waiting.get(session.id, 0))


def seat_counts(session_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Per session: seats taken and waiting-list length, counting only registrations that hold a place."""
    if not session_ids:
        return {}, {}
    rows = db.session.execute(
        select(Enrolment.session_id, Enrolment.status, func.count())
        .join(Registration, Registration.id == Enrolment.registration_id)
        .where(Enrolment.session_id.in_(session_ids), Enrolment.status != EnrolmentStatus.DROPPED,
               Registration.status.in_(HOLDS_PLACE))
        .group_by(Enrolment.session_id, Enrolment.status)
    ).all()
    taken = {sid: n for sid, status, n in rows if status == EnrolmentStatus.CONFIRMED}
    waiting = {sid: n for sid, status, n in rows if status == EnrolmentStatus.WAITLISTED}
    return taken, waiting


def confirmed_seats(session_id: int) -> int:
    # Only registrations that hold a place ever have confirmed enrolments (a cancel drops them all), so no join.
    return db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.CONFIRMED)) or 0


def places_taken(event: Event) -> int:
    """Places held at the event (``event`` may be any row with an ``id``)."""
    return db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(HOLDS_PLACE))
    ) or 0


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


_s, _en = Session.__table__.c, Enrolment.__table__.c
# The chosen sessions with what the rules read, and their confirmed seats (prepared once: the registration path).
_SESSION_ROWS = select(
    _s.id, _s.title, _s.starts_at, _s.ends_at, _s.status, _s.capacity, _s.needs_seat,
    select(func.count()).where(_en.session_id == _s.id, _en.status == EnrolmentStatus.CONFIRMED)
    .correlate(Session.__table__).scalar_subquery().label("taken"),
).where(_s.id.in_(bindparam("ids", expanding=True)), _s.event_id == bindparam("event_id")).order_by(_s.id)


def chosen_session_rows(conn, event_id: int, session_ids: list[int]) -> list:
    """The chosen sessions as rows with their confirmed seats (``taken``), checked; one query, under the locks."""
    if not session_ids:
        return []
    rows = conn.execute(_SESSION_ROWS, {"ids": rules.storable_ids(session_ids), "event_id": event_id}).all()
    return rules.check_chosen(rows, session_ids)
