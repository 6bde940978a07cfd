"""The day at a glance: rooms × time, and the clashes in it. Pure functions on sessions (anything with ``id``,
``room``, ``room_id``, ``starts_at``, ``ends_at``, ``speakers``): no database, tested in tests/programme/test_grid.py.

The programme booklet (events/agendas/documents.py) and the console's grid (events/programme/staff.py) both draw
``day_grid``; the console also marks what ``clashes`` finds: two sessions in one room at once, or one speaker in
two places at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from app.content import localized
from app.text import fold

ROOM, SPEAKER = "room", "speaker"
_TITLE = re.compile(r"^(?:\w{1,5}\.)+$")  # "dr.", "prof.", "dr.-ing." is kept: only short words with a dot
_SPEAKER_SPLIT = re.compile(r"\s*(?:[,;/&+\n]|\band\b|\bund\b|\ben\b)\s*", re.IGNORECASE)


@dataclass
class Column:
    room: str          # "" for sessions without a room
    lane: int = 0      # a second lane when two sessions overlap in one room
    ends: list = field(default_factory=list)
    label: str = ""    # the room's name in the reader's language (app/content.py)


def day_grid(sessions: list, room_order: list[str]) -> tuple[list[Column], list]:
    """One column per room (and lane), one row per time slice between start/end times; a cell is None (covered
    by a session above), {} (free) or {"session": s, "span": rows}."""
    columns: list[Column] = []
    placed: dict[int, int] = {}
    rank = {name: i for i, name in enumerate(room_order)}
    for s in sorted(sessions, key=lambda s: (s.starts_at, s.id)):
        room = s.room.name if s.room else ""
        column = next((c for c in columns if c.room == room and c.ends[-1] <= s.starts_at), None)
        if column is None:
            column = Column(room, sum(1 for c in columns if c.room == room), label=localized(s.room, "name"))
            columns.append(column)
        column.ends.append(s.ends_at)
        placed[s.id] = id(column)
    columns.sort(key=lambda c: (c.room == "", rank.get(c.room, len(rank)), c.room, c.lane))
    index = {id(c): i for i, c in enumerate(columns)}
    bounds = sorted({s.starts_at for s in sessions} | {s.ends_at for s in sessions})
    rows = [(start, end, [{} for _ in columns]) for start, end in zip(bounds, bounds[1:])]
    row_of = {start: i for i, (start, _, _) in enumerate(rows)}
    for s in sessions:
        if s.starts_at not in row_of:  # no length (nothing stored can be so: the database refuses it)
            continue
        col, first = index[placed[s.id]], row_of[s.starts_at]
        span = max(1, sum(1 for start, end, _ in rows[first:] if end <= s.ends_at))
        rows[first][2][col] = {"session": s, "span": span}
        for r in range(first + 1, first + span):
            rows[r][2][col] = None
    return columns, rows


def _name_key(name: str) -> str:
    """A speaker's name as compared: folded, without titles ("Dr. Anna  Müller" → "anna muller")."""
    return " ".join(w for w in fold(name).split() if not _TITLE.match(w))


def _speakers(text: str | None) -> dict[str, str]:
    """The speakers of a session, by compared name, as written."""
    found = {}
    for name in _SPEAKER_SPLIT.split(text or ""):
        if _name_key(name):
            found.setdefault(_name_key(name), name.strip())
    return found


def speaker_names(text: str | None) -> set[str]:
    """The speakers of a session as compared names ("Dr. Anna Müller, Ben Ito" → {"anna muller", "ben ito"})."""
    return set(_speakers(text))


@dataclass(frozen=True)
class Clash:
    kind: str        # ROOM or SPEAKER
    other: object    # the other session
    who: str = ""    # the speaker's name as written, for SPEAKER

    def describe(self) -> dict:
        return {"kind": self.kind, "session_id": self.other.id, "title": self.other.title, "who": self.who}


def _overlap(a_start: datetime, a_end: datetime, b) -> bool:
    return a_start < b.ends_at and b.starts_at < a_end


def clashes_with(starts_at: datetime, ends_at: datetime, room_id: int | None, speakers: str, others: list,
                 own_id: int | None = None) -> list[Clash]:
    """What a session at these times, in this room, with these speakers, clashes with among ``others``."""
    names = _speakers(speakers)
    found = []
    for other in sorted(others, key=lambda o: (o.starts_at, o.id)):
        if other.id == own_id or not _overlap(starts_at, ends_at, other):
            continue
        if room_id is not None and other.room_id == room_id:
            found.append(Clash(ROOM, other))
        for shared in sorted(set(names) & speaker_names(other.speakers)):
            found.append(Clash(SPEAKER, other, names[shared]))
    return found


def clashes(sessions: list) -> dict[int, list[Clash]]:
    """Every session's clashes with the others (sessions without any are left out)."""
    found = {}
    for s in sessions:
        mine = clashes_with(s.starts_at, s.ends_at, s.room_id, s.speakers, sessions, own_id=s.id)
        if mine:
            found[s.id] = mine
    return found
