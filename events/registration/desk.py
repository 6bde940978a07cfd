"""Staff actions on registrations: search, register by hand, seats and waiting lists, mails, cancelling.

Staff decisions may go beyond a capacity (the person is standing at the desk); the rules of events.registration
still hold for everything else, under the same lock protocol (locking.py), and every write goes through store.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.audit import audit
from app.extensions import db, utcnow
from app.mail import queue_mail
from app.security import isolated
from app.text import sql_matches
from events.programme.models import Event, Session
from events.registration import locking, queries, rules, services, store
from events.registration.models import Attendee, Enrolment, EnrolmentStatus, Registration, RegistrationStatus
from events.registration.profile import Profile
from events.registration.rules import RegistrationError

SORTS = {
    "newest": (Registration.created_at.desc(), Registration.id.desc()),
    "oldest": (Registration.created_at.asc(), Registration.id.asc()),
    "name": (func.lower(Attendee.full_name).asc(), Registration.id.asc()),
    "country": (Attendee.country.asc(), func.lower(Attendee.full_name).asc()),
    "status": (Registration.status.asc(), Registration.queue_seq.asc(), Registration.id.asc()),
}
PAGE_SIZE = 50


class StaffError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class SearchResult:
    rows: list[Registration]
    total: int
    page: int
    pages: int


def search(event: Event, *, q: str = "", status: str = "", session_id: int | None = None, country: str = "",
           sort: str = "newest", page: int = 1) -> SearchResult:
    query = (select(Registration).join(Attendee, Attendee.id == Registration.attendee_id)
             .where(Registration.event_id == event.id))
    if q:  # case, accents and script ignored: "muller" finds "Müller", "zhang" finds "张伟"
        query = query.where(sql_matches(Attendee.search_key, q))
    if status in {s.value for s in RegistrationStatus}:
        query = query.where(Registration.status == RegistrationStatus(status))
    if session_id:
        query = query.where(Registration.id.in_(
            select(Enrolment.registration_id).where(Enrolment.session_id == session_id,
                                                    Enrolment.status != EnrolmentStatus.DROPPED)))
    if country:
        query = query.where(Attendee.country == country.upper()[:2])
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = list(db.session.scalars(
        query.order_by(*SORTS.get(sort, SORTS["newest"])).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        .options(selectinload(Registration.attendee),
                 selectinload(Registration.enrolments).selectinload(Enrolment.session))))
    return SearchResult(rows, total, page, pages)


def registration_for(event: Event, registration_id: int) -> Registration | None:
    registration = db.session.get(Registration, registration_id)
    return registration if registration is not None and registration.event_id == event.id else None


def _state(registration: Registration) -> dict:
    return {"status": registration.status.value,
            "enrolments": {str(e.session_id): e.status.value for e in registration.enrolments}}


# ----------------------------------------------------------------------------------------------- by hand


@dataclass
class HandRegistration:
    email: str
    full_name: str
    badge_name: str = ""
    country: str = ""
    university: str = ""
    locale: str = "en"
    session_ids: tuple[int, ...] = ()


def register_by_hand(event: Event, data: HandRegistration, *, mail: bool = True,
                     confirmed: bool = True) -> Registration:
    """Staff register someone (at the desk, on the phone, from a list): a place even when the day is full.

    ``confirmed`` False (imports) keeps the double opt-in: the person confirms the address from the e-mail.
    """
    email = data.email.strip().lower()
    # A new address gets what staff typed; a known one keeps the profile its owner wrote.
    conn = db.session.connection()
    attendee_id = store.add_attendee(conn, email, Profile(
        full_name=data.full_name, badge_name=data.badge_name or data.full_name[:80], country=data.country,
        university=data.university, locale=data.locale).columns(), utcnow())
    locale = data.locale
    if attendee_id is None:
        attendee_id, locale = db.session.execute(
            select(Attendee.id, Attendee.locale).where(Attendee.email == email)).one()
    locked = locking.lock_event(event.id)
    try:
        numbers = locking.lock_sessions(conn, event.id, list(data.session_ids))
        sessions = queries.chosen_session_rows(conn, event.id, list(data.session_ids))
    except RegistrationError as exc:
        raise StaffError(exc.message, field="sessions") from exc
    now = utcnow()
    previous = db.session.execute(select(Registration.id, Registration.status).where(
        Registration.event_id == event.id, Registration.attendee_id == attendee_id)).first()
    if previous is not None and previous.status != RegistrationStatus.CANCELLED:
        raise StaffError(_("%(email)s is already registered for this day.", email=isolated(email)), field="email")
    registration_id = services.write_registration(
        conn, locked, attendee_id, previous.id if previous else None, sessions, numbers, now=now,
        status=RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.PENDING,
        email_confirmed_at=now if confirmed else None, expires_at=None if confirmed else locking.pending_until(now),
        pending_profile=None, consent_processing_at=now,
        consent_processing_version=f"{services.CONSENT_VERSION} (staff)",
        consent_sharing_at=None, consent_sharing_version="")
    registration = db.session.get(Registration, registration_id)
    if mail:
        template = "registration_confirmed" if confirmed else "confirm_registration"
        queue_mail(email, template, locale=locale, registration=registration, event=event)
    audit("registration.create", registration, None, {**_state(registration), "email": email})
    return registration


def register_by_hand_and_commit(event: Event, data: HandRegistration) -> Registration:
    try:
        registration = register_by_hand(event, data)
    except StaffError:
        db.session.rollback()
        raise
    db.session.commit()
    return registration


# ----------------------------------------------------------------------------------------------- moves


def _enrolment(registration: Registration, session_id: int) -> Enrolment:
    enrolment = next((e for e in registration.enrolments
                      if e.session_id == session_id and e.status != EnrolmentStatus.DROPPED), None)
    if enrolment is None:
        raise StaffError(_("This person is not down for this session."))
    return enrolment


def give_seat(registration: Registration, session_id: int, *, override: bool = False,
              reason: str = "") -> Enrolment:
    """Move someone from a session's waiting list to a seat. A full session takes one more only when staff say
    so explicitly (``override``) and say why: the session then shows as overbooked."""
    locking.lock_event(registration.event_id)
    registration = queries.reload_registration(registration.id)
    try:
        enrolment = _enrolment(registration, session_id)
        if enrolment.status == EnrolmentStatus.CONFIRMED:
            raise StaffError(_("This person already has a seat."))
        if not registration.holds_place:
            raise StaffError(_("Give this person a place at the day first."))
        seats = queries.seats_for(enrolment.session)
        over = seats.seats_left == 0
        if over and not override:
            raise StaffError(_("“%(title)s” is full (%(taken)d of %(capacity)d seats taken). To seat this person "
                               "anyway, tick “Beyond the capacity” and give a reason.",
                               title=isolated(enrolment.session.title), taken=seats.taken,
                               capacity=enrolment.session.capacity), field="override")
        if over and not reason.strip():
            raise StaffError(_("Please say why this session may have more people than seats."), field="reason")
    except StaffError:
        db.session.rollback()
        raise
    before = _state(registration)
    store.set_enrolment_status([enrolment.id], EnrolmentStatus.CONFIRMED, utcnow())
    queue_mail(registration.attendee.email, "seat_confirmed", locale=registration.attendee.locale,
               registration=registration, session=enrolment.session, event=registration.event)
    after = _state(registration)
    if over:
        after.update(session_id=session_id, seats=f"{seats.taken + 1}/{enrolment.session.capacity}",
                     reason=reason.strip())
    audit("enrolment.overbook" if over else "enrolment.seat", registration, before, after)
    db.session.commit()
    return enrolment


def move_to_waitlist(registration: Registration, session_id: int) -> Enrolment:
    """Take someone's seat and put them at the end of the session's waiting list; the first in line moves up."""
    locking.lock_event(registration.event_id)
    registration = queries.reload_registration(registration.id)
    try:
        enrolment = _enrolment(registration, session_id)
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            raise StaffError(_("This person is already on the waiting list."))
    except StaffError:
        db.session.rollback()
        raise
    before = _state(registration)
    now = utcnow()
    # The seat is given away before the person joins the line, so it goes to whoever was first.
    session = enrolment.session
    store.drop_enrolments([enrolment.id], now)
    locking.fill_session(session, now)
    store.set_enrolment_status([enrolment.id], EnrolmentStatus.WAITLISTED, now,
                               queue_seq=locking.next_session_number(session.id))
    audit("enrolment.waitlist", registration, before, _state(registration))
    db.session.commit()
    return enrolment


def give_place(registration: Registration) -> Registration:
    """Take someone off the event's waiting list and give them a place, even beyond the capacity."""
    event = locking.lock_event(registration.event_id)
    registration = queries.reload_registration(registration.id)
    if registration.status != RegistrationStatus.WAITLISTED:
        db.session.rollback()
        raise StaffError(_("Only people on the waiting list can be given a place."))
    before = _state(registration)
    locking.give_place(registration, event, utcnow())
    audit("registration.place", registration, before, _state(registration))
    db.session.commit()
    return registration


RESENDABLE = ("registration_link", "confirm_registration", "registration_confirmed")


def resend(registration: Registration, template: str) -> None:
    if template not in RESENDABLE:
        raise StaffError(_("Unknown e-mail."))
    if registration.status == RegistrationStatus.CANCELLED:
        raise StaffError(_("This registration is cancelled."))
    attachments = []
    if template == "registration_confirmed" and registration.status == RegistrationStatus.CONFIRMED:
        attachments = services.confirmation_attachments(registration.id)
    queue_mail(registration.attendee.email, template, locale=registration.attendee.locale,
               registration=registration, event=registration.event, attachments=attachments)
    audit("registration.resend", registration, None, {"template": template})
    db.session.commit()


def cancel(registration: Registration) -> None:
    if registration.status == RegistrationStatus.CANCELLED:
        raise StaffError(_("This registration is already cancelled."))
    before = _state(registration)
    services.cancel_in_transaction(registration, reason="staff")  # one transaction with its audit entry
    db.session.refresh(registration)
    audit("registration.cancel", registration, before, _state(registration))
    db.session.commit()


def reinstate(registration: Registration) -> Registration:
    """Undo a cancellation, in one transaction with its audit entry: the person gets a place at the day again
    (the event's waiting list when the day is full) and the sessions they held when it was cancelled, each a
    seat if one is free, else a place at the end of its waiting list. The personal link works again."""
    event = locking.lock_event(registration.event_id)
    registration = queries.reload_registration(registration.id)
    if registration.status != RegistrationStatus.CANCELLED:
        db.session.rollback()
        raise StaffError(_("Only a cancelled registration can be reinstated."))
    before, now = _state(registration), utcnow()
    cancelled_at = registration.cancelled_at
    held = [e for e in registration.enrolments if e.status == EnrolmentStatus.DROPPED and not e.session.is_cancelled
            and (cancelled_at is None or e.updated_at >= cancelled_at)]
    confirmed = registration.email_confirmed_at is not None  # else the double opt-in starts again
    values = {"expires_at": None if confirmed else locking.pending_until(now), "queue_seq": None}
    if rules.event_full(event.capacity, queries.places_taken(event) if event.capacity is not None else 0):
        status, values["queue_seq"] = RegistrationStatus.WAITLISTED, locking.next_event_number(event.id)
    else:
        status = RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.PENDING
    store.reinstate_registration(registration.id, now, status, **values)
    for enrolment in sorted(held, key=lambda e: e.session_id):
        locking.place_in_session(registration, enrolment.session, now, enrolment)
    attendee = registration.attendee
    queue_mail(attendee.email, "registration_confirmed" if confirmed else "confirm_registration",
               locale=attendee.locale, registration=registration, event=event,
               attachments=services.confirmation_attachments(registration.id)
               if status == RegistrationStatus.CONFIRMED else [])
    audit("registration.reinstate", registration, before, _state(registration))
    db.session.commit()
    return registration


def session_choices(event: Event) -> list[Session]:
    return [s for s in event.sessions if not s.is_cancelled]
