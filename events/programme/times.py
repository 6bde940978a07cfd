"""The programme's time rules. Staff type times in the event's own zone, the database keeps UTC, and moving a day
(editing its date or time zone, or cloning it) keeps every session's local time of day. Pure functions on plain
values: tested without a database (tests/programme/test_times.py)."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")


def local_to_utc(moment: datetime | None, tz: str) -> datetime | None:
    """A naive wall-clock time in zone ``tz`` as an aware UTC datetime (None stays None)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def utc_to_local(moment: datetime | None, tz: str) -> datetime | None:
    """An aware datetime as the naive wall-clock time a form shows in zone ``tz`` (None stays None)."""
    return moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None) if moment else None


def at_local(day: date, clock: time, tz: str) -> datetime:
    """``clock`` on ``day`` in zone ``tz``, in UTC: a session's start or end as staff typed it."""
    return local_to_utc(datetime.combine(day, clock), tz)


def move_to_day(moment: datetime, old_tz: str, old_day: date, new_day: date, new_tz: str | None = None) -> datetime:
    """``moment`` of a programme held on ``old_day`` (zone ``old_tz``) moved to one on ``new_day`` (zone
    ``new_tz``, the same by default): the same local time of day, the same number of days after the start."""
    local = moment.astimezone(ZoneInfo(old_tz))
    moved = datetime.combine(new_day + (local.date() - old_day), local.time())
    return local_to_utc(moved, new_tz or old_tz)
