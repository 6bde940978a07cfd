"""The lock protocol of registrations, and the refilling of seats and places done under it.

Every change to an event's registrations or enrolments first takes the event's lock, ``lock_event``
(``SELECT … FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE`` takes the database write lock on SQLite), so reading the
free seats and taking one happen under one lock and no session is ever overbooked. Other features that change
what registrations hold (a session cancelled, a capacity changed, a workshop withdrawn) take it too.

New registrations, which arrive by the thousand when a welcome day opens, share the event's lock instead
(``lock_event_for_registration``: ``FOR SHARE``, so they wait for, and keep out, every other change) and lock the
rows of the sessions they choose (``lock_sessions``). Two registrations then wait for each other only when they
want a seat in the same session. Each session hands out the numbers that order its waiting list under its own
lock, so the list is in the order in which registrations got the session. An event with an overall capacity
compares its places held with it, so its registrations take the event's lock alone.

Seats taken, waiting lists and places held are counters that the store changes with the rows they count
(events/registration/store.py); what decides under these locks reads them again after taking the lock
(``queries.seats_for``, ``queries.places_taken``), never from an instance loaded before it.

The order: the event's lock always first, then session locks in id order, and a row of the event's place count
last (a new registration's, just before its commit). Two transactions therefore never wait for each other in a
circle (no deadlocks), and a share lock is never upgraded to an exclusive one (which could
deadlock): a registration that finds a capacity under a share lock starts again alone (``RetryAlone``).

Freed seats and places are refilled in the same transaction as the change that freed them (``fill_session``,
``fill_event``), and the people promoted are told through the outbox.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, select, update

from app.extensions import db
from app.mail import queue_mail
from events.programme.models import Event, EventStatus, Session
from events.registration import queries, rules, store
from events.registration.models import (HOLDS_PLACE, Enrolment, EnrolmentStatus, Registration,
                                        RegistrationStatus)


class RetryAlone(Exception):
    """Start the registration again, with the event's lock alone (see ``lock_event_for_registration``)."""


def lock_event(event_id: int) -> Event:
    """Take the event's lock and return its fresh row."""
    event = db.session.scalars(
        select(Event).where(Event.id == event_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if event is None:
        raise rules.no_such_event()
    return event


_ev, _s = Event.__table__.c, Session.__table__.c
_PUBLIC_EVENT = select(_ev.id, _ev.status, _ev.registration_opens_at, _ev.registration_closes_at, _ev.ends_at,
                       _ev.capacity, _ev.queue_counter).where(
    _ev.slug == bindparam("slug"), _ev.status.in_([EventStatus.PUBLISHED, EventStatus.CLOSED]))
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


def process_state() -> dict:
    """What this process remembers per app: events counted alone (by slug), last expiry checks (by slug)."""
    state = current_app.extensions.get("registration")
    if state is None:
        state = current_app.extensions["registration"] = {"counted_events": set(), "expiry_checks": {}}
    return state


def lock_event_for_registration(conn, slug: str):
    """The published event's row, locked for a new registration: shared, or alone when the event has an overall
    capacity (its places are compared with it). An event found to have a capacity under a share lock raises
    ``RetryAlone``, and is remembered, so that the next registrations lock it alone at once."""
    if not rules.storable_key(slug, 80):
        raise rules.no_such_event()
    counted = process_state()["counted_events"]
    alone = slug in counted
    row = conn.execute(_LOCK_EVENT if alone else _SHARE_EVENT, {"slug": slug}).first()
    if row is None:
        raise rules.no_such_event()
    if row.capacity is not None and not alone:
        counted.add(slug)
        raise RetryAlone()
    if row.capacity is None and alone:
        counted.discard(slug)  # the capacity was lifted: from the next registration on, shared again
    return row


def lock_sessions(conn, event_id: int, session_ids: list[int]) -> dict[int, int]:
    """Lock the chosen sessions of the event (in id order) and give each a waiting-list number: {id: number}."""
    if not session_ids:
        return {}
    return dict(conn.execute(_RESERVE_SESSIONS, {"ids": rules.storable_ids(session_ids),
                                                 "of_event": event_id}).all())


def next_session_number(session_id: int) -> int:
    """The next number on this session's waiting list (the caller holds the event's lock)."""
    return db.session.connection().execute(_RESERVE_SESSION, {"session": session_id}).scalar_one()


def next_event_number(event_id: int) -> int:
    """The next number on the event's waiting list (the caller holds the event's lock alone)."""
    return db.session.connection().execute(_RESERVE_EVENT, {"event": event_id}).scalar_one()


def pending_until(now: datetime) -> datetime:
    """When a registration whose address is not confirmed yet gives its place back."""
    return rules.pending_expiry(now, current_app.config["PENDING_REGISTRATION_HOURS"])


# ----------------------------------------------------------------------------------------------- under the lock


def place_in_session(registration: Registration, session: Session, now: datetime,
                     enrolment: Enrolment | None = None) -> Enrolment:
    """Give the registration a seat in the session, or a place on its waiting list (event lock held);
    ``enrolment``: its earlier, dropped enrolment in the session, which is reused."""
    taken = queries.seats_for(session).taken if rules.is_limited(session) else 0
    status = (EnrolmentStatus.CONFIRMED if rules.gets_seat(registration.holds_place, session, taken)
              else EnrolmentStatus.WAITLISTED)
    number = next_session_number(session.id)
    if enrolment is None:
        return db.session.get(Enrolment, store.add_enrolment(registration.id, session.id, status, number, now))
    store.set_enrolment_status([enrolment.id], status, now, queue_seq=number)
    return enrolment


def fill_session(session: Session, now: datetime) -> list[Enrolment]:
    """Promote the first in line while the session has free seats (event lock held)."""
    seats = queries.seats_for(session)
    free = rules.seats_to_fill(session, seats.taken, seats.waiting)
    if not free:
        return []
    promoted = list(db.session.scalars(
        select(Enrolment).join(Registration, Registration.id == Enrolment.registration_id)
        .where(Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.WAITLISTED,
               Registration.status.in_(HOLDS_PLACE))
        .order_by(Enrolment.queue_seq).limit(free)
    ))
    registrations = [enrolment.registration for enrolment in promoted]
    store.set_enrolment_status([enrolment.id for enrolment in promoted], EnrolmentStatus.CONFIRMED, now)
    for registration in registrations:
        queue_mail(registration.attendee.email, "seat_confirmed", locale=registration.attendee.locale,
                   registration=registration, session=session, event=registration.event)
    return promoted


def fill_event(event: Event, now: datetime) -> list[Registration]:
    """Give free places at the event to the first registrations on its waiting list (event lock held)."""
    query = (select(Registration)
             .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
             .order_by(Registration.queue_seq))
    free = rules.places_free(event.capacity, queries.places_taken(event) if event.capacity is not None else 0)
    if free is not None:
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    for registration in promoted:
        give_place(registration, event, now)
    return promoted


def give_place(registration: Registration, event: Event, now: datetime) -> None:
    """Move a registration from the event's waiting list to a place, seat it where it can, tell it (lock held)."""
    values = {"status": RegistrationStatus.CONFIRMED, "queue_seq": None, "updated_at": now}
    if not registration.email_confirmed_at:
        values.update(status=RegistrationStatus.PENDING, expires_at=pending_until(now))
    waiting = [e.session for e in registration.enrolments if e.status == EnrolmentStatus.WAITLISTED]
    email, locale = registration.attendee.email, registration.attendee.locale
    store.update_registration(registration.id, **values)
    for session in waiting:
        fill_session(session, now)
    queue_mail(email, "place_confirmed", locale=locale, registration=registration, event=event)


def release(registration: Registration, now: datetime, reason: str) -> None:
    """Cancel a registration and refill what it held (event lock held)."""
    freed = sorted((e.session for e in registration.enrolments if e.status == EnrolmentStatus.CONFIRMED),
                   key=lambda s: s.id)
    held_place, event = registration.holds_place, registration.event
    store.drop_enrolments([e.id for e in registration.enrolments if e.status != EnrolmentStatus.DROPPED], now)
    store.cancel_registration(registration.id, now, reason)
    for session in freed:
        fill_session(session, now)
    if held_place:
        fill_event(event, now)
