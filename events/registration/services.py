"""Registration rules: places, seats, waiting lists, double opt-in and self-service.

Concurrency. Every change to an event's registrations or enrolments first locks the event's row
(``SELECT … FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE`` takes the database write lock on SQLite), so counting
free seats and taking one happen under one lock and no session is ever overbooked. New registrations, which
arrive by the thousand when a welcome day opens, share the event's lock instead (``FOR SHARE``: they wait for,
and keep out, every other change) and lock the rows of the sessions they choose, in id order; two registrations
wait for each other only when they want a seat in the same session. Each session hands out the numbers that order
its waiting list under its own lock, so the list is in the order in which registrations got the session. An
event with an overall capacity counts its places, so its registrations take the event's lock alone. The event's
lock is always taken first and session locks in id order, so no two transactions wait for each other in a circle.

Freed seats and places are refilled in the same transaction as the change that freed them (``_fill_session``,
``_fill_event``), and the people promoted are told through the outbox.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db, utcnow
from app.mail import ModelRef, attachment_kinds, queue_mail
from app.security import isolated
from events.registration import links
from events.registration.models import (
    HOLDS_PLACE,
    Attendee,
    DegreeLevel,
    Enrolment,
    EnrolmentStatus,
    Registration,
    RegistrationStatus,
)
from events.programme.models import Event, EventStatus, Session, SessionKind, SessionStatus

CONSENT_VERSION = "2026-1"


class RegistrationError(Exception):
    """A rule said no. ``code`` is machine-readable (API ``reason``), ``message`` is for people."""

    def __init__(self, code: str, message: str, field: str | None = None, status: int = 409):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status


@dataclass
class Profile:
    full_name: str
    badge_name: str
    country: str = ""
    university: str = ""
    degree_level: str | None = None
    field_of_study: str = ""
    graduation_date: date | None = None
    languages: dict[str, str] = field(default_factory=dict)
    seeking: list[str] = field(default_factory=list)
    locale: str = "en"

    def to_json(self) -> dict:
        data = dict(self.__dict__)
        data["graduation_date"] = self.graduation_date.isoformat() if self.graduation_date else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> Profile:
        data = dict(data)
        if data.get("graduation_date"):
            data["graduation_date"] = date.fromisoformat(data["graduation_date"])
        return cls(**data)

    def columns(self) -> dict:
        """The attendee's columns this profile sets."""
        return {"full_name": self.full_name, "badge_name": self.badge_name or self.full_name[:80],
                "country": self.country, "university": self.university,
                "degree_level": DegreeLevel(self.degree_level) if self.degree_level else None,
                "field_of_study": self.field_of_study, "graduation_date": self.graduation_date,
                "languages": dict(self.languages), "seeking": list(self.seeking), "locale": self.locale}

    def apply_to(self, attendee: Attendee) -> None:
        for name, value in self.columns().items():
            setattr(attendee, name, value)


@dataclass
class RegistrationRequest:
    email: str
    profile: Profile
    consent_processing: bool
    consent_sharing: bool = False
    session_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class RegistrationResult:
    registration_id: int
    created: bool  # False: the address was already registered; the link was sent again

    @property
    def registration(self) -> Registration:
        return db.session.get(Registration, self.registration_id)


@dataclass(frozen=True)
class SessionSeats:
    session: Session
    taken: int
    waiting: int

    @property
    def seats_left(self) -> int | None:
        if not self.session.limited:
            return None
        return max(self.session.capacity - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.seats_left == 0


# ----------------------------------------------------------------------------------------------- reading


def upcoming_events(now: datetime | None = None) -> list[Event]:
    now = now or utcnow()
    return list(db.session.scalars(
        select(Event).where(Event.status == EventStatus.PUBLISHED, Event.ends_at >= now).order_by(Event.starts_at)
    ))


def _storable_key(value: str, max_length: int) -> bool:
    """Whether a slug or token from a URL can be looked up at all (PostgreSQL rejects NUL in text)."""
    return bool(value) and len(value) <= max_length and "\x00" not in value


def get_published_event(slug: str) -> Event | None:
    if not _storable_key(slug, 80):
        return None
    return db.session.scalars(
        select(Event).where(Event.slug == slug, Event.status.in_([EventStatus.PUBLISHED, EventStatus.CLOSED]))
    ).first()


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
    taken, waiting = _seat_counts([s.id for s in sessions])
    return [SessionSeats(s, taken.get(s.id, 0), waiting.get(s.id, 0)) for s in sessions]


def seats_for(session: Session) -> SessionSeats:
    taken, waiting = _seat_counts([session.id])
    return SessionSeats(session, taken.get(session.id, 0), waiting.get(session.id, 0))


def _seat_counts(session_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
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


def places_taken(event: Event) -> int:
    """Places held at the event (``event`` may be any row with an ``id``)."""
    return db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(HOLDS_PLACE))
    ) or 0


def get_session(session_id: int) -> Session | None:
    """A session by id; ids from URLs can be any size, the column is a 32-bit integer."""
    if not 0 < session_id < 2**31:
        return None
    return db.session.get(Session, session_id)


def registration_by_token(token: str) -> Registration | None:
    """The registration behind a secret link, found by the token's hash (events/registration/links.py). An old link, from
    before links were hashed, finds its row by ``legacy_token_hash``; the row's new link is stored and committed
    here, so that the pages it opens link to a stored link."""
    if not _storable_key(token, 64):
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


# ----------------------------------------------------------------------------------------------- locking


def _no_such_event() -> RegistrationError:
    return RegistrationError("not_found", _("This welcome day does not exist."), status=404)


def _lock_event(event_id: int) -> Event:
    """Take the event's lock (see module docstring) and return its fresh row."""
    event = db.session.scalars(
        select(Event).where(Event.id == event_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if event is None:
        raise _no_such_event()
    return event


def _fresh_registration(registration_id: int) -> Registration:
    return db.session.scalars(
        select(Registration).where(Registration.id == registration_id)
        .options(selectinload(Registration.enrolments).selectinload(Enrolment.session))
        .execution_options(populate_existing=True)
    ).one()


# Columns for the Core statements of the registration path (prepared once, below).
_ev, _s, _a, _r, _en = (model.__table__.c for model in (Event, Session, Attendee, Registration, Enrolment))
_EVENT_ROW = select(_ev.id, _ev.status, _ev.registration_opens_at, _ev.registration_closes_at, _ev.ends_at,
                    _ev.capacity, _ev.queue_counter)
_PUBLIC_EVENT = _EVENT_ROW.where(_ev.slug == bindparam("slug"),
                                 _ev.status.in_([EventStatus.PUBLISHED, EventStatus.CLOSED]))
_SHARE_EVENT = _PUBLIC_EVENT.with_for_update(read=True)
_LOCK_EVENT = _PUBLIC_EVENT.with_for_update()
# Lock the chosen sessions in id order (the sub-select sorts, then locks) and hand out one number each.
_RESERVE_SESSIONS = (
    update(Session.__table__)
    .where(_s.id.in_(select(_s.id).where(_s.id.in_(bindparam("ids", expanding=True)),
                                         _s.event_id == bindparam("of_event"))
                     .order_by(_s.id).with_for_update()))
    .values(queue_counter=_s.queue_counter + 1, updated_at=_s.updated_at)  # not an edit of the session
    .returning(_s.id, _s.queue_counter))
_RESERVE_SESSION = (update(Session.__table__).where(_s.id == bindparam("session"))
                    .values(queue_counter=_s.queue_counter + 1, updated_at=_s.updated_at)
                    .returning(_s.queue_counter))
_RESERVE_EVENT = (update(Event.__table__).where(_ev.id == bindparam("event"))
                  .values(queue_counter=_ev.queue_counter + 1, updated_at=_ev.updated_at)
                  .returning(_ev.queue_counter))
def _counted_events() -> set[str]:
    """Events known (to this application) to have an overall capacity: their registrations take the event's lock
    alone."""
    return current_app.extensions.setdefault("welcomeday.counted_events", set())


def _lock_for_registration(conn, slug: str):
    """The published event's row, locked for a new registration: shared, or alone when the event has an overall
    capacity (its places are counted). A share lock cannot become an exclusive one without risking a deadlock,
    so an event found to have a capacity under a share lock is retried (``_Exclusive``), and remembered."""
    if not _storable_key(slug, 80):
        raise _no_such_event()
    alone = slug in _counted_events()
    row = conn.execute(_LOCK_EVENT if alone else _SHARE_EVENT, {"slug": slug}).first()
    if row is None:
        raise _no_such_event()
    if row.capacity is not None and not alone:
        _counted_events().add(slug)
        raise _Exclusive()
    if row.capacity is None and alone:
        _counted_events().discard(slug)  # the capacity was lifted: from the next registration on, shared again
    return row


class _Exclusive(Exception):
    """Start the registration again, with the event's lock alone."""


def _lock_sessions(conn, event_id: int, session_ids: list[int]) -> dict[int, int]:
    """Lock the chosen sessions of the event (in id order) and give each a waiting-list number: {id: number}."""
    if not session_ids:
        return {}
    return dict(conn.execute(_RESERVE_SESSIONS, {"ids": _storable_ids(session_ids), "of_event": event_id}).all())


def _next_seq(session_id: int) -> int:
    """The next number on this session's waiting list (the caller holds the event's lock)."""
    return db.session.connection().execute(_RESERVE_SESSION, {"session": session_id}).scalar_one()


def _next_event_seq(event_id: int) -> int:
    """The next number on the event's waiting list (the caller holds the event's lock alone)."""
    return db.session.connection().execute(_RESERVE_EVENT, {"event": event_id}).scalar_one()


def _confirmed_seat_counts(session_ids: list[int]) -> dict[int, int]:
    # Only registrations that hold a place ever have confirmed enrolments (_release drops them all), so no join.
    if not session_ids:
        return {}
    return dict(db.session.execute(
        select(Enrolment.session_id, func.count())
        .where(Enrolment.session_id.in_(session_ids), Enrolment.status == EnrolmentStatus.CONFIRMED)
        .group_by(Enrolment.session_id)
    ).all())


# ----------------------------------------------------------------------------------------------- rules


def _check_open(event: Event, now: datetime) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationError("registration_closed", _("Registration for this welcome day is not open."))
    if event.registration_opens_at and now < event.registration_opens_at:
        raise RegistrationError("registration_not_open_yet", _("Registration has not opened yet."))
    if now >= (event.registration_closes_at or event.ends_at):
        raise RegistrationError("registration_closed", _("Registration for this welcome day has closed."))


def _storable_ids(session_ids: list[int]) -> list[int]:
    return sorted({i for i in session_ids if 0 < i < 2**31})


def _sessions_for(event: Event, session_ids: list[int]) -> list[Session]:
    """The chosen sessions of the event, checked (see _check_chosen)."""
    if not session_ids:
        return []
    sessions = list(db.session.scalars(
        select(Session).where(Session.id.in_(_storable_ids(session_ids)), Session.event_id == event.id)
        .order_by(Session.id)
    ))
    return _check_chosen(sessions, session_ids)


# The chosen sessions with what _check_chosen and _gets_seat read, and their confirmed seats.
_SESSION_ROWS = select(
    _s.id, _s.title, _s.starts_at, _s.ends_at, _s.status, _s.capacity, _s.needs_seat,
    select(func.count()).where(_en.session_id == _s.id, _en.status == EnrolmentStatus.CONFIRMED)
    .correlate(Session.__table__).scalar_subquery().label("taken"),
).where(_s.id.in_(bindparam("ids", expanding=True)), _s.event_id == bindparam("event_id")).order_by(_s.id)


def _session_rows(conn, event_id: int, session_ids: list[int]) -> list:
    """The chosen sessions as rows with their confirmed seats (``taken``), checked; one query, under the lock."""
    if not session_ids:
        return []
    rows = conn.execute(_SESSION_ROWS, {"ids": _storable_ids(session_ids), "event_id": event_id}).all()
    return _check_chosen(rows, session_ids)


def _check_chosen(sessions: list, session_ids: list[int]) -> list:
    """All asked for exist at this event, none is cancelled, no two overlap (``sessions``: instances or rows)."""
    if len(sessions) != len(set(session_ids)):
        raise RegistrationError("session_not_found", _("A chosen session is not part of this welcome day."),
                                field="sessions", status=422)
    for session in sessions:
        if session.status == SessionStatus.CANCELLED:
            raise RegistrationError("session_cancelled",
                                    _("“%(title)s” has been cancelled.", title=isolated(session.title)),
                                    field="sessions", status=422)
    for i, a in enumerate(sessions):
        for b in sessions[i + 1:]:
            if a.starts_at < b.ends_at and b.starts_at < a.ends_at:
                raise RegistrationError(
                    "sessions_overlap", _("“%(first)s” and “%(second)s” take place at the same time; choose one.",
                                          first=isolated(a.title), second=isolated(b.title)),
                    field="sessions", status=422)
    return sessions


def _gets_seat(holds_place: bool, session, taken: int) -> bool:
    """Whether a registration gets a seat in a session (instance or row) with ``taken`` confirmed seats."""
    return holds_place and (not session.needs_seat or session.capacity is None or taken < session.capacity)


def _place_in_session(registration: Registration, session: Session, now: datetime,
                      enrolment: Enrolment | None = None, taken: int | None = None) -> Enrolment:
    """Give the registration a seat in the session, or a place on its waiting list (event lock held).

    ``taken``: the session's confirmed seats, when the caller counted them already."""
    if session.limited and taken is None:
        taken = _confirmed_seat_counts([session.id]).get(session.id, 0)
    seat = _gets_seat(registration.holds_place, session, taken or 0)
    if enrolment is None:
        enrolment = Enrolment(registration=registration, session=session, created_at=now)
        db.session.add(enrolment)
    enrolment.status = EnrolmentStatus.CONFIRMED if seat else EnrolmentStatus.WAITLISTED
    enrolment.queue_seq = _next_seq(session.id)
    enrolment.updated_at = now
    return enrolment


def _fill_session(session: Session, now: datetime) -> list[Enrolment]:
    """Promote the first in line while the session has free seats (event lock held)."""
    if session.is_cancelled:
        return []
    seats = seats_for(session)
    free = seats.seats_left if session.limited else seats.waiting
    if not free:
        return []
    promoted = list(db.session.scalars(
        select(Enrolment).join(Registration, Registration.id == Enrolment.registration_id)
        .where(Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.WAITLISTED,
               Registration.status.in_(HOLDS_PLACE))
        .order_by(Enrolment.queue_seq).limit(free)
    ))
    for enrolment in promoted:
        enrolment.status = EnrolmentStatus.CONFIRMED
        enrolment.updated_at = now
        registration = enrolment.registration
        queue_mail(registration.attendee.email, "seat_confirmed", locale=registration.attendee.locale,
                   registration=registration, session=session, event=registration.event)
    db.session.flush()
    return promoted


def _fill_event(event: Event, now: datetime) -> list[Registration]:
    """Give free places at the event to the first registrations on its waiting list (event lock held)."""
    query = (select(Registration)
             .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
             .order_by(Registration.queue_seq))
    if event.capacity is not None:
        free = event.capacity - places_taken(event)
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    for registration in promoted:
        give_place(registration, event, now)
    return promoted


def give_place(registration: Registration, event: Event, now: datetime) -> None:
    """Move a registration from the event's waiting list to a place, seat it where it can, tell it (lock held)."""
    if registration.email_confirmed_at:
        registration.status = RegistrationStatus.CONFIRMED
    else:
        registration.status = RegistrationStatus.PENDING
        registration.expires_at = now + _pending_ttl()
    registration.queue_seq = None
    registration.updated_at = now
    db.session.flush()
    for enrolment in registration.enrolments:
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            _fill_session(enrolment.session, now)
    queue_mail(registration.attendee.email, "place_confirmed", locale=registration.attendee.locale,
               registration=registration, event=event)


def _pending_ttl() -> timedelta:
    return timedelta(hours=current_app.config["PENDING_REGISTRATION_HOURS"])


def _release(registration: Registration, now: datetime, reason: str) -> None:
    """Cancel a registration and refill what it held (event lock held)."""
    freed = [e.session for e in registration.enrolments if e.status == EnrolmentStatus.CONFIRMED]
    held_place = registration.holds_place
    for enrolment in registration.enrolments:
        if enrolment.status != EnrolmentStatus.DROPPED:
            enrolment.status = EnrolmentStatus.DROPPED
            enrolment.updated_at = now
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.cancel_reason = reason
    registration.expires_at = None
    db.session.flush()
    for session in sorted(freed, key=lambda s: s.id):
        _fill_session(session, now)
    if held_place:
        _fill_event(registration.event, now)


# ----------------------------------------------------------------------------------------------- actions


def register_attendee(slug: str, request: RegistrationRequest) -> RegistrationResult:
    """Register someone for the published event ``slug``, with their session choices, in one transaction."""
    if not request.consent_processing:
        raise RegistrationError("consent_required", _("We need your consent to process your data for this event."),
                                field="consent_processing", status=422)
    _expire_unconfirmed_now_and_then(slug)
    email = request.email.strip().lower()
    for attempt in range(4):
        try:
            result = _register(slug, email, request)
            db.session.commit()
            return result
        except (_Exclusive, IntegrityError):
            # _Exclusive: see _lock_for_registration. IntegrityError: the same person registered twice at once
            # (a double click); the second attempt finds the first registration and sends its link again.
            db.session.rollback()
            if attempt == 3:
                raise
        except RegistrationError:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


_ATTENDEE_BY_EMAIL = select(_a.id, _a.locale).where(_a.email == bindparam("email"))
_PREVIOUS_REGISTRATION = select(_r.id, _r.status).where(_r.event_id == bindparam("event_id"),
                                                        _r.attendee_id == bindparam("attendee_id"))
_ADD_REGISTRATION = insert(Registration.__table__).returning(_r.id)
_ADD_ENROLMENTS = insert(Enrolment.__table__)


def _register(slug: str, email: str, request: RegistrationRequest) -> RegistrationResult:
    """The registration path, written for throughput: registrations run side by side under the event's share
    lock and wait only for the sessions they choose (see the module's docstring). What needs no lock comes first
    (the attendee's row); the rest is a handful of prepared Core statements and no unit of work."""
    conn = db.session.connection()  # the statements below use it directly: no autoflush, no ORM layer
    attendee_id = add_attendee(conn, email, request.profile, utcnow())
    known = None
    if attendee_id is None:  # a known address
        known = conn.execute(_ATTENDEE_BY_EMAIL, {"email": email}).first()
        attendee_id = known.id
    event = _lock_for_registration(conn, slug)
    _check_open(event, utcnow())
    seqs = _lock_sessions(conn, event.id, request.session_ids)
    now = utcnow()  # after the locks: registrations are created in the order they got them
    sessions = _session_rows(conn, event.id, request.session_ids)
    previous = None
    if known is not None:
        previous = conn.execute(_PREVIOUS_REGISTRATION, {"event_id": event.id, "attendee_id": attendee_id}).first()
        if previous is not None and previous.status != RegistrationStatus.CANCELLED:
            queue_mail(email, "registration_link", locale=known.locale,
                       registration=ModelRef("Registration", previous.id), event=ModelRef("Event", event.id))
            return RegistrationResult(previous.id, created=False)
    full = event.capacity is not None and places_taken(event) >= event.capacity
    registration_id = write_registration(
        conn, event, attendee_id, previous.id if previous else None, sessions, seqs, now=now,
        status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.PENDING,
        expires_at=now + _pending_ttl(), email_confirmed_at=None,
        # The address is not proven yet: a known profile stays until the link in the e-mail is opened.
        pending_profile=request.profile.to_json() if known is not None else None,
        consent_processing_at=now, consent_processing_version=CONSENT_VERSION,
        consent_sharing_at=now if request.consent_sharing else None,
        consent_sharing_version=CONSENT_VERSION if request.consent_sharing else "")
    queue_mail(email, "confirm_registration", locale=request.profile.locale,
               registration=ModelRef("Registration", registration_id), event=ModelRef("Event", event.id))
    return RegistrationResult(registration_id, created=True)


_ADD_ATTENDEE = {dialect: module.insert(Attendee.__table__).on_conflict_do_nothing(index_elements=["email"])
                 .returning(_a.id) for dialect, module in (("postgresql", postgresql), ("sqlite", sqlite))}


def add_attendee(conn, email: str, profile: Profile, now: datetime) -> int | None:
    """A new attendee's row, or None when the address is known (one INSERT … ON CONFLICT DO NOTHING, which also
    waits for, and then yields to, the same new address arriving at the same time)."""
    return conn.execute(_ADD_ATTENDEE[conn.dialect.name],
                        dict(email=email, created_at=now, updated_at=now, **profile.columns())).scalar()


def write_registration(conn, event, attendee_id: int, previous_id: int | None, sessions: list, seqs: dict[int, int], *,
                       now: datetime, **columns) -> int:
    """Write a registration and its enrolments; returns its id. The caller holds the event's lock and the
    sessions' locks (``seqs``: each session's waiting-list number, from _lock_sessions).

    ``sessions`` come from _session_rows. ``columns`` set the registration's status, consents and dates; a
    registration on the event's waiting list takes the event's next number (only events with a capacity have
    one, and their registrations hold the event's lock alone), and each session gives a seat while it has one
    for a registration that holds a place, else a place on its waiting list. ``previous_id``: a cancelled
    registration of the same person, which is reused (one row per person and event) with a new link."""
    status = columns["status"]
    values = dict(columns, **links.new_link(), created_at=now, updated_at=now, cancelled_at=None, cancel_reason="",
                  queue_seq=_next_event_seq(event.id) if status == RegistrationStatus.WAITLISTED else None)
    existing: dict[int, int] = {}
    if previous_id is None:
        registration_id = conn.execute(_ADD_REGISTRATION,
                                       dict(values, event_id=event.id, attendee_id=attendee_id)).scalar()
    else:
        registration_id = previous_id
        db.session.execute(update(Registration.__table__).where(_r.id == previous_id).values(**values))
        existing = dict(db.session.execute(select(_en.session_id, _en.id)
                                           .where(_en.registration_id == previous_id)).all())
        db.session.flush()
        db.session.expire_all()  # instances loaded before would show the rows as they were
    holds_place = status in HOLDS_PLACE
    rows = []
    for session in sessions:
        seat = _gets_seat(holds_place, session, session.taken)
        row = {"status": EnrolmentStatus.CONFIRMED if seat else EnrolmentStatus.WAITLISTED,
               "queue_seq": seqs[session.id], "updated_at": now}
        if session.id in existing:
            db.session.execute(update(Enrolment.__table__).where(_en.id == existing[session.id])
                               .values(**row, sequence=_en.sequence + 1))
        else:
            rows.append({**row, "registration_id": registration_id, "session_id": session.id, "created_at": now,
                         "sequence": 0})
    if rows:
        conn.execute(_ADD_ENROLMENTS, rows)
    return registration_id


def confirm_email(registration: Registration) -> Registration:
    """The link in the e-mail was opened: the address is real."""
    event = _lock_event(registration.event_id)
    registration = _fresh_registration(registration.id)
    if registration.status == RegistrationStatus.CANCELLED:
        db.session.rollback()
        raise RegistrationError("registration_cancelled",
                                _("This registration was cancelled or expired; please register again."), status=410)
    if registration.email_confirmed_at is None:
        now = utcnow()
        registration.email_confirmed_at = now
        registration.expires_at = None
        if registration.pending_profile:
            Profile.from_json(registration.pending_profile).apply_to(registration.attendee)
            registration.pending_profile = None
        if registration.status == RegistrationStatus.PENDING:
            registration.status = RegistrationStatus.CONFIRMED
        kinds = [k for k in ("badge", "agenda_pdf", "agenda_ics") if k in attachment_kinds()]
        attachments = ([{"kind": k, "registration_id": registration.id} for k in kinds]
                       if registration.status == RegistrationStatus.CONFIRMED else [])
        queue_mail(registration.attendee.email, "registration_confirmed", locale=registration.attendee.locale,
                   registration=registration, event=event, attachments=attachments)
    db.session.commit()
    return registration


def enrol(registration: Registration, session_id: int) -> Enrolment:
    """Add a session to a registration: a seat, or a place on its waiting list."""
    try:
        event = _lock_event(registration.event_id)
        now = utcnow()
        registration = _fresh_registration(registration.id)
        if registration.status == RegistrationStatus.CANCELLED:
            raise RegistrationError("registration_cancelled", _("This registration is cancelled."), status=410)
        _check_open(event, now)
        (session,) = _sessions_for(event, [session_id])
        current = {e.session_id: e for e in registration.enrolments}
        existing = current.get(session_id)
        if existing is not None and existing.status != EnrolmentStatus.DROPPED:
            raise RegistrationError("already_enrolled",
                                    _("You are already down for “%(title)s”.", title=isolated(session.title)))
        for other in registration.active_enrolments:
            if other.session.overlaps(session):
                raise RegistrationError(
                    "sessions_overlap",
                    _("“%(title)s” overlaps with “%(other)s”, which you have chosen. Drop that one first.",
                      title=isolated(session.title), other=isolated(other.session.title)), field="sessions",
                    status=409)
        enrolment = _place_in_session(registration, session, now, existing)
        db.session.commit()
        return enrolment
    except RegistrationError:
        db.session.rollback()
        raise


def drop(registration: Registration, session_id: int) -> None:
    """Give up a seat or a waiting-list place; the first in line gets the seat."""
    _lock_event(registration.event_id)
    now = utcnow()
    registration = _fresh_registration(registration.id)
    enrolment = next((e for e in registration.enrolments
                      if e.session_id == session_id and e.status != EnrolmentStatus.DROPPED), None)
    if enrolment is None:
        db.session.rollback()
        raise RegistrationError("not_enrolled", _("You are not down for this session."), status=404)
    had_seat = enrolment.status == EnrolmentStatus.CONFIRMED
    enrolment.status = EnrolmentStatus.DROPPED
    enrolment.updated_at = now
    db.session.flush()
    if had_seat:
        _fill_session(enrolment.session, now)
    db.session.commit()


def cancel_registration(registration: Registration, reason: str = "attendee") -> None:
    if release_registration(registration, reason):
        db.session.commit()


def release_registration(registration: Registration, reason: str) -> bool:
    """Cancel under the event's lock: the place and seats go to the waiting lists, the person is told. No commit:
    the caller's transaction carries it (with its audit entry, for staff). False, rolled back, when it was
    cancelled already."""
    _lock_event(registration.event_id)
    registration = _fresh_registration(registration.id)
    if registration.status == RegistrationStatus.CANCELLED:
        db.session.rollback()
        return False
    now = utcnow()
    _release(registration, now, reason)
    queue_mail(registration.attendee.email, "registration_cancelled", locale=registration.attendee.locale,
               registration=registration, event=registration.event)
    return True


def update_profile(registration: Registration, profile: Profile, consent_sharing: bool) -> None:
    registration = _fresh_registration(registration.id)
    profile.apply_to(registration.attendee)
    now = utcnow()
    if consent_sharing and registration.consent_sharing_at is None:
        registration.consent_sharing_at = now
        registration.consent_sharing_version = CONSENT_VERSION
    elif not consent_sharing:
        registration.consent_sharing_at = None
        registration.consent_sharing_version = ""
    db.session.commit()


def _last_expiry_checks() -> dict[str, float]:
    """When this application last expired unconfirmed registrations, by event (a monotonic clock)."""
    return current_app.extensions.setdefault("welcomeday.expiry_checks", {})


def _expire_unconfirmed_now_and_then(slug: str) -> None:
    """Expire before registering, in its own transaction under the event's lock alone, but at most every
    EXPIRY_CHECK_SECONDS per event and process; `flask --app wsgi expire` (cron) does the rest."""
    interval = current_app.config["EXPIRY_CHECK_SECONDS"]
    clock = time.monotonic()
    last_checks = _last_expiry_checks()
    if interval and clock - last_checks.get(slug, -interval) < interval:
        return
    last_checks[slug] = clock
    event = get_published_event(slug)
    if event is not None:
        _expire_unconfirmed(_lock_event(event.id), utcnow())
    db.session.commit()


def _expire_unconfirmed(event: Event, now: datetime) -> int:
    expired = list(db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id, Registration.email_confirmed_at.is_(None),
            Registration.status.in_([RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED]),
            Registration.expires_at < now)
        .order_by(Registration.id)
    ))
    for registration in expired:
        _release(registration, now, "expired")
        queue_mail(registration.attendee.email, "registration_cancelled", locale=registration.attendee.locale,
                   registration=registration, event=event)
    return len(expired)


def expire_unconfirmed(now: datetime | None = None) -> int:
    """Cancel registrations whose e-mail was not confirmed in time and refill their places; returns count."""
    now = now or utcnow()
    event_ids = db.session.scalars(
        select(Registration.event_id).where(
            Registration.email_confirmed_at.is_(None), Registration.expires_at < now,
            Registration.status.in_([RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED]))
        .distinct()
    ).all()
    db.session.rollback()
    total = 0
    for event_id in event_ids:
        event = _lock_event(event_id)
        total += _expire_unconfirmed(event, now)
        db.session.commit()
    return total
