"""Workshop slots and their booking by employers; staff decide, employers may withdraw before the deadline.

Double booking of a workshop slot is prevented twice over: the slot's row is locked while a booking is made
(``SELECT … FOR UPDATE``; ``BEGIN IMMEDIATE`` on SQLite), and ``workshop_booking.holding_slot_id`` is UNIQUE, so
even a path that forgot the lock cannot store two bookings holding one slot.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.extensions import db, utcnow
from app.mail import queue_mail
from events.employers.errors import refuse
from events.employers.models import HOLDS_SLOT, BookingStatus, WorkshopBooking, WorkshopSlot
from events.employers.partnerships import contacts_of, is_accepted_partner
from events.registration import locking, store
from events.registration.models import Enrolment, EnrolmentStatus
from events.programme.models import Event, Room, Session, SessionKind, SessionStatus


def create_slot(event: Event, room_id: int, starts_at: datetime, ends_at: datetime,
                withdraw_deadline: datetime) -> WorkshopSlot:
    room = db.session.get(Room, room_id)
    if room is None or room.event_id != event.id:
        refuse("room_not_found", _("Choose a room of this welcome day."), field="room_id", status=422)
    if ends_at <= starts_at:
        refuse("bad_times", _("The end must be after the start."), field="ends_at", status=422)
    if withdraw_deadline > starts_at:
        refuse("bad_deadline", _("The withdrawal deadline must be before the start."), field="withdraw_deadline",
               status=422)
    clash = db.session.scalars(select(WorkshopSlot).where(
        WorkshopSlot.room_id == room_id, WorkshopSlot.starts_at < ends_at, WorkshopSlot.ends_at > starts_at)).first()
    if clash is not None:
        refuse("slot_overlaps", _("This room has a slot at that time already."), field="starts_at", status=422)
    slot = WorkshopSlot(event_id=event.id, room_id=room_id, starts_at=starts_at, ends_at=ends_at,
                        withdraw_deadline=withdraw_deadline)
    db.session.add(slot)
    try:
        db.session.commit()
    except IntegrityError:
        refuse("slot_overlaps", _("This room has a slot at that time already."), field="starts_at", status=422)
    return slot


def delete_slot(event: Event, slot_id: int) -> None:
    slot = _slot_of(event, slot_id, lock=True)
    if _holding_booking(slot.id) is not None:
        refuse("slot_booked", _("This slot is booked; decline or withdraw the booking first."))
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
        refuse("slot_not_found", _("No such slot."), status=404)
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
        refuse("forbidden", _("Only partners of this welcome day can book workshop slots."), status=403)
    slot = _slot_of(event, slot_id, lock=True)
    if slot.starts_at <= utcnow():
        refuse("slot_past", _("This slot has started already."))
    room_capacity = slot.room.capacity
    if request.capacity < 1 or (room_capacity is not None and request.capacity > room_capacity):
        refuse("capacity", _("The room holds %(num)d people; choose at most that.", num=room_capacity), field="capacity",
               status=422)
    if _holding_booking(slot.id) is not None:
        refuse("slot_taken", _("Sorry, somebody booked this slot a moment ago. Please choose another one."))
    booking = WorkshopBooking(slot_id=slot.id, holding_slot_id=slot.id, organisation_id=user.organisation_id,
                              title=request.title, abstract=request.abstract, language=request.language,
                              capacity=request.capacity, created_by_id=user.id)
    db.session.add(booking)
    try:
        db.session.commit()
    except IntegrityError:  # lost the race at the UNIQUE constraint
        refuse("slot_taken", _("Sorry, somebody booked this slot a moment ago. Please choose another one."))
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
        refuse("not_found", _("No such booking."), status=404)
    return booking


def decide_booking(event: Event, booking_id: int, approve: bool, message: str, staff: User) -> WorkshopBooking:
    """Approve (the workshop enters the public programme and takes registrations) or decline (slot free)."""
    locking.lock_event(event.id)
    booking = _booking_of(event, booking_id)
    if booking.status != BookingStatus.REQUESTED:
        refuse("already_decided", _("This booking has been decided already."))
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
        refuse("not_found", _("No such booking."), status=404)
    if booking.status not in HOLDS_SLOT:
        refuse("not_active", _("This booking is not active."))
    now = now or utcnow()
    if now >= booking.slot.withdraw_deadline:
        refuse("too_late", _("The deadline for withdrawing has passed; please write to the organisers."))
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
