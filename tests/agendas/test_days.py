"""The layout rules of the agenda documents on plain values: the programme's day grid and a person's day with its
free time. No database, no PDF."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from events.agendas.documents import MIN_FREE, agenda_days, day_grid
from events.agendas.items import AgendaItem
from events.programme.models import Event

UTC = timezone.utc
START = datetime(2027, 5, 10, 7, 0, tzinfo=UTC)  # 09:00 in Berlin


def _at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def _session(sid: int, room: str, start: int, end: int):
    return SimpleNamespace(id=sid, room=SimpleNamespace(name=room) if room else None, starts_at=_at(start),
                           ends_at=_at(end))


def test_the_day_grid_has_a_column_per_room_and_a_second_lane_for_an_overlap():
    sessions = [_session(1, "Aula", 0, 60), _session(2, "Aula", 30, 90), _session(3, "Raum A", 0, 90),
                _session(4, "", 60, 90)]
    columns, rows = day_grid(sessions, ["Raum A", "Aula"])
    assert [(c.room, c.lane) for c in columns] == [("Raum A", 0), ("Aula", 0), ("Aula", 1), ("", 0)]
    assert [(start, end) for start, end, _cells in rows] == [(_at(0), _at(30)), (_at(30), _at(60)),
                                                             (_at(60), _at(90))]
    first_row = rows[0][2]
    assert first_row[0] == {"session": sessions[2], "span": 3} and first_row[1]["span"] == 2
    assert rows[1][2][0] is None and rows[2][2][0] is None  # covered by the 90-minute session above
    assert rows[1][2][2] == {"session": sessions[1], "span": 2} and rows[0][2][2] == {}


def _event() -> Event:
    return Event(timezone="Europe/Berlin", starts_at=_at(0), ends_at=_at(8 * 60))


def _item(uid: str, start: int, end: int) -> AgendaItem:
    return AgendaItem(uid=uid, kind="session", title=uid, starts_at=_at(start), ends_at=_at(end))


def test_a_persons_day_shows_free_time_of_at_least_a_quarter_hour_within_the_events_hours():
    items = [_item("a", 30, 90), _item("b", 100, 160), _item("c", 160, 200), _item("d", 300, 330)]
    (day,) = agenda_days(_event(), items)
    kinds = [(kind, value.uid if kind == "item" else value) for kind, value in day.rows]
    assert kinds == [("free", (_at(0), _at(30))), ("item", "a"), ("item", "b"), ("item", "c"),
                     ("free", (_at(200), _at(300))), ("item", "d"), ("free", (_at(330), _at(480)))]
    assert _at(100) - _at(90) < MIN_FREE  # ten minutes between a and b: no row of its own


def test_overlapping_items_leave_no_negative_free_time_and_days_are_split_by_local_date():
    items = [_item("long", 0, 240), _item("inside", 60, 120), _item("next day", 24 * 60, 24 * 60 + 60)]
    first, second = agenda_days(_event(), items)
    assert [kind for kind, _value in first.rows] == ["item", "item", "free"]
    assert first.rows[-1][1] == (_at(240), _at(480))
    assert second.rows[0][1].uid == "next day"  # at the opening hour: no free time before it
    assert agenda_days(_event(), []) == []
