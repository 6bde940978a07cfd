"""Clashes of the day's grid on plain values: rooms, speakers (folded, without titles), touching is no clash."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from events.programme.grid import ROOM, SPEAKER, clashes, clashes_with, day_grid, speaker_names

START = datetime(2027, 5, 10, 7, 0, tzinfo=timezone.utc)


def _s(sid, start, end, room=None, speakers=""):
    return SimpleNamespace(id=sid, title=f"S{sid}", starts_at=START + timedelta(minutes=start),
                           ends_at=START + timedelta(minutes=end), room_id=room,
                           room=SimpleNamespace(name=f"R{room}") if room else None, speakers=speakers)


def test_speakers_are_compared_folded_and_without_titles():
    assert speaker_names("Dr. Anna Müller, Ben Ito und Prof. Dr. Chen; 张伟") == {
        "anna muller", "ben ito", "chen", "张伟"}
    assert speaker_names("") == set() and speaker_names(None) == set()


def test_a_room_or_a_speaker_in_two_places_at_once_is_a_clash_touching_is_not():
    sessions = [_s(1, 0, 60, room=1, speakers="Anna Müller"), _s(2, 30, 90, room=1),
                _s(3, 30, 90, room=2, speakers="dr. anna muller"), _s(4, 60, 120, room=1, speakers="Anna Müller"),
                _s(5, 0, 60, room=None), _s(6, 0, 60, room=None)]
    found = clashes(sessions)
    assert [(c.kind, c.other.id) for c in found[1]] == [(ROOM, 2), (SPEAKER, 3)]
    assert [(c.kind, c.other.id) for c in found[2]] == [(ROOM, 1), (ROOM, 4)]
    assert [(c.kind, c.other.id, c.who) for c in found[4]] == [(ROOM, 2, ""), (SPEAKER, 3, "Anna Müller")]
    assert 5 not in found and 6 not in found  # no room: no room clash
    assert clashes_with(START + timedelta(minutes=60), START + timedelta(minutes=70), 1, "", sessions[:1]) == []


def test_the_grid_puts_a_clash_into_a_second_lane_of_its_room():
    sessions = [_s(1, 0, 60, room=1), _s(2, 30, 90, room=1)]
    columns, rows = day_grid(sessions, ["R1"])
    assert [(c.room, c.lane) for c in columns] == [("R1", 0), ("R1", 1)]
    assert rows[0][2][0]["span"] == 2 and rows[1][2][1]["session"].id == 2
