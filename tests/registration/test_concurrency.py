"""Many people at once, through the real HTTP path: a threaded WSGI server, real sockets, one thread per request.

On PostgreSQL (READ COMMITTED) the row locks (the event's, shared by registrations and taken alone by every
other change, and each chosen session's) are what keep seats from being overbooked; on SQLite ``BEGIN IMMEDIATE``
does. The last test shows that the naive "count, then insert" does
overbook on PostgreSQL under the very same race, so these tests can fail.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from flask import jsonify, request
from sqlalchemy import func, select

from app import create_app
from app.config import TestConfig
from app.extensions import db as _db
from app.extensions import utcnow
from app.mail import OutboxMessage
from events.registration import queries
from events.registration.models import Attendee, Enrolment, EnrolmentStatus, Registration, RegistrationStatus
from events.programme.models import Event, Session
from tests.factories import make_event, make_session, register
from tests.live import live_server

CLIENTS = 60
SEATS = 10

pytestmark = pytest.mark.slow


def _payload(n: int, session_ids, email: str | None = None) -> dict:
    return {"email": email or f"racer{n}@example.org", "full_name": f"Racer {n} 李雷", "country": "IN",
            "university": "RWTH Aachen", "degree_level": "master", "field_of_study": "Physics",
            "consent_processing": True, "sessions": list(session_ids)}


def _race(calls) -> list[tuple[int, str]]:
    """Run every call from its own thread, all released at once by a barrier; returns (status, body) each."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        with requests.Session() as http:
            barrier.wait()
            response = call(http)
            return response.status_code, response.text

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls, timeout=120))


def _post(url, payload):
    return lambda http: http.post(url, json=payload, timeout=60)


def _count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def _enrolments(session_id: int) -> list[Enrolment]:
    return list(_db.session.scalars(select(Enrolment).where(Enrolment.session_id == session_id)
                                    .order_by(Enrolment.queue_seq)))


def _assert_waiting_list(waiting: list[Enrolment], expected: int) -> None:
    assert len(waiting) == expected
    assert [queries.waitlist_position(e) for e in waiting] == list(range(1, expected + 1))  # no gaps, no twins
    assert len({e.queue_seq for e in waiting}) == expected


@pytest.fixture
def racing(app, db):
    """The live server, and a database the main thread does not hold open (SQLite: a read would lock it)."""
    with live_server(app) as base_url:
        yield base_url


def test_fifty_clients_race_for_ten_seats(racing, db):
    event = make_event()
    workshop = make_session(event, capacity=SEATS)
    slug, session_id = event.slug, workshop.id
    db.session.close()

    url = f"{racing}/api/v1/events/{slug}/registrations"
    results = _race([_post(url, _payload(n, [session_id])) for n in range(CLIENTS)])

    assert [status for status, _ in results] == [202] * CLIENTS, results
    assert _count(Registration) == CLIENTS
    assert _count(Attendee) == CLIENTS
    enrolments = _enrolments(session_id)
    assert len(enrolments) == CLIENTS  # one each: no duplicates, none lost
    assert len({e.registration_id for e in enrolments}) == CLIENTS
    confirmed = [e for e in enrolments if e.status == EnrolmentStatus.CONFIRMED]
    waiting = [e for e in enrolments if e.status == EnrolmentStatus.WAITLISTED]
    assert len(confirmed) == SEATS
    _assert_waiting_list(waiting, CLIENTS - SEATS)
    # Arrival order is the order in which the server took the lock: the queue numbers, the registrations' ids
    # and their creation times all agree, and the first ten to arrive have the seats.
    by_queue = [e.registration for e in enrolments]
    assert [r.id for r in by_queue] == sorted(r.id for r in by_queue)
    assert [r.created_at for r in by_queue] == sorted(r.created_at for r in by_queue)
    assert {e.registration_id for e in confirmed} == {r.id for r in by_queue[:SEATS]}
    assert queries.seats_for(_db.session.get(Session, session_id)).taken == SEATS


def test_concurrent_drops_and_adds_keep_seats_and_queue_straight(racing, db):
    event = make_event()
    workshop = make_session(event, capacity=SEATS)
    holders = [register(event, sessions=[workshop]) for _ in range(SEATS)]
    waiters = [register(event, sessions=[workshop]) for _ in range(SEATS)]
    adders = [register(event) for _ in range(2 * SEATS)]
    session_id = workshop.id
    holder_tokens = [r.token for r in holders]
    waiter_ids = {r.id for r in waiters}
    adder_ids = {r.id for r in adders}
    adder_tokens = [r.token for r in adders]
    db.session.close()

    def drop(token):
        return lambda http: http.delete(f"{racing}/api/v1/registrations/{token}/enrolments/{session_id}",
                                        timeout=60)

    def add(token):
        return lambda http: http.post(f"{racing}/api/v1/registrations/{token}/enrolments",
                                      json={"session_id": session_id}, timeout=60)

    calls = [drop(t) for t in holder_tokens] + [add(t) for t in adder_tokens]
    results = _race(calls)
    assert [s for s, _ in results] == [204] * SEATS + [201] * (2 * SEATS), results

    enrolments = _enrolments(session_id)
    active = [e for e in enrolments if e.status != EnrolmentStatus.DROPPED]
    confirmed = [e for e in active if e.status == EnrolmentStatus.CONFIRMED]
    waiting = [e for e in active if e.status == EnrolmentStatus.WAITLISTED]
    assert len(enrolments) == 4 * SEATS and len({e.registration_id for e in enrolments}) == 4 * SEATS
    # A freed seat goes to the first in line in the same transaction, so it is never free while someone waits:
    # the earlier waiters get every seat, the newcomers queue behind them in the order they arrived.
    assert {e.registration_id for e in confirmed} == waiter_ids
    assert {e.registration_id for e in waiting} == adder_ids
    _assert_waiting_list(waiting, 2 * SEATS)
    assert _count(OutboxMessage, OutboxMessage.template == "seat_confirmed") == SEATS


def test_same_email_at_once_makes_one_registration(racing, db):
    event = make_event()
    slug = event.slug
    db.session.close()
    url = f"{racing}/api/v1/events/{slug}/registrations"
    results = _race([_post(url, _payload(n, [], email="same.person@example.org")) for n in range(CLIENTS)])
    assert [s for s, _ in results] == [202] * CLIENTS, results
    assert _count(Attendee) == 1
    assert _count(Registration) == 1
    assert _count(OutboxMessage, OutboxMessage.template == "confirm_registration") == 1
    assert _count(OutboxMessage, OutboxMessage.template == "registration_link") == CLIENTS - 1


def test_same_new_email_for_several_events_at_once(racing, db):
    """Different events take different locks, so the new address's INSERT races; the service retries."""
    events = [make_event() for _ in range(5)]
    slugs = [e.slug for e in events]
    db.session.close()
    calls = [_post(f"{racing}/api/v1/events/{slugs[n % 5]}/registrations",
                   _payload(n, [], email="traveller@example.org")) for n in range(CLIENTS)]
    results = _race(calls)
    assert [s for s, _ in results] == [202] * CLIENTS, results
    assert _count(Attendee) == 1
    assert _count(Registration) == 5
    assert sorted(_db.session.scalars(select(Registration.event_id))) == sorted(e.id for e in events)



def _assert_sessions_straight(session_ids) -> None:
    """No session overbooked, no free seat while someone waits, every waiting list numbered 1..n."""
    for session_id in session_ids:
        session = _db.session.get(Session, session_id)
        active = [e for e in _enrolments(session_id) if e.status != EnrolmentStatus.DROPPED]
        confirmed = [e for e in active if e.status == EnrolmentStatus.CONFIRMED]
        waiting = [e for e in active if e.status == EnrolmentStatus.WAITLISTED]
        assert len(confirmed) == min(session.capacity, len(active)), session.title
        _assert_waiting_list(waiting, len(active) - len(confirmed))


def test_registrations_for_many_sessions_race_with_drops(racing, db):
    """Registrations share the event's lock and wait only for their sessions; drops take the event's lock alone.
    Whatever order they interleave in, the seats and the waiting lists come out straight."""
    import random
    event = make_event()
    rooms = [[make_session(event, offset_minutes=60 * slot, minutes=50, capacity=5, title=f"Slot {slot} room {room}")
              for room in range(2)] for slot in range(2)]
    holders = [register(event, sessions=[rooms[0][0]]) for _ in range(5)]
    slug, ids = event.slug, [s.id for slot in rooms for s in slot]
    by_slot = [[s.id for s in slot] for slot in rooms]
    drop_tokens, dropped_from = [r.token for r in holders], rooms[0][0].id
    db.session.close()
    rng = random.Random(11)
    url = f"{racing}/api/v1/events/{slug}/registrations"
    choices = [[rng.choice(slot) for slot in by_slot if rng.random() < 0.8] for _ in range(CLIENTS)]
    calls = [_post(url, _payload(n, chosen)) for n, chosen in enumerate(choices)]
    calls += [lambda http, t=t: http.delete(f"{racing}/api/v1/registrations/{t}/enrolments/{dropped_from}",
                                            timeout=60) for t in drop_tokens]
    results = _race(calls)
    assert [s for s, _ in results] == [202] * CLIENTS + [204] * len(drop_tokens), results
    assert _count(Registration) == CLIENTS + len(holders)
    for session_id in ids:
        wanted = sum(session_id in chosen for chosen in choices) + (len(holders) if session_id == dropped_from
                                                                     else 0)
        assert len(_enrolments(session_id)) == wanted  # none lost, none twice
    _assert_sessions_straight(ids)


def test_event_with_a_capacity_queues_registrations_in_order(racing, db):
    """An overall capacity is counted, so those registrations hold the event's lock alone."""
    event = make_event(capacity=SEATS)
    workshop = make_session(event, capacity=3)
    slug, session_id = event.slug, workshop.id
    db.session.close()
    url = f"{racing}/api/v1/events/{slug}/registrations"
    results = _race([_post(url, _payload(n, [session_id])) for n in range(CLIENTS)])
    assert [s for s, _ in results] == [202] * CLIENTS, results
    registrations = list(_db.session.scalars(select(Registration).order_by(Registration.id)))
    placed = [r for r in registrations if r.status == RegistrationStatus.PENDING]
    waiting = sorted((r for r in registrations if r.status == RegistrationStatus.WAITLISTED),
                     key=lambda r: r.queue_seq)
    assert len(placed) == SEATS and len(waiting) == CLIENTS - SEATS
    assert [queries.event_waitlist_position(r) for r in waiting] == list(range(1, CLIENTS - SEATS + 1))
    assert all(p.id < w.id for p in placed for w in waiting)  # places went to the first to get the lock
    # Only registrations with a place take a seat; those on the day's waiting list wait for the session too,
    # but their turn comes once they have a place.
    placed_ids = {r.id for r in placed}
    enrolments = _enrolments(session_id)
    confirmed = [e for e in enrolments if e.status == EnrolmentStatus.CONFIRMED]
    assert len(confirmed) == 3 and {e.registration_id for e in confirmed} <= placed_ids
    _assert_waiting_list([e for e in enrolments if e.status == EnrolmentStatus.WAITLISTED
                          and e.registration_id in placed_ids], SEATS - 3)

def _event_form(event, capacity) -> dict:
    """The console's event form for ``event``, as staff would send it, with another capacity."""
    from events.programme.services import event_data_from
    data = event_data_from(event)
    return {"title": data.title, "slug": data.slug, "day": data.day.isoformat(), "starts": data.starts.strftime("%H:%M"),
            "ends": data.ends.strftime("%H:%M"), "timezone": data.timezone, "languages": data.languages,
            "registration_opens_at": data.registration_opens_at.strftime("%Y-%m-%dT%H:%M"),
            "registration_closes_at": data.registration_closes_at.strftime("%Y-%m-%dT%H:%M"),
            "capacity": "" if capacity is None else str(capacity)}


def test_raising_and_lifting_the_capacity_promotes_in_order_while_registrations_race(racing, db):
    """Staff raise the day's capacity, then lift it, each time while registrations keep arriving: the waiting
    list moves up at once and in order, nobody who came later holds a place while an earlier one waits, and
    everyone promoted is told."""
    from tests.roles import PASSWORD, make_user
    event = make_event(capacity=SEATS)
    slug, event_id = event.slug, event.id
    admin = make_user("capacity-admin@example.org", admin=True).email
    raise_form, lift_form = _event_form(event, 2 * SEATS), _event_form(event, None)
    db.session.close()
    url = f"{racing}/api/v1/events/{slug}/registrations"
    staff = requests.Session()
    assert staff.post(f"{racing}/account/login", data={"email": admin, "password": PASSWORD},
                      allow_redirects=False).status_code in (302, 303)
    edit = f"{racing}/console/e/{slug}/edit"

    def staff_edit(form):
        return lambda http: staff.post(edit, data=form, allow_redirects=False, timeout=60)

    half = CLIENTS // 2
    first = _race([_post(url, _payload(n, [])) for n in range(half)] + [staff_edit(raise_form)])
    assert [s for s, _ in first] == [202] * half + [303], first
    _assert_places_in_arrival_order(2 * SEATS)
    db.session.close()  # SQLite: an open read holds the write lock the next round needs
    second = _race([_post(url, _payload(n, [])) for n in range(half, CLIENTS)] + [staff_edit(lift_form)])
    assert [s for s, _ in second] == [202] * (CLIENTS - half) + [303], second
    registrations = list(_db.session.scalars(select(Registration)))
    assert len(registrations) == CLIENTS
    assert all(r.status == RegistrationStatus.PENDING for r in registrations)  # no limit: everyone has a place
    # Everyone who ever waited (each took a number from the event's counter) was promoted and told, once.
    waited = _db.session.get(Event, event_id).queue_counter
    assert waited >= SEATS  # at least the ten beyond twenty in the first round
    assert _count(OutboxMessage, OutboxMessage.template == "place_confirmed") == waited
    told = _db.session.scalars(select(OutboxMessage.to).where(OutboxMessage.template == "place_confirmed")).all()
    assert len(set(told)) == waited


def _assert_places_in_arrival_order(capacity: int) -> None:
    registrations = list(_db.session.scalars(select(Registration).order_by(Registration.id)))
    holding = [r for r in registrations if r.status == RegistrationStatus.PENDING]
    waiting = sorted((r for r in registrations if r.status == RegistrationStatus.WAITLISTED),
                     key=lambda r: r.queue_seq)
    assert len(holding) == min(capacity, len(registrations))
    # Places went to the earliest arrivals (the lock hands out ids in arrival order), whether they got one at
    # once or were promoted when the capacity grew; the rest wait in the order they came.
    assert [r.id for r in holding] == [r.id for r in registrations[:len(holding)]]
    assert [r.id for r in waiting] == [r.id for r in registrations[len(holding):]]
    assert [queries.event_waitlist_position(r) for r in waiting] == list(range(1, len(waiting) + 1))


# --------------------------------------------------------------------------------- the naive way overbooks


def naive_register(event_id: int, session_id: int, email: str, pause: float = 0.02) -> None:
    """Check, then insert, without the event lock: what this project must never do."""
    session = _db.session.get(Session, session_id)
    taken = _db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.CONFIRMED))
    time.sleep(pause)  # the moment between "is there a seat?" and "take it"
    now = utcnow()
    attendee = Attendee(email=email, full_name=email, badge_name=email[:80])
    registration = Registration(event_id=event_id, attendee=attendee, status=RegistrationStatus.PENDING,
                                created_at=now)
    status = EnrolmentStatus.CONFIRMED if taken < session.capacity else EnrolmentStatus.WAITLISTED
    _db.session.add(Enrolment(registration=registration, session_id=session_id, status=status, queue_seq=0))
    _db.session.commit()


@pytest.fixture
def naive_server(app, database_url):
    naive = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                        "SQLALCHEMY_DATABASE_URI": database_url, "CACHE_DIR": app.config["CACHE_DIR"]})

    @naive.post("/naive/<int:event_id>/<int:session_id>")
    def naive_registration(event_id, session_id):
        naive_register(event_id, session_id, request.get_json()["email"])
        return jsonify({"status": "accepted"}), 202

    with live_server(naive) as base_url:
        yield base_url
    with naive.app_context():
        _db.engine.dispose()


def test_naive_check_then_insert_overbooks(naive_server, db, is_postgres):
    if not is_postgres:
        pytest.skip("the naive race needs PostgreSQL: SQLite's BEGIN IMMEDIATE serialises even naive code")
    event = make_event()
    workshop = make_session(event, capacity=SEATS)
    event_id, session_id = event.id, workshop.id
    db.session.close()
    results = _race([_post(f"{naive_server}/naive/{event_id}/{session_id}", {"email": f"naive{n}@example.org"})
                     for n in range(CLIENTS)])
    assert [s for s, _ in results] == [202] * CLIENTS
    overbooked = _count(Enrolment, Enrolment.session_id == session_id,
                        Enrolment.status == EnrolmentStatus.CONFIRMED)
    assert overbooked > SEATS, "the naive code did not overbook: the race in this test is not real"

