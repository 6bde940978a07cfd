"""The programme's time rules and session clashes, on plain values: no database, no app."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from events.programme.models import Event, EventStatus, Session
from events.programme.times import at_local, local_to_utc, move_to_day, utc_to_local

UTC = timezone.utc


def test_local_times_become_utc_and_back_across_daylight_saving():
    # Europe/Berlin: CET (+1) before 2027-03-28 02:00, CEST (+2) after.
    assert local_to_utc(datetime(2027, 3, 27, 10, 0), "Europe/Berlin") == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)
    assert local_to_utc(datetime(2027, 3, 28, 10, 0), "Europe/Berlin") == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert utc_to_local(datetime(2027, 3, 28, 8, 0, tzinfo=UTC), "Europe/Berlin") == datetime(2027, 3, 28, 10, 0)
    assert local_to_utc(None, "Europe/Berlin") is None and utc_to_local(None, "Europe/Berlin") is None


def test_a_session_time_is_read_in_the_events_zone():
    assert at_local(date(2027, 6, 1), time(9, 30), "Europe/Brussels") == datetime(2027, 6, 1, 7, 30, tzinfo=UTC)
    assert at_local(date(2027, 6, 1), time(9, 30), "America/New_York") == datetime(2027, 6, 1, 13, 30, tzinfo=UTC)


def test_moving_the_day_keeps_local_time_of_day_across_a_daylight_saving_change():
    # 10:00 CET on 20 March is 09:00 UTC; on 3 April (CEST) the same 10:00 is 08:00 UTC.
    moment = datetime(2027, 3, 20, 9, 0, tzinfo=UTC)
    moved = move_to_day(moment, "Europe/Berlin", date(2027, 3, 20), date(2027, 4, 3))
    assert moved == datetime(2027, 4, 3, 8, 0, tzinfo=UTC)
    assert utc_to_local(moved, "Europe/Berlin") == datetime(2027, 4, 3, 10, 0)


def test_moving_keeps_the_number_of_days_after_the_start_and_can_change_the_zone():
    # A session on the second day of a two-day event stays on the second day.
    second_day = datetime(2027, 5, 11, 12, 0, tzinfo=UTC)  # 14:00 in Berlin
    moved = move_to_day(second_day, "Europe/Berlin", date(2027, 5, 10), date(2027, 9, 20), "Europe/London")
    assert utc_to_local(moved, "Europe/London") == datetime(2027, 9, 21, 14, 0)


def _session(start_hour: int, end_hour: int, minute: int = 0) -> Session:
    return Session(starts_at=datetime(2027, 5, 10, start_hour, minute, tzinfo=UTC),
                   ends_at=datetime(2027, 5, 10, end_hour, 0, tzinfo=UTC))


def test_sessions_clash_only_when_their_times_overlap():
    morning, late_morning, noon = _session(9, 11), _session(10, 12), _session(11, 12)
    assert morning.overlaps(late_morning) and late_morning.overlaps(morning)
    assert not morning.overlaps(noon) and not noon.overlaps(morning)  # one ends as the next begins
    assert _session(9, 12).overlaps(_session(10, 11, 30))  # one inside the other


def test_registration_is_open_between_opening_and_closing_of_a_published_day():
    start = datetime(2027, 5, 10, 8, 0, tzinfo=UTC)
    event = Event(status=EventStatus.PUBLISHED, starts_at=start, ends_at=start + timedelta(hours=8),
                  registration_opens_at=start - timedelta(days=30), registration_closes_at=None)
    assert event.registration_open(start - timedelta(days=1))
    assert not event.registration_open(start - timedelta(days=31))  # not yet open
    assert not event.registration_open(start + timedelta(hours=8))  # without a closing time: when the day ends
    event.registration_closes_at = start - timedelta(days=2)
    assert not event.registration_open(start - timedelta(days=1))
    event.status = EventStatus.DRAFT
    assert not event.registration_open(start - timedelta(days=10))


def test_a_time_the_clocks_skip_does_not_exist_and_names_its_gap():
    from events.programme.times import check_local
    spring = check_local(datetime(2027, 3, 28, 2, 30), "Europe/Berlin")
    assert not spring.exists and spring.gap == (datetime(2027, 3, 28, 2, 0), datetime(2027, 3, 28, 3, 0))
    assert check_local(datetime(2027, 3, 28, 2, 0), "Europe/Berlin").gap[0] == datetime(2027, 3, 28, 2, 0)
    assert check_local(datetime(2027, 3, 28, 3, 0), "Europe/Berlin").instants == (
        datetime(2027, 3, 28, 1, 0, tzinfo=UTC),)
    # Lord Howe Island jumps half an hour.
    howe = check_local(datetime(2027, 10, 3, 2, 10), "Australia/Lord_Howe")
    assert howe.gap == (datetime(2027, 10, 3, 2, 0), datetime(2027, 10, 3, 2, 30))


def test_a_time_that_happens_twice_has_two_instants_first_and_second():
    from events.programme.times import FIRST, SECOND, check_local, occurrence
    autumn = check_local(datetime(2027, 10, 31, 2, 30), "Europe/Berlin")
    assert autumn.ambiguous and autumn.instants == (datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
                                                    datetime(2027, 10, 31, 1, 30, tzinfo=UTC))
    assert at_local(date(2027, 10, 31), time(2, 30), "Europe/Berlin", SECOND) == autumn.instants[1]
    assert occurrence(autumn.instants[0], "Europe/Berlin") == FIRST
    assert occurrence(autumn.instants[1], "Europe/Berlin") == SECOND
    howe = check_local(datetime(2027, 4, 4, 1, 40), "Australia/Lord_Howe")
    assert howe.ambiguous and howe.instants[1] - howe.instants[0] == timedelta(minutes=30)
    ordinary = check_local(datetime(2027, 6, 1, 2, 30), "Europe/Berlin")
    assert ordinary.exists and not ordinary.ambiguous and ordinary.gap is None

