"""Registration rules: places, seats, waiting lists, double opt-in and self-service.

Concurrency: every change to an event's registrations or enrolments first locks the event's row
(``SELECT … FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE`` takes the database write lock on SQLite). Counting
free seats and taking one therefore happen under one lock, so no session is ever overbooked, and waiting-list
numbers are handed out in the order in which requests got the lock. One lock per event, always taken first,
also means no two transactions can wait on each other (no deadlocks).

Freed seats and places are refilled in the same transaction as the change that freed them (``_fill_session``,
``_fill_event``), and the people promoted are told through the outbox.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db, utcnow
from app.mail import _providers as mail_attachment_providers
from app.mail import queue_mail
from events.models import (HOLDS_PLACE, Attendee, DegreeLevel, Enrolment, EnrolmentStatus, Event, EventStatus,
                           Registration, RegistrationStatus, Session, SessionKind)

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

    def apply_to(self, attendee: Attendee) -> None:
        attendee.full_name = self.full_name
        attendee.badge_name = self.badge_name or self.full_name[:80]
        attendee.country = self.country
        attendee.university = self.university
        attendee.degree_level = DegreeLevel(self.degree_level) if self.degree_level else None
        attendee.field_of_study = self.field_of_study
        attendee.graduation_date = self.graduation_date
        attendee.languages = dict(self.languages)
        attendee.seeking = list(self.seeking)
        attendee.locale = self.locale


@dataclass
class RegistrationRequest:
    email: str
    profile: Profile
    consent_processing: bool
    consent_sharing: bool = False
    session_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    created: bool  # False: the address was already registered; the link was sent again


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
    if not _storable_key(token, 64):
        return None
    return db.session.scalars(select(Registration).where(Registration.token == token)).first()


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


def _lock_event(event_id: int) -> Event:
    """Take the event's lock (see module docstring) and return its fresh row."""
    event = db.session.scalars(
        select(Event).where(Event.id == event_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if event is None:
        raise RegistrationError("event_not_found", _("This welcome day does not exist."), status=404)
    return event


def _fresh_registration(registration_id: int) -> Registration:
    return db.session.scalars(
        select(Registration).where(Registration.id == registration_id)
        .options(selectinload(Registration.enrolments).selectinload(Enrolment.session))
        .execution_options(populate_existing=True)
    ).one()


def _next_seq(event: Event) -> int:
    """The next arrival number at this event (event lock held): orders every waiting list of the event."""
    event.queue_counter = (event.queue_counter or 0) + 1
    return event.queue_counter


def _confirmed_seat_counts(session_ids: list[int]) -> dict[int, int]:
    # Only registrations that hold a place ever have confirmed enrolments (_release drops them all), so no join.
    if not session_ids:
        return {}
    return dict(db.session.execute(
        select(Enrolment.session_id, func.count())
        .where(Enrolment.session_id.in_(session_ids), Enrolment.status == EnrolmentStatus.CONFIRMED)
        .group_by(Enrolment.session_id)
    ).all())


def _new_token() -> str:
    return secrets.token_urlsafe(24)


# ----------------------------------------------------------------------------------------------- rules


def _check_open(event: Event, now: datetime) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationError("registration_closed", _("Registration for this welcome day is not open."))
    if event.registration_opens_at and now < event.registration_opens_at:
        raise RegistrationError("registration_not_open_yet", _("Registration has not opened yet."))
    if now >= (event.registration_closes_at or event.ends_at):
        raise RegistrationError("registration_closed", _("Registration for this welcome day has closed."))


def _sessions_for(event: Event, session_ids: list[int]) -> list[Session]:
    wanted = sorted(set(session_ids))
    if not wanted:
        return []
    sessions = list(db.session.scalars(
        select(Session).where(Session.id.in_([i for i in wanted if 0 < i < 2**31]), Session.event_id == event.id)
        .order_by(Session.id)
    ))
    if len(sessions) != len(wanted):
        raise RegistrationError("session_not_found", _("A chosen session is not part of this welcome day."),
                                field="sessions", status=422)
    for session in sessions:
        if session.is_cancelled:
            raise RegistrationError("session_cancelled", _("“%(title)s” has been cancelled.", title=session.title),
                                    field="sessions", status=422)
    for i, a in enumerate(sessions):
        for b in sessions[i + 1:]:
            if a.overlaps(b):
                raise RegistrationError(
                    "sessions_overlap", _("“%(first)s” and “%(second)s” take place at the same time; choose one.",
                                          first=a.title, second=b.title),
                    field="sessions", status=422)
    return sessions


def _place_in_session(registration: Registration, session: Session, now: datetime,
                      enrolment: Enrolment | None = None, taken: int | None = None) -> Enrolment:
    """Give the registration a seat in the session, or a place on its waiting list (event lock held).

    ``taken``: the session's confirmed seats, when the caller counted them already."""
    if session.limited and taken is None:
        taken = _confirmed_seat_counts([session.id]).get(session.id, 0)
    seat = registration.holds_place and (not session.limited or taken < session.capacity)
    if enrolment is None:
        enrolment = Enrolment(registration=registration, session=session, created_at=now)
        db.session.add(enrolment)
    enrolment.status = EnrolmentStatus.CONFIRMED if seat else EnrolmentStatus.WAITLISTED
    enrolment.queue_seq = _next_seq(session.event)
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


def register_attendee(event_id: int, request: RegistrationRequest) -> RegistrationResult:
    """Register someone for an event, with their session choices, in one transaction."""
    email = request.email.strip().lower()
    for attempt in range(3):
        try:
            result = _register(event_id, email, request)
            db.session.commit()
            return result
        except IntegrityError:
            # The same new e-mail address arrived twice at once for different events: retry, it exists now.
            db.session.rollback()
            if attempt == 2:
                raise
        except RegistrationError:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def _register(event_id: int, email: str, request: RegistrationRequest) -> RegistrationResult:
    if not request.consent_processing:
        raise RegistrationError("consent_required", _("We need your consent to process your data for this event."),
                                field="consent_processing", status=422)
    # Read what needs no lock first: the lock is held until the commit, so every query under it costs throughput.
    attendee = db.session.scalars(select(Attendee).where(Attendee.email == email)).first()
    event = _lock_event(event_id)
    now = utcnow()
    _check_open(event, now)
    _expire_unconfirmed_now_and_then(event, now)
    sessions = _sessions_for(event, request.session_ids)
    registration = None
    if attendee is not None:
        registration = db.session.scalars(
            select(Registration).where(Registration.event_id == event.id, Registration.attendee_id == attendee.id)
        ).first()
        if registration is not None and registration.status != RegistrationStatus.CANCELLED:
            queue_mail(email, "registration_link", locale=attendee.locale, registration=registration, event=event)
            return RegistrationResult(registration, created=False)

    if attendee is None:
        attendee = Attendee(email=email, created_at=now)
        request.profile.apply_to(attendee)
        db.session.add(attendee)
        pending_profile = None
    else:
        # The address is not proven yet: keep the known profile until the link in the e-mail is opened.
        pending_profile = request.profile.to_json()

    full = event.capacity is not None and places_taken(event) >= event.capacity
    queue_seq = _next_seq(event) if full else None
    existing: dict[int, Enrolment] = {}
    if registration is None:
        registration = Registration(event=event, attendee=attendee, enrolments=[])
        db.session.add(registration)
    else:  # registering again after a cancellation: the same row, a new link
        existing = {e.session_id: e for e in registration.enrolments}
        registration.cancelled_at = None
        registration.cancel_reason = ""
        registration.email_confirmed_at = None
    registration.token = _new_token()
    registration.created_at = now
    registration.status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.PENDING
    registration.queue_seq = queue_seq
    registration.expires_at = now + _pending_ttl()
    registration.pending_profile = pending_profile
    registration.consent_processing_at = now
    registration.consent_processing_version = CONSENT_VERSION
    registration.consent_sharing_at = now if request.consent_sharing else None
    registration.consent_sharing_version = CONSENT_VERSION if request.consent_sharing else ""
    db.session.flush()

    taken = _confirmed_seat_counts([s.id for s in sessions if s.limited])
    for session in sessions:
        _place_in_session(registration, session, now, existing.get(session.id), taken=taken.get(session.id, 0))
    queue_mail(email, "confirm_registration", locale=request.profile.locale, registration=registration,
               event=event)
    return RegistrationResult(registration, created=True)


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
        kinds = [k for k in ("badge", "agenda_pdf", "agenda_ics") if k in mail_attachment_providers]
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
            raise RegistrationError("already_enrolled", _("You are already down for “%(title)s”.", title=session.title))
        for other in registration.active_enrolments:
            if other.session.overlaps(session):
                raise RegistrationError(
                    "sessions_overlap",
                    _("“%(title)s” overlaps with “%(other)s”, which you have chosen. Drop that one first.",
                      title=session.title, other=other.session.title), field="sessions", status=409)
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
    _lock_event(registration.event_id)
    registration = _fresh_registration(registration.id)
    if registration.status == RegistrationStatus.CANCELLED:
        db.session.rollback()
        return
    now = utcnow()
    _release(registration, now, reason)
    queue_mail(registration.attendee.email, "registration_cancelled", locale=registration.attendee.locale,
               registration=registration, event=registration.event)
    db.session.commit()


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


_last_expiry_check: dict[int, float] = {}


def _expire_unconfirmed_now_and_then(event: Event, now: datetime) -> None:
    """Expire on the registration path, but at most every EXPIRY_CHECK_SECONDS per event and process: a look
    per registration would cost a query under the lock; `flask --app wsgi expire` (cron) does the rest."""
    interval = current_app.config["EXPIRY_CHECK_SECONDS"]
    clock = time.monotonic()
    if interval and clock - _last_expiry_check.get(event.id, -interval) < interval:
        return
    _last_expiry_check[event.id] = clock
    _expire_unconfirmed(event, now)


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
