"""The seat and place rules on plain values: no database, no app (events/registration/rules.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from events.programme.models import EventStatus, SessionStatus
from events.registration import rules
from events.registration.rules import RegistrationError

NOW = datetime(2027, 4, 1, 12, tzinfo=timezone.utc)


def session(id=1, capacity=10, needs_seat=True, status=SessionStatus.SCHEDULED, start=10, end=11, title="S"):
    day = NOW.replace(hour=0)
    return SimpleNamespace(id=id, capacity=capacity, needs_seat=needs_seat, status=status, title=title,
                           starts_at=day + timedelta(hours=start), ends_at=day + timedelta(hours=end))


def event(status=EventStatus.PUBLISHED, opens=-10, closes=5, ends=10):
    return SimpleNamespace(status=status, registration_opens_at=NOW + timedelta(days=opens) if opens else None,
                           registration_closes_at=NOW + timedelta(days=closes) if closes else None,
                           ends_at=NOW + timedelta(days=ends))


@pytest.mark.parametrize(("holds_place", "capacity", "needs_seat", "taken", "seat"), [
    (True, 10, True, 9, True),      # the last seat
    (True, 10, True, 10, False),    # full: the waiting list
    (True, None, True, 500, True),  # no limit
    (True, 10, False, 50, True),    # a session that needs no seat (a stand) never fills
    (False, 10, True, 0, False),    # on the event's waiting list: no seat even in an empty session
])
def test_gets_seat(holds_place, capacity, needs_seat, taken, seat):
    assert rules.gets_seat(holds_place, session(capacity=capacity, needs_seat=needs_seat), taken) is seat


def test_seats_left_and_seats_to_fill():
    assert rules.seats_left(session(capacity=10), 7) == 3
    assert rules.seats_left(session(capacity=10), 12) == 0  # staff seated beyond the capacity
    assert rules.seats_left(session(capacity=None), 7) is None
    assert rules.seats_to_fill(session(capacity=10), taken=7, waiting=5) == 3
    assert rules.seats_to_fill(session(capacity=None), taken=7, waiting=5) == 5  # everyone moves up
    assert rules.seats_to_fill(session(status=SessionStatus.CANCELLED), taken=0, waiting=5) == 0


def test_places_at_the_event():
    assert rules.places_free(None, 1000) is None
    assert rules.places_free(10, 12) == 0
    assert not rules.event_full(None, 1000)
    assert rules.event_full(10, 10) and not rules.event_full(10, 9)


def test_check_open():
    rules.check_open(event(), NOW)
    rules.check_open(event(closes=None), NOW)  # closes when the day ends
    with pytest.raises(RegistrationError) as not_yet:
        rules.check_open(event(opens=1), NOW)
    assert not_yet.value.code == "registration_not_open_yet"
    for closed in (event(closes=-1), event(status=EventStatus.CLOSED), event(closes=None, ends=-1)):
        with pytest.raises(RegistrationError) as exc:
            rules.check_open(closed, NOW)
        assert exc.value.code == "registration_closed"


def test_check_chosen():
    a, b = session(id=1, start=10, end=11), session(id=2, start=11, end=12)
    assert rules.check_chosen([a, b], [2, 1]) == [a, b]  # back to back is fine
    with pytest.raises(RegistrationError) as missing:
        rules.check_chosen([a], [1, 3])
    assert (missing.value.code, missing.value.status, missing.value.field) == ("session_not_found", 422, "sessions")
    with pytest.raises(RegistrationError) as cancelled:
        rules.check_chosen([session(status=SessionStatus.CANCELLED)], [1])
    assert cancelled.value.code == "session_cancelled"
    with pytest.raises(RegistrationError) as overlap:
        rules.check_chosen([a, session(id=3, start=10, end=12)], [1, 3])
    assert overlap.value.code == "sessions_overlap"


def test_keys_and_ids_from_urls():
    assert rules.storable_ids([3, 1, 3, 0, -1, 2**31, 2]) == [1, 2, 3]  # each once, in lock order
    assert rules.storable_key("welcome-day", 80)
    for unstorable in ("", "a\x00b", "a" * 81):
        assert not rules.storable_key(unstorable, 80)


def test_pending_expiry():
    assert rules.pending_expiry(NOW, 48) == NOW + timedelta(hours=48)
