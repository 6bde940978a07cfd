"""The programme's time rules. Staff type times in the event's own zone, the database keeps UTC, and moving a day
(editing its date or time zone, or cloning it) keeps every session's local time of day. Pure functions on plain
values: tested without a database (tests/programme/test_times.py).

A wall-clock time can be wrong in two ways on the days the clocks change: it may not exist (the clocks jump
over it in spring: 02:30 on 2027-03-28 in Europe/Berlin) or it may happen twice (the repeated hour in autumn).
``check_local`` says which, so that a form can refuse the first and ask about the second instead of guessing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")
FIRST, SECOND = 0, 1  # which of the two occurrences of a repeated local time (datetime's ``fold``)


@dataclass(frozen=True)
class LocalTime:
    """What a wall-clock time is in a zone: ``instants`` holds one UTC instant (an ordinary time), two (a time
    that happens twice, first and second occurrence) or none (a time the clocks jump over); for a skipped time,
    ``gap`` is the local (start, end) of the jump."""
    local: datetime
    instants: tuple[datetime, ...]
    gap: tuple[datetime, datetime] | None = None

    @property
    def exists(self) -> bool:
        return bool(self.instants)

    @property
    def ambiguous(self) -> bool:
        return len(self.instants) == 2


def check_local(moment: datetime, tz: str) -> LocalTime:
    """Whether the naive wall-clock time ``moment`` exists in zone ``tz``, once or twice."""
    zone = ZoneInfo(tz)
    local = moment.replace(tzinfo=None)
    instants = []
    for fold in (FIRST, SECOND):
        aware = local.replace(tzinfo=zone, fold=fold)
        instant = aware.astimezone(UTC)
        # A time that exists round-trips to itself; a skipped one comes back shifted by the jump.
        if instant.astimezone(zone).replace(tzinfo=None) == local and instant not in instants:
            instants.append(instant)
    if instants:
        return LocalTime(local, tuple(sorted(instants)))
    jump = local.replace(tzinfo=zone, fold=SECOND).utcoffset() - local.replace(tzinfo=zone, fold=FIRST).utcoffset()
    start = local.replace(second=0, microsecond=0)
    while not _exists(start - timedelta(minutes=1), zone):  # back to the first skipped minute
        start -= timedelta(minutes=1)
    return LocalTime(local, (), (start, start + abs(jump)))


def _exists(local: datetime, zone: ZoneInfo) -> bool:
    aware = local.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local


def local_to_utc(moment: datetime | None, tz: str, fold: int = FIRST) -> datetime | None:
    """A naive wall-clock time in zone ``tz`` as an aware UTC datetime (None stays None). ``fold`` chooses the
    occurrence of a repeated time; a skipped time is read with the offset from before the jump (check first)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=ZoneInfo(tz), fold=fold).astimezone(UTC)


def utc_to_local(moment: datetime | None, tz: str) -> datetime | None:
    """An aware datetime as the naive wall-clock time a form shows in zone ``tz`` (None stays None)."""
    return moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None) if moment else None


def occurrence(moment: datetime, tz: str) -> int:
    """FIRST or SECOND: which occurrence of its wall-clock time an instant is (FIRST unless the time repeats)."""
    return moment.astimezone(ZoneInfo(tz)).fold


def at_local(day: date, clock: time, tz: str, fold: int = FIRST) -> datetime:
    """``clock`` on ``day`` in zone ``tz``, in UTC: a session's start or end as staff typed it."""
    return local_to_utc(datetime.combine(day, clock), tz, fold)


def move_to_day(moment: datetime, old_tz: str, old_day: date, new_day: date, new_tz: str | None = None) -> datetime:
    """``moment`` of a programme held on ``old_day`` (zone ``old_tz``) moved to one on ``new_day`` (zone
    ``new_tz``, the same by default): the same local time of day, the same number of days after the start."""
    local = moment.astimezone(ZoneInfo(old_tz))
    moved = datetime.combine(new_day + (local.date() - old_day), local.time())
    return local_to_utc(moved, new_tz or old_tz)
