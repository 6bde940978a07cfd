"""Registration's use cases: register, confirm the address, add and drop sessions, edit the profile, cancel, expire.

Each is one transaction under the lock protocol of events/registration/locking.py; the rules are in rules.py,
the reads in queries.py and every write in store.py. The public pages and the API call these functions.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from app.content import localized
from app.extensions import db, utcnow
from app.mail import ModelRef, queue_mail
from app.security import isolated
from events.programme.models import Event
from events.registration import locking, queries, rules, store
from events.registration.models import (HOLDS_PLACE, Attendee, Enrolment, EnrolmentStatus, Registration,
                                        RegistrationStatus)
from events.registration.profile import Profile
from events.registration.rules import RegistrationError

CONSENT_VERSION = "2026-1"
# What the confirmation mail carries (built when it is sent, by the badges and agendas features).
CONFIRMATION_ATTACHMENTS = ("badge", "agenda_pdf", "agenda_ics")


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


def confirmation_attachments(registration_id: int) -> list[dict]:
    return [{"kind": kind, "registration_id": registration_id} for kind in CONFIRMATION_ATTACHMENTS]


# ----------------------------------------------------------------------------------------------- registering


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
        except (locking.RetryAlone, IntegrityError):
            # RetryAlone: see locking.lock_event_for_registration. IntegrityError: the same person registered
            # twice at once (a double click); the second attempt finds the first registration and sends its link.
            db.session.rollback()
            if attempt == 3:
                raise
        except RegistrationError:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


_a, _r = Attendee.__table__.c, Registration.__table__.c
_ATTENDEE_BY_EMAIL = select(_a.id, _a.locale).where(_a.email == bindparam("email"))
_PREVIOUS_REGISTRATION = select(_r.id, _r.status).where(_r.event_id == bindparam("event_id"),
                                                        _r.attendee_id == bindparam("attendee_id"))


def _register(slug: str, email: str, request: RegistrationRequest) -> RegistrationResult:
    """The registration path, written for throughput: registrations run side by side under the event's share
    lock and wait only for the sessions they choose (locking.py). What needs no lock comes first (the attendee's
    row); the rest is a handful of prepared Core statements and no unit of work."""
    conn = db.session.connection()  # the statements below use it directly: no autoflush, no ORM layer
    attendee_id = store.add_attendee(conn, email, request.profile.columns(), utcnow())
    known = None
    if attendee_id is None:  # a known address
        known = conn.execute(_ATTENDEE_BY_EMAIL, {"email": email}).first()
        attendee_id = known.id
    event = locking.lock_event_for_registration(conn, slug)
    rules.check_open(event, utcnow())
    numbers = locking.lock_sessions(conn, event.id, request.session_ids)
    now = utcnow()  # after the locks: registrations are created in the order they got them
    sessions = queries.chosen_session_rows(conn, event.id, request.session_ids)
    previous = None
    if known is not None:
        previous = conn.execute(_PREVIOUS_REGISTRATION, {"event_id": event.id, "attendee_id": attendee_id}).first()
        if previous is not None and previous.status != RegistrationStatus.CANCELLED:
            queue_mail(email, "registration_link", locale=known.locale,
                       registration=ModelRef("Registration", previous.id), event=ModelRef("Event", event.id))
            return RegistrationResult(previous.id, created=False)
    full = rules.event_full(event.capacity, queries.places_taken(event) if event.capacity is not None else 0)
    registration_id = write_registration(
        conn, event, attendee_id, previous.id if previous else None, sessions, numbers, now=now,
        status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.PENDING,
        expires_at=locking.pending_until(now), email_confirmed_at=None,
        # The address is not proven yet: a known profile stays until the link in the e-mail is opened.
        pending_profile=request.profile.to_json() if known is not None else None,
        consent_processing_at=now, consent_processing_version=CONSENT_VERSION,
        consent_sharing_at=now if request.consent_sharing else None,
        consent_sharing_version=CONSENT_VERSION if request.consent_sharing else "")
    queue_mail(email, "confirm_registration", locale=request.profile.locale,
               registration=ModelRef("Registration", registration_id), event=ModelRef("Event", event.id))
    return RegistrationResult(registration_id, created=True)


def write_registration(conn, event, attendee_id: int, previous_id: int | None, sessions: list,
                       numbers: dict[int, int], *, now: datetime, **columns) -> int:
    """Write a registration and its enrolments (the caller holds the event's lock and the sessions' locks, whose
    waiting-list ``numbers`` come from locking.lock_sessions); returns its id.

    A registration on the event's waiting list takes the event's next number (only events with a capacity have
    one, and their registrations hold the event's lock alone); each session gives a seat while it has one to a
    registration that holds a place, else a place on its waiting list."""
    status = columns["status"]
    queue_seq = locking.next_event_number(event.id) if status == RegistrationStatus.WAITLISTED else None
    holds_place = status in HOLDS_PLACE
    places = {s.id: (EnrolmentStatus.CONFIRMED if rules.gets_seat(holds_place, s, s.taken)
                     else EnrolmentStatus.WAITLISTED, numbers[s.id]) for s in sessions}
    return store.write_registration(conn, event.id, attendee_id, previous_id, sessions, places, now=now,
                                    queue_seq=queue_seq, **columns)


# ----------------------------------------------------------------------------------------------- self-service


def confirm_email(registration: Registration) -> Registration:
    """The link in the e-mail was opened: the address is real."""
    event = locking.lock_event(registration.event_id)
    registration = queries.reload_registration(registration.id)
    if registration.status == RegistrationStatus.CANCELLED:
        db.session.rollback()
        raise RegistrationError("registration_cancelled",
                                _("This registration was cancelled or expired; please register again."), status=410)
    if registration.email_confirmed_at is None:
        if registration.pending_profile:
            store.update_attendee(registration.attendee_id,
                                  **Profile.from_json(registration.pending_profile).columns())
        confirmed = registration.status in (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)
        store.update_registration(
            registration.id, email_confirmed_at=utcnow(), expires_at=None, pending_profile=None,
            **({"status": RegistrationStatus.CONFIRMED} if confirmed else {}))
        attendee = registration.attendee
        queue_mail(attendee.email, "registration_confirmed", locale=attendee.locale, registration=registration,
                   event=event, attachments=confirmation_attachments(registration.id) if confirmed else [])
    db.session.commit()
    return registration


def enrol(registration: Registration, session_id: int) -> Enrolment:
    """Add a session to a registration: a seat, or a place on its waiting list."""
    try:
        event = locking.lock_event(registration.event_id)
        now = utcnow()
        registration = queries.reload_registration(registration.id)
        if registration.status == RegistrationStatus.CANCELLED:
            raise RegistrationError("registration_cancelled", _("This registration is cancelled."), status=410)
        rules.check_open(event, now)
        (session,) = queries.chosen_sessions(event, [session_id])
        existing = next((e for e in registration.enrolments if e.session_id == session_id), None)
        if existing is not None and existing.status != EnrolmentStatus.DROPPED:
            raise RegistrationError("already_enrolled",
                                    _("You are already down for “%(title)s”.",
                                      title=isolated(localized(session, "title"))))
        for other in registration.active_enrolments:
            if rules.overlap(other.session, session):
                raise RegistrationError(
                    "sessions_overlap",
                    _("“%(title)s” overlaps with “%(other)s”, which you have chosen. Drop that one first.",
                      title=isolated(localized(session, "title")),
                      other=isolated(localized(other.session, "title"))), field="sessions",
                    status=409)
        enrolment = locking.place_in_session(registration, session, now, existing)
        db.session.commit()
        return enrolment
    except RegistrationError:
        db.session.rollback()
        raise


def drop(registration: Registration, session_id: int) -> None:
    """Give up a seat or a waiting-list place; the first in line gets the seat."""
    locking.lock_event(registration.event_id)
    now = utcnow()
    registration = queries.reload_registration(registration.id)
    enrolment = next((e for e in registration.enrolments
                      if e.session_id == session_id and e.status != EnrolmentStatus.DROPPED), None)
    if enrolment is None:
        db.session.rollback()
        raise RegistrationError("not_enrolled", _("You are not down for this session."), status=404)
    had_seat, session = enrolment.status == EnrolmentStatus.CONFIRMED, enrolment.session
    store.drop_enrolments([enrolment.id], now)
    if had_seat:
        locking.fill_session(session, now)
    db.session.commit()


def cancel_registration(registration: Registration, reason: str = "attendee") -> None:
    if cancel_in_transaction(registration, reason):
        db.session.commit()
    else:
        db.session.rollback()


def cancel_in_transaction(registration: Registration, reason: str) -> bool:
    """Cancel under the event's lock, refill what it held and tell the person, without committing (the caller
    commits, with its own record of the action); False when it was cancelled already."""
    locking.lock_event(registration.event_id)
    registration = queries.reload_registration(registration.id)
    if registration.status == RegistrationStatus.CANCELLED:
        return False
    attendee, event = registration.attendee, registration.event
    locking.release(registration, utcnow(), reason)
    queue_mail(attendee.email, "registration_cancelled", locale=attendee.locale, registration=registration,
               event=event)
    return True


def update_profile(registration: Registration, profile: Profile, consent_sharing: bool) -> None:
    registration = queries.reload_registration(registration.id)
    store.update_attendee(registration.attendee_id, **profile.columns())
    if consent_sharing and registration.consent_sharing_at is None:
        store.update_registration(registration.id, consent_sharing_at=utcnow(),
                                  consent_sharing_version=CONSENT_VERSION)
    elif not consent_sharing:
        store.update_registration(registration.id, consent_sharing_at=None, consent_sharing_version="")
    db.session.commit()


# ----------------------------------------------------------------------------------------------- expiry


def _expire_unconfirmed_now_and_then(slug: str) -> None:
    """Expire before registering, in its own transaction under the event's lock alone, but at most every
    EXPIRY_CHECK_SECONDS per event and process; `flask --app wsgi expire` (cron) does the rest."""
    interval = current_app.config["EXPIRY_CHECK_SECONDS"]
    checks = locking.process_state()["expiry_checks"]
    clock = time.monotonic()
    if interval and clock - checks.get(slug, -interval) < interval:
        return
    checks[slug] = clock
    event = queries.get_published_event(slug)
    if event is not None:
        _expire_unconfirmed(locking.lock_event(event.id), utcnow())
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
        attendee = registration.attendee
        locking.release(registration, now, "expired")
        queue_mail(attendee.email, "registration_cancelled", locale=attendee.locale, registration=registration,
                   event=event)
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
        event = locking.lock_event(event_id)
        total += _expire_unconfirmed(event, now)
        db.session.commit()
    return total
