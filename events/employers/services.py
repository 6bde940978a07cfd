"""Rules for partners, employer contacts, employer profiles and workshop slot booking.

Double booking of a workshop slot is prevented twice over: the slot's row is locked while a booking is made
(``SELECT … FOR UPDATE``; ``BEGIN IMMEDIATE`` on SQLite), and ``workshop_booking.holding_slot_id`` is UNIQUE, so
even a path that forgot the lock cannot store two bookings holding one slot.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.extensions import db, utcnow
from app.mail import queue_mail
from events.employers.models import (HOLDS_SLOT, BookingStatus, EmployerInvitation, EmployerProfile,
                                     PartnerCandidacy, WorkshopBooking, WorkshopSlot)
from events.registration import locking, store
from events.registration.models import Enrolment, EnrolmentStatus
from events.programme.models import Event, Room, Session, SessionKind, SessionStatus
from events.employers.models import EventPartner, Organisation, OrganisationKind, PartnerRole, PartnerStatus

INVITATION_DAYS = 14


class EmployerError(Exception):
    """A rule said no; ``field`` names the form field the message belongs to."""

    def __init__(self, code: str, message: str, field: str | None = None, status: int = 409):
        super().__init__(message)
        self.code, self.message, self.field, self.status = code, message, field, status


def _fail(code: str, message: str, field: str | None = None, status: int = 409):
    db.session.rollback()
    raise EmployerError(code, message, field, status)


# ------------------------------------------------------------------------------------------ partners


@dataclass
class Candidacy:
    organisation_name: str
    kind: str
    website: str
    contact_name: str
    contact_email: str
    role: str
    offers: str = ""
    message: str = ""


def organisation_by_name(name: str) -> Organisation | None:
    return db.session.scalars(
        select(Organisation).where(func.lower(Organisation.name) == name.strip().lower())).first()


def apply_as_partner(event: Event, candidacy: Candidacy) -> EventPartner:
    """Record an organisation's candidacy for the event (status applied) and acknowledge it by e-mail."""
    organisation = organisation_by_name(candidacy.organisation_name)
    if organisation is None:
        organisation = Organisation(name=candidacy.organisation_name.strip(), kind=OrganisationKind(candidacy.kind),
                                    website=candidacy.website)
        db.session.add(organisation)
        db.session.flush()
    partner = db.session.scalars(select(EventPartner).where(
        EventPartner.event_id == event.id, EventPartner.organisation_id == organisation.id)).first()
    if partner is not None and partner.status in (PartnerStatus.APPLIED, PartnerStatus.ACCEPTED):
        _fail("already_applied", _("This organisation has already applied for this welcome day; we will be in touch."),
              field="organisation_name")
    if partner is None:
        partner = EventPartner(event=event, organisation=organisation)
        db.session.add(partner)
    partner.role = PartnerRole(candidacy.role)
    partner.status = PartnerStatus.APPLIED
    partner.created_at = utcnow()
    if partner.candidacy is not None:  # applying again after a decline or withdrawal
        db.session.delete(partner.candidacy)
        db.session.flush()
    partner.candidacy = PartnerCandidacy(contact_name=candidacy.contact_name,
                                         contact_email=candidacy.contact_email.strip().lower(),
                                         offers=candidacy.offers, message=candidacy.message,
                                         locale=str(get_locale() or "en"))  # the language the form was written in
    queue_mail(partner.candidacy.contact_email, "partner_applied", event=event, partner=partner,
               locale=partner.candidacy.locale)
    if event.contact_email:
        queue_mail(event.contact_email, "partner_applied_staff", event=event, partner=partner)
    try:
        db.session.commit()
    except IntegrityError:  # the same organisation applied twice at the same moment
        _fail("already_applied", _("This organisation has already applied for this welcome day."),
              field="organisation_name")
    return partner


def partners_of(event: Event) -> list[EventPartner]:
    return list(db.session.scalars(
        select(EventPartner).where(EventPartner.event_id == event.id)
        .options(selectinload(EventPartner.organisation)).order_by(EventPartner.status, EventPartner.created_at)))


def contacts_of(organisation_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.organisation_id == organisation_id,
                                                      User.active.is_(True)).order_by(User.email)))


def decide_candidacy(event: Event, partner_id: int, accept: bool, message: str, staff: User) -> EventPartner:
    """Accept or decline; accepting invites the contact person as the organisation's first employer contact."""
    partner = db.session.scalars(select(EventPartner).where(EventPartner.id == partner_id,
                                                            EventPartner.event_id == event.id)
                                 .with_for_update()).first()
    if partner is None:
        _fail("not_found", _("No such candidacy."), status=404)
    if partner.status != PartnerStatus.APPLIED:
        _fail("already_decided", _("This candidacy has been decided already."))
    now = utcnow()
    partner.status = PartnerStatus.ACCEPTED if accept else PartnerStatus.DECLINED
    candidacy = partner.candidacy
    email = candidacy.contact_email if candidacy else None
    if candidacy is not None:
        candidacy.decision_message, candidacy.decided_at, candidacy.decided_by_id = message, now, staff.id
    if email:
        queue_mail(email, "partner_accepted" if accept else "partner_declined", event=event, partner=partner,
                   message=message, locale=candidacy.locale)
        if accept and not _user_with_email(email):
            _create_invitation(partner.organisation, email, candidacy.contact_name, staff, locale=candidacy.locale)
    db.session.commit()
    return partner


def _user_with_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == email.strip().lower())).first()


# ------------------------------------------------------------------------------------------ contacts


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _create_invitation(organisation: Organisation, email: str, name: str, invited_by: User | None,
                       locale: str = "en") -> EmployerInvitation:
    token = secrets.token_urlsafe(32)
    invitation = EmployerInvitation(organisation=organisation, email=email.strip().lower(), name=name,
                                    token_hash=_hash(token), invited_by_id=invited_by.id if invited_by else None,
                                    expires_at=utcnow() + timedelta(days=INVITATION_DAYS), locale=locale)
    db.session.add(invitation)
    queue_mail(invitation.email, "employer_invitation", invitation=invitation, organisation=organisation,
               token=token, days=INVITATION_DAYS, locale=locale)
    return invitation


def invite_contact(organisation: Organisation, email: str, name: str, invited_by: User) -> EmployerInvitation:
    """Invite another contact person (staff, or a contact of the same organisation)."""
    if not (invited_by.organisation_id == organisation.id or invited_by.is_admin or _staff_of(invited_by,
                                                                                              organisation)):
        _fail("forbidden", _("You cannot invite contacts for this organisation."), status=403)
    if _user_with_email(email):
        _fail("email_taken", _("This e-mail address has an account already."), field="email")
    invitation = _create_invitation(organisation, email, name, invited_by, locale=invited_by.locale or "en")
    db.session.commit()
    return invitation


def _staff_of(user: User, organisation: Organisation) -> bool:
    return any(user.is_staff_for(p.event_id) for p in organisation.partnerships)


def invitation_by_token(token: str) -> EmployerInvitation | None:
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalars(
        select(EmployerInvitation).where(EmployerInvitation.token_hash == _hash(token))).first()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(token: str, name: str, password: str) -> User:
    invitation = invitation_by_token(token)
    if invitation is None:
        _fail("invitation_invalid", _("This invitation is not valid any more. Ask for a new one."), status=410)
    if len(password) < 10:
        _fail("password_short", _("The password needs at least 10 characters."), field="password", status=422)
    if _user_with_email(invitation.email):
        _fail("email_taken", _("This e-mail address has an account already: log in instead."), field="password")
    user = User(email=invitation.email, name=name or invitation.name, organisation_id=invitation.organisation_id,
                locale=invitation.locale)
    user.set_password(password)  # werkzeug's default: scrypt
    db.session.add(user)
    db.session.flush()
    invitation.accepted_at, invitation.user_id = utcnow(), user.id
    try:
        db.session.commit()
    except IntegrityError:
        _fail("email_taken", _("This e-mail address has an account already: log in instead."), field="password")
    return user


def employer_events(organisation_id: int) -> list[EventPartner]:
    """The welcome days the organisation takes part in (accepted)."""
    return list(db.session.scalars(
        select(EventPartner).join(Event).where(EventPartner.organisation_id == organisation_id,
                                               EventPartner.status == PartnerStatus.ACCEPTED)
        .options(selectinload(EventPartner.event)).order_by(Event.starts_at)))


def is_accepted_partner(organisation_id: int, event_id: int) -> bool:
    return db.session.scalar(select(func.count()).select_from(EventPartner).where(
        EventPartner.organisation_id == organisation_id, EventPartner.event_id == event_id,
        EventPartner.status == PartnerStatus.ACCEPTED)) > 0


# ------------------------------------------------------------------------------------------ profile


@dataclass
class ProfileData:
    sectors: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)
    fields_of_study: list[str] = field(default_factory=list)
    degree_levels: list[str] = field(default_factory=list)
    required_languages: dict[str, str] = field(default_factory=dict)
    visa_support: bool = False
    blue_card_support: bool = False
    description: str = ""


def profile_for(organisation_id: int) -> EmployerProfile:
    """The stored profile, or an empty unsaved one."""
    profile = db.session.scalars(
        select(EmployerProfile).where(EmployerProfile.organisation_id == organisation_id)).first()
    return profile or EmployerProfile(organisation_id=organisation_id, sectors=[], locations=[], offers=[],
                                      fields_of_study=[], degree_levels=[], required_languages={},
                                      visa_support=False, blue_card_support=False)


def save_profile(organisation_id: int, data: ProfileData) -> EmployerProfile:
    profile = profile_for(organisation_id)
    for name in ("sectors", "locations", "offers", "fields_of_study", "degree_levels", "required_languages",
                 "visa_support", "blue_card_support"):
        setattr(profile, name, getattr(data, name))
    db.session.add(profile)
    organisation = db.session.get(Organisation, organisation_id)
    organisation.description = data.description
    db.session.commit()
    return profile


# ------------------------------------------------------------------------------------------ workshop slots


def create_slot(event: Event, room_id: int, starts_at: datetime, ends_at: datetime,
                withdraw_deadline: datetime) -> WorkshopSlot:
    room = db.session.get(Room, room_id)
    if room is None or room.event_id != event.id:
        _fail("room_not_found", _("Choose a room of this welcome day."), field="room_id", status=422)
    if ends_at <= starts_at:
        _fail("bad_times", _("The end must be after the start."), field="ends_at", status=422)
    if withdraw_deadline > starts_at:
        _fail("bad_deadline", _("The withdrawal deadline must be before the start."), field="withdraw_deadline",
              status=422)
    clash = db.session.scalars(select(WorkshopSlot).where(
        WorkshopSlot.room_id == room_id, WorkshopSlot.starts_at < ends_at, WorkshopSlot.ends_at > starts_at)).first()
    if clash is not None:
        _fail("slot_overlaps", _("This room has a slot at that time already."), field="starts_at", status=422)
    slot = WorkshopSlot(event_id=event.id, room_id=room_id, starts_at=starts_at, ends_at=ends_at,
                        withdraw_deadline=withdraw_deadline)
    db.session.add(slot)
    try:
        db.session.commit()
    except IntegrityError:
        _fail("slot_overlaps", _("This room has a slot at that time already."), field="starts_at", status=422)
    return slot


def delete_slot(event: Event, slot_id: int) -> None:
    slot = _slot_of(event, slot_id, lock=True)
    if _holding_booking(slot.id) is not None:
        _fail("slot_booked", _("This slot is booked; decline or withdraw the booking first."))
    db.session.delete(slot)
    db.session.commit()


@dataclass(frozen=True)
class SlotView:
    slot: WorkshopSlot
    booking: WorkshopBooking | None  # the booking holding it, if any


def slots_of(event: Event) -> list[SlotView]:
    slots = list(db.session.scalars(select(WorkshopSlot).where(WorkshopSlot.event_id == event.id)
                                    .options(selectinload(WorkshopSlot.room))
                                    .order_by(WorkshopSlot.starts_at, WorkshopSlot.room_id)))
    holding = {b.holding_slot_id: b for b in db.session.scalars(
        select(WorkshopBooking).where(WorkshopBooking.holding_slot_id.in_([s.id for s in slots])))} if slots else {}
    return [SlotView(s, holding.get(s.id)) for s in slots]


def _slot_of(event: Event, slot_id: int, lock: bool = False) -> WorkshopSlot:
    query = select(WorkshopSlot).where(WorkshopSlot.id == slot_id, WorkshopSlot.event_id == event.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    slot = db.session.scalars(query).first()
    if slot is None:
        _fail("slot_not_found", _("No such slot."), status=404)
    return slot


def _holding_booking(slot_id: int) -> WorkshopBooking | None:
    return db.session.scalars(select(WorkshopBooking).where(WorkshopBooking.holding_slot_id == slot_id)).first()


@dataclass
class WorkshopRequest:
    title: str
    abstract: str
    language: str
    capacity: int


def book_slot(user: User, event: Event, slot_id: int, request: WorkshopRequest) -> WorkshopBooking:
    """An employer contact books a free slot (status requested, waiting for staff)."""
    if not user.is_employer or not is_accepted_partner(user.organisation_id, event.id):
        _fail("forbidden", _("Only partners of this welcome day can book workshop slots."), status=403)
    slot = _slot_of(event, slot_id, lock=True)
    if slot.starts_at <= utcnow():
        _fail("slot_past", _("This slot has started already."))
    room_capacity = slot.room.capacity
    if request.capacity < 1 or (room_capacity is not None and request.capacity > room_capacity):
        _fail("capacity", _("The room holds %(num)d people; choose at most that.", num=room_capacity), field="capacity",
              status=422)
    if _holding_booking(slot.id) is not None:
        _fail("slot_taken", _("Sorry, somebody booked this slot a moment ago. Please choose another one."))
    booking = WorkshopBooking(slot_id=slot.id, holding_slot_id=slot.id, organisation_id=user.organisation_id,
                              title=request.title, abstract=request.abstract, language=request.language,
                              capacity=request.capacity, created_by_id=user.id)
    db.session.add(booking)
    try:
        db.session.commit()
    except IntegrityError:  # lost the race at the UNIQUE constraint
        _fail("slot_taken", _("Sorry, somebody booked this slot a moment ago. Please choose another one."))
    return booking


def bookings_of_organisation(organisation_id: int, event: Event) -> list[WorkshopBooking]:
    return list(db.session.scalars(
        select(WorkshopBooking).join(WorkshopSlot, WorkshopSlot.id == WorkshopBooking.slot_id)
        .where(WorkshopBooking.organisation_id == organisation_id, WorkshopSlot.event_id == event.id)
        .order_by(WorkshopSlot.starts_at)))


def bookings_of_event(event: Event) -> list[WorkshopBooking]:
    return list(db.session.scalars(
        select(WorkshopBooking).join(WorkshopSlot, WorkshopSlot.id == WorkshopBooking.slot_id)
        .where(WorkshopSlot.event_id == event.id)
        .options(selectinload(WorkshopBooking.organisation))
        .order_by(WorkshopBooking.status, WorkshopSlot.starts_at)))


def _booking_of(event: Event, booking_id: int) -> WorkshopBooking:
    booking = db.session.scalars(
        select(WorkshopBooking).join(WorkshopSlot, WorkshopSlot.id == WorkshopBooking.slot_id)
        .where(WorkshopBooking.id == booking_id, WorkshopSlot.event_id == event.id)
        .with_for_update(of=WorkshopBooking).execution_options(populate_existing=True)).first()
    if booking is None:
        _fail("not_found", _("No such booking."), status=404)
    return booking


def decide_booking(event: Event, booking_id: int, approve: bool, message: str, staff: User) -> WorkshopBooking:
    """Approve (the workshop enters the public programme and takes registrations) or decline (slot free)."""
    locking.lock_event(event.id)
    booking = _booking_of(event, booking_id)
    if booking.status != BookingStatus.REQUESTED:
        _fail("already_decided", _("This booking has been decided already."))
    now = utcnow()
    booking.decided_at, booking.staff_message = now, message
    if approve:
        slot = booking.slot
        session = Session(event_id=event.id, kind=SessionKind.WORKSHOP, title=booking.title,
                          abstract=booking.abstract, starts_at=slot.starts_at, ends_at=slot.ends_at,
                          room_id=slot.room_id, capacity=booking.capacity, language=booking.language,
                          host_organisation_id=booking.organisation_id,
                          speakers=booking.organisation.name, needs_seat=True)
        db.session.add(session)
        db.session.flush()
        booking.session_id = session.id
        booking.status = BookingStatus.APPROVED
    else:
        booking.status = BookingStatus.DECLINED
        booking.holding_slot_id = None
    for contact in contacts_of(booking.organisation_id):
        queue_mail(contact.email, "workshop_decided", locale=contact.locale, event=event, booking=booking,
                   approved=approve, message=message)
    db.session.commit()
    return booking


def withdraw_booking(user: User, event: Event, booking_id: int, now: datetime | None = None) -> WorkshopBooking:
    """The employer withdraws before the slot's deadline; enrolled attendees are told, their seats dropped."""
    locking.lock_event(event.id)
    booking = _booking_of(event, booking_id)
    if booking.organisation_id != user.organisation_id:
        _fail("not_found", _("No such booking."), status=404)
    if booking.status not in HOLDS_SLOT:
        _fail("not_active", _("This booking is not active."))
    now = now or utcnow()
    if now >= booking.slot.withdraw_deadline:
        _fail("too_late", _("The deadline for withdrawing has passed; please write to the organisers."))
    booking.status, booking.withdrawn_at, booking.holding_slot_id = BookingStatus.WITHDRAWN, now, None
    session = booking.session
    if session is not None and session.status != SessionStatus.CANCELLED:
        session.status = SessionStatus.CANCELLED
        enrolments = db.session.scalars(select(Enrolment).where(
            Enrolment.session_id == session.id, Enrolment.status != EnrolmentStatus.DROPPED)).all()
        registrations = [enrolment.registration for enrolment in enrolments]
        store.drop_enrolments([enrolment.id for enrolment in enrolments], now)
        for registration in registrations:
            attendee = registration.attendee
            queue_mail(attendee.email, "workshop_cancelled", locale=attendee.locale, event=event, session=session,
                       registration=registration)
    db.session.commit()
    return booking
