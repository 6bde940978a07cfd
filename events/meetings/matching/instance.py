"""The matcher's data model: an instance (slots, employers, attendees, fixed and forbidden meetings) and a schedule.

Reading and writing them as JSON, with input validation, is ``json_format.py``.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field, replace
from typing import Any

CEFR = ("A1", "A2", "B1", "B2", "C1", "C2")
CEFR_RANK = {lvl: i + 1 for i, lvl in enumerate(CEFR)}
CEFR_RANK["NATIVE"] = 7
JOB_TYPES = ("job", "internship", "phd", "mentoring", "innovation_project")
DEGREE_LEVELS = ("bachelor", "master", "phd", "other")
MODES = ("fair", "best_total")


class MatchingInputError(ValueError):
    """Malformed instance or schedule; the message names the offending field."""


@dataclass(frozen=True)
class Slot:
    id: str
    start: str | None = None
    end: str | None = None


@dataclass
class Employer:
    id: str
    name: str = ""
    tables: int = 1
    offers: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    degree_levels: tuple[str, ...] = ()          # empty = any degree accepted
    required_languages: dict[str, str] = dc_field(default_factory=dict)
    wishes: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    max_meetings: int | None = None               # None = tables * slots


@dataclass
class Attendee:
    id: str
    name: str = ""
    degree_level: str = ""
    field: str = ""
    languages: dict[str, str] = dc_field(default_factory=dict)
    seeks: tuple[str, ...] = ()
    wishes: tuple[str, ...] = ()                  # employer ids, rank order
    not_interested: tuple[str, ...] = ()
    busy_slots: tuple[str, ...] = ()
    max_meetings: int = 2


@dataclass(frozen=True)
class Meeting:
    attendee: str
    employer: str
    slot: str
    table: int
    score: int = 0
    reasons: tuple[tuple[str, int, str], ...] = ()
    kind: str = "new"                             # "new" | "pinned" | "existing"

    def key(self):
        return (self.attendee, self.employer, self.slot, self.table)


@dataclass
class Instance:
    slots: list[Slot]
    employers: list[Employer]
    attendees: list[Attendee]
    pinned: list[Meeting] = dc_field(default_factory=list)
    forbidden: set[tuple[str, str]] = dc_field(default_factory=set)
    existing: list[Meeting] = dc_field(default_factory=list)
    mode: str = "fair"

    def __post_init__(self):
        self.reindex()

    def reindex(self):
        self.slot_index = {s.id: i for i, s in enumerate(self.slots)}
        self.emp = {e.id: e for e in self.employers}
        self.att = {a.id: a for a in self.attendees}

    def employer_cap(self, e: Employer) -> int:
        full = e.tables * len(self.slots)
        return full if e.max_meetings is None else min(full, e.max_meetings)


def with_mode(inst: Instance, mode: str | None) -> Instance:
    """The instance with its objective ``mode`` overridden (``None`` keeps it)."""
    if mode is None or mode == inst.mode:
        return inst
    if mode not in MODES:
        raise MatchingInputError(f"mode: expected 'fair' or 'best_total', got {mode!r}")
    return replace(inst, mode=mode)


@dataclass
class Schedule:
    meetings: list[Meeting]
    stats: dict[str, Any]
