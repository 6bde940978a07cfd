"""Workshop slot booking: never twice (real concurrent transactions), permissions, deadlines."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.extensions import db as _db
from app.extensions import utcnow
from events.employers import services
from events.employers.errors import EmployerError
from events.employers.models import BookingStatus, WorkshopBooking
from events.programme.models import Event
from tests.employers.helpers import login, make_partner, make_slot, make_staff
from tests.factories import make_event

WORKSHOP = services.WorkshopRequest(title="Hands-on", abstract="", language="en", capacity=10)


def _run_together(app, n, work):
    """Run ``work(i)`` in n threads, each in its own app context (own connection, own transaction)."""
    _db.session.rollback()  # the test's own transaction must not hold SQLite's write lock meanwhile
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def target(i):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = work(i)
            except Exception as exc:  # noqa: BLE001 - collected and asserted on
                results[i] = exc
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_employers_clicking_at_once_get_one_booking(app, db):
    event = make_event()
    users = [make_partner(event, name=f"Org{i} GmbH")[1] for i in range(6)]
    slot = make_slot(event)
    event_id, slot_id, user_ids = event.id, slot.id, [u.id for u in users]

    def work(i):
        user = _db.session.get(User, user_ids[i])
        return services.book_slot(user, _db.session.get(Event, event_id), slot_id, WORKSHOP).id

    results = _run_together(app, len(user_ids), work)
    won = [r for r in results if isinstance(r, int)]
    lost = [r for r in results if isinstance(r, EmployerError)]
    assert len(won) == 1 and len(lost) == len(user_ids) - 1, results
    assert {e.code for e in lost} == {"slot_taken"}
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(WorkshopBooking)) == 1


def test_unique_constraint_alone_refuses_a_second_holder(app, db, is_postgres):
    """Without the row lock (two raw inserts at once), the database still stores only one holder."""
    event = make_event()
    orgs = [make_partner(event, name=f"Raw{i} AG")[0] for i in range(2)]
    slot = make_slot(event)
    slot_id, org_ids = slot.id, [o.id for o in orgs]

    def work(i):
        _db.session.add(WorkshopBooking(slot_id=slot_id, holding_slot_id=slot_id, organisation_id=org_ids[i],
                                        title="x", capacity=5))
        _db.session.commit()
        return "ok"

    results = _run_together(app, 2, work)
    assert results.count("ok") == 1
    assert any(isinstance(r, IntegrityError) for r in results), results


def test_declined_or_withdrawn_bookings_free_the_slot(db):
    event = make_event()
    staff = make_staff(event)
    (_, first), (_, second) = make_partner(event, "First AG"), make_partner(event, "Second AG")
    slot = make_slot(event)
    booking = services.book_slot(first, event, slot.id, WORKSHOP)
    with pytest.raises(EmployerError) as error:
        services.book_slot(second, event, slot.id, WORKSHOP)
    assert error.value.code == "slot_taken"
    services.decide_booking(event, booking.id, False, "Sorry", staff)
    again = services.book_slot(second, event, slot.id, WORKSHOP)
    services.withdraw_booking(second, event, again.id)
    assert services.book_slot(first, event, slot.id, WORKSHOP).status == BookingStatus.REQUESTED


def test_withdraw_after_deadline_is_refused(db):
    event = make_event()
    _, user = make_partner(event)
    slot = make_slot(event)
    booking = services.book_slot(user, event, slot.id, WORKSHOP)
    with pytest.raises(EmployerError) as error:
        services.withdraw_booking(user, event, booking.id, now=slot.withdraw_deadline + timedelta(minutes=1))
    assert error.value.code == "too_late"
    assert booking.status == BookingStatus.REQUESTED


def test_non_partners_cannot_book(db):
    event, other_event = make_event(), make_event()
    _, outsider = make_partner(other_event, "Elsewhere BV")
    slot = make_slot(event)
    with pytest.raises(EmployerError) as error:
        services.book_slot(outsider, event, slot.id, WORKSHOP)
    assert error.value.status == 403


def test_employer_cannot_see_or_touch_another_organisations_bookings(client, db):
    event = make_event()
    _, alice = make_partner(event, "Alice AG")
    _, bob = make_partner(event, "Bob AG")
    other_event = make_event()
    _, carol = make_partner(other_event, "Carol AG")
    slot = make_slot(event)
    booking = services.book_slot(alice, event, slot.id, services.WorkshopRequest("Alice's secret plan", "", "en", 5))

    login(client, bob.email)
    page = client.get(f"/employer/e/{event.slug}/").get_data(as_text=True)
    assert "Alice's secret plan" not in page and "Alice&#39;s secret plan" not in page
    assert client.post(f"/employer/e/{event.slug}/bookings/{booking.id}/withdraw").status_code == 404
    db.session.expire_all()
    assert booking.status == BookingStatus.REQUESTED
    assert client.get(f"/console/e/{event.slug}/slots").status_code == 403
    assert client.get(f"/console/e/{event.slug}/partners").status_code == 403

    login(client, carol.email)
    assert client.get(f"/employer/e/{event.slug}/").status_code == 404  # not a partner of this event


def test_staff_slot_form_validates(client, db):
    event = make_event()
    staff = make_staff(event)
    make_slot(event, "Room A")
    login(client, staff.email)
    room_id = event.rooms[0].id
    local = event.local(event.starts_at + timedelta(minutes=90)).replace(tzinfo=None)
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(f"/console/e/{event.slug}/slots", data={
        "room_id": room_id, "starts_at": local.strftime(fmt), "ends_at": (local - timedelta(hours=1)).strftime(fmt),
        "withdraw_deadline": (local - timedelta(days=1)).strftime(fmt)})
    assert response.status_code == 422 and "end must be after" in response.get_data(as_text=True)
    response = client.post(f"/console/e/{event.slug}/slots", data={
        "room_id": room_id, "starts_at": local.strftime(fmt), "ends_at": (local + timedelta(hours=1)).strftime(fmt),
        "withdraw_deadline": (local - timedelta(days=1)).strftime(fmt)})
    assert response.status_code == 422 and "has a slot at that time" in response.get_data(as_text=True)
    assert utcnow()  # keep import used
