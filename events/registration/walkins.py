"""Walk-ins: door staff register someone standing in front of them, in one transaction with its audit entry.

The registration takes the path every registration takes (``services.write_registration`` under the event's
lock, every write through store.py) with the consent of the public form (its text and ``CONSENT_VERSION``). The
day's capacity holds: a full day takes a walk-in only when staff say so explicitly (``override``) and say why.
A person already registered (the same address) is found and nothing is written: staff see them and check them
in. The check-in and the badge label are the door's (badges/door/walkins.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit import audit
from app.extensions import db, utcnow
from app.mail import queue_mail
from events.programme.models import Event
from events.registration import locking, queries, rules, services, store
from events.registration.models import Attendee, Registration, RegistrationStatus
from events.registration.profile import Profile


class WalkInError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass
class WalkIn:
    email: str
    full_name: str
    consent_processing: bool
    country: str = ""
    university: str = ""
    locale: str = "en"


@dataclass(frozen=True)
class WalkInResult:
    registration_id: int
    returning: bool  # the address was registered for this day already: nothing was written
    overbooked: bool = False

    @property
    def registration(self) -> Registration:
        return db.session.get(Registration, self.registration_id)


def registration_of(event: Event, email: str) -> Registration | None:
    """This day's registration of the address, cancelled or not."""
    return db.session.scalars(select(Registration).join(Attendee, Attendee.id == Registration.attendee_id).where(
        Registration.event_id == event.id, Attendee.email == email.strip().lower())).first()


def register_walk_in(event: Event, data: WalkIn, *, override: bool = False, reason: str = "") -> WalkInResult:
    """Register a walk-in (confirmed at once: staff see the person), or find them when they are registered."""
    if not data.consent_processing:
        raise WalkInError("consent_required", _("We cannot register this person without their consent."),
                          field="consent_processing")
    try:
        result = _register(event, data, override, reason.strip())
    except WalkInError:
        db.session.rollback()
        raise
    if result.returning:
        db.session.rollback()  # nothing was written; the event's lock goes
    else:
        db.session.commit()
    return result


def _register(event: Event, data: WalkIn, override: bool, reason: str) -> WalkInResult:
    email = data.email.strip().lower()
    conn = db.session.connection()
    # A new address gets what staff typed; a known one keeps the profile its owner wrote (as at the desk).
    attendee_id = store.add_attendee(conn, email, Profile(
        full_name=data.full_name, badge_name=data.full_name[:80], country=data.country,
        university=data.university, locale=data.locale).columns(), utcnow())
    locale = data.locale
    if attendee_id is None:
        attendee_id, locale = db.session.execute(
            select(Attendee.id, Attendee.locale).where(Attendee.email == email)).one()
    locked = locking.lock_event(event.id)
    previous = db.session.execute(select(Registration.id, Registration.status).where(
        Registration.event_id == event.id, Registration.attendee_id == attendee_id)).first()
    if previous is not None and previous.status != RegistrationStatus.CANCELLED:
        return WalkInResult(previous.id, returning=True)
    taken = queries.places_taken(locked) if locked.capacity is not None else 0
    full = rules.event_full(locked.capacity, taken)
    if full and not override:
        raise WalkInError("day_full", _("The day is full (%(taken)d of %(capacity)d places taken). To register this "
                                        "person anyway, tick “Beyond the capacity” and give a reason.",
                                        taken=taken, capacity=locked.capacity), field="override")
    if full and not reason:
        raise WalkInError("reason_required", _("Please say why the day may have more people than places."),
                          field="reason")
    now = utcnow()
    registration_id = services.write_registration(
        conn, locked, attendee_id, previous.id if previous else None, [], {}, now=now,
        status=RegistrationStatus.CONFIRMED, email_confirmed_at=now, expires_at=None, pending_profile=None,
        consent_processing_at=now, consent_processing_version=services.CONSENT_VERSION,
        consent_sharing_at=None, consent_sharing_version="", walk_in=True)
    registration = db.session.get(Registration, registration_id)
    queue_mail(email, "registration_confirmed", locale=locale, registration=registration, event=locked,
               attachments=services.confirmation_attachments(registration_id))
    after = {"status": registration.status.value, "email": email, "walk_in": True}
    if full:
        after.update(places=f"{taken + 1}/{locked.capacity}", reason=reason[:300])
    audit("registration.walk_in", registration, None, after)
    return WalkInResult(registration_id, returning=False, overbooked=full)
