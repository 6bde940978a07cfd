"""The counters of seats, waiting lists and places (events/registration/store.py) against a count, after a random
mix of registrations, confirmations, additions, drops, cancellations, expiries and capacity changes raced from
several threads through the real services (each thread its own application context, database session and
connection), with a seeded random choice of what each does.

On PostgreSQL the threads really run side by side under the row locks; on SQLite ``BEGIN IMMEDIATE`` lets one
write at a time, so there they take turns, and the same checks hold.
"""
from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from app.extensions import utcnow
from events.programme import services as programme
from events.programme.models import Event, Session
from events.registration import queries, recount, services
from events.registration.models import Enrolment, EnrolmentStatus, Registration, RegistrationStatus
from events.registration.rules import RegistrationError
from tests.factories import make_event, make_session, profile

THREADS = 4
STEPS = 30
SEED = 20261202

pytestmark = pytest.mark.slow


def _registration(registration_id: int) -> Registration:
    return _db.session.get(Registration, registration_id)


class Mix:
    """What one thread does, chosen by its own seeded random generator from the registrations made so far."""

    def __init__(self, app, event_id: int, session_ids: list[int]):
        self.app, self.event_id, self.session_ids = app, event_id, session_ids
        self.made: list[int] = []
        self.guard = threading.Lock()
        self.done: dict[str, int] = {}

    def pick(self, rng: random.Random) -> int | None:
        with self.guard:
            return rng.choice(self.made) if self.made else None

    def run(self, worker: int) -> None:
        # What to do comes from a generator of its own, so that the list is the same whatever the interleaving
        # (which registration and session from the other, whose draws depend on how many registrations exist).
        actions = random.Random(SEED + worker).choices(
            ["register", "confirm", "enrol", "drop", "cancel", "expire", "capacity"], weights=[8, 4, 3, 3, 2, 1, 1],
            k=STEPS)
        rng = random.Random(SEED - worker)
        with self.app.app_context():
            for step, action in enumerate(actions):
                try:
                    getattr(self, action)(rng, f"w{worker}s{step}")
                    with self.guard:
                        self.done[action] = self.done.get(action, 0) + 1
                except (RegistrationError, programme.ConsoleError):
                    _db.session.rollback()  # a rule said no (already enrolled, cancelled, …): fine
                finally:
                    _db.session.remove()

    def register(self, rng, name):
        chosen = rng.sample(self.session_ids, rng.randint(0, len(self.session_ids)))
        event = _db.session.get(Event, self.event_id)
        result = services.register_attendee(event.slug, services.RegistrationRequest(
            email=f"{name}@example.org", profile=profile(f"Person {name}"), consent_processing=True,
            session_ids=chosen))
        with self.guard:
            self.made.append(result.registration_id)

    def confirm(self, rng, name):
        if (rid := self.pick(rng)) is not None:
            services.confirm_email(_registration(rid))

    def enrol(self, rng, name):
        if (rid := self.pick(rng)) is not None:
            services.enrol(_registration(rid), rng.choice(self.session_ids))

    def drop(self, rng, name):
        if (rid := self.pick(rng)) is not None:
            services.drop(_registration(rid), rng.choice(self.session_ids))

    def cancel(self, rng, name):
        if (rid := self.pick(rng)) is not None:
            services.cancel_registration(_registration(rid))

    def expire(self, rng, name):
        # Later than every pending registration's deadline: all not confirmed yet give their places back.
        services.expire_unconfirmed(utcnow() + timedelta(hours=49))

    def capacity(self, rng, name):
        """Staff raise a capacity (the event's or a session's) by one or two: the waiting list moves up."""
        event = _db.session.get(Event, self.event_id)
        if rng.random() < 0.5:
            data = programme.event_data_from(event)
            programme.update_event(event, replace(data, capacity=data.capacity + rng.randint(1, 2)))
        else:
            session = _db.session.get(Session, rng.choice(self.session_ids[:2]))  # the limited ones
            data = programme.session_data_from(session)
            programme.save_session(event, session, replace(data, capacity=data.capacity + rng.randint(1, 2)))


def _held(session_id: int, status: EnrolmentStatus) -> int:
    return _db.session.scalar(
        select(func.count()).select_from(Enrolment).join(Registration)
        .where(Enrolment.session_id == session_id, Enrolment.status == status,
               Registration.status.in_([RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED])))


def test_counters_equal_a_recount_after_a_raced_random_mix(app, db):
    event = make_event(capacity=14)
    sessions = [make_session(event, offset_minutes=0, capacity=3), make_session(event, offset_minutes=90, capacity=5),
                make_session(event, offset_minutes=180, capacity=None)]
    mix = Mix(app, event.id, [s.id for s in sessions])
    db.session.remove()  # SQLite: a read held open here would keep the threads' writes out

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(mix.run, range(THREADS), timeout=120))

    # Every kind of change happened (the seed makes it so), and the counters are what a count says.
    assert set(mix.done) == {"register", "confirm", "enrol", "drop", "cancel", "expire", "capacity"}, mix.done
    assert recount.recount() == []
    event = db.session.get(Event, event.id)
    places = queries.places_taken(event)
    assert places <= event.capacity  # no overbooking of the event…
    waiting_for_place = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.status == RegistrationStatus.WAITLISTED))
    assert waiting_for_place == 0 or places == event.capacity  # …and no free place while someone waits
    for seats in queries.session_seats(event):
        assert (seats.taken, seats.waiting) == (_held(seats.session.id, EnrolmentStatus.CONFIRMED),
                                                _held(seats.session.id, EnrolmentStatus.WAITLISTED))
        if seats.session.capacity is not None:
            assert seats.taken <= seats.session.capacity  # no session overbooked…
            assert seats.waiting == 0 or seats.taken == seats.session.capacity  # …nor a free seat while one waits
        else:
            assert seats.waiting == 0

    # Lowering a capacity changes no counter, only the comparison: the session is full, nobody loses a seat.
    session = db.session.get(Session, sessions[1].id)
    taken = queries.seats_for(session).taken
    programme.save_session(event, session, replace(programme.session_data_from(session), capacity=max(taken - 1, 0)))
    seats = queries.seats_for(db.session.get(Session, sessions[1].id))
    assert seats.taken == taken and seats.seats_left == 0
    assert recount.recount() == []


def test_recount_names_a_counter_that_drifted_and_fix_sets_it(app, db):
    event = make_event(capacity=5)
    workshop = make_session(event, capacity=2)
    first, _, _ = [services.register_attendee(event.slug, services.RegistrationRequest(
        email=f"p{n}@example.org", profile=profile(), consent_processing=True, session_ids=[workshop.id]))
        .registration_id for n in range(3)]  # two seats, one waiting
    event_id, session_id = event.id, workshop.id
    assert recount.recount() == []
    # Something wrote behind the store's back.
    db.session.execute(Session.__table__.update().where(Session.__table__.c.id == session_id)
                       .values(seats_taken=7))
    db.session.execute(Registration.__table__.update().where(Registration.__table__.c.id == first)
                       .values(status=RegistrationStatus.CANCELLED))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["registrations", "recount"])
    assert result.exit_code == 1
    assert f"event {event_id} session {session_id}: seats_taken is 7, counted 1" in result.output
    assert f"event {event_id}: places is 3, counted 2" in result.output
    assert f"event {event_id} session {session_id}: seats_waiting is 1, counted 1" not in result.output

    result = app.test_cli_runner().invoke(args=["registrations", "recount", "--fix"])
    assert result.exit_code == 0 and "2 counters differ (set to the count)" in result.output
    assert recount.recount() == []
    assert queries.seats_for(db.session.get(Session, session_id)).taken == 1
    assert queries.places_taken(db.session.get(Event, event_id)) == 2
