"""Objective, scoring of placed meetings and schedule statistics (shared)."""
from __future__ import annotations

from dataclasses import replace

from .instance import Instance, Meeting, Schedule
from .scoring import mutual_pairs, score_pair


def objective(inst: Instance, meetings) -> dict:
    """{'attendees_1plus', 'attendees_2plus', 'total_score', 'meetings'} of a meeting list
    (meeting scores are recomputed, so unscored meetings are fine)."""
    per = {}
    total = 0
    for m in meetings:
        per[m.attendee] = per.get(m.attendee, 0) + 1
        total += score_pair(inst, inst.att[m.attendee], inst.emp[m.employer])[0]
    return {"attendees_1plus": sum(1 for c in per.values() if c >= 1),
            "attendees_2plus": sum(1 for c in per.values() if c >= 2),
            "total_score": total, "meetings": len(meetings)}


def objective_key(mode: str, obj: dict) -> tuple:
    """Comparable key: larger is better ('fair' is lexicographic)."""
    if mode == "fair":
        return (obj["attendees_1plus"], obj["attendees_2plus"], obj["total_score"])
    return (obj["total_score"],)


def with_scores(inst: Instance, meetings) -> list[Meeting]:
    out = []
    for m in meetings:
        s, r = score_pair(inst, inst.att[m.attendee], inst.emp[m.employer])
        out.append(replace(m, score=s, reasons=tuple(r)))
    return out


def _pct(x, b):
    return round(100.0 * x / b, 2) if b else 100.0


def make_schedule(inst: Instance, meetings, bound: dict, *, runtime: float, solver: str,
                  placement_loss: int, extra: dict | None = None) -> Schedule:
    meetings = with_scores(inst, meetings)
    obj = objective(inst, meetings)
    per = {a.id: 0 for a in inst.attendees}
    placed = set()
    for m in meetings:
        per[m.attendee] += 1
        placed.add((m.attendee, m.employer))
    mutual = mutual_pairs(inst)
    honoured = len(mutual & placed)
    capacity = sum(e.tables for e in inst.employers) * len(inst.slots)
    stats = {
        "solver": solver,
        "mode": inst.mode,
        "attendees": len(inst.attendees), "employers": len(inst.employers), "slots": len(inst.slots),
        "objective": obj,
        "upper_bound": bound,
        "percent_of_bound": _pct(obj["total_score"], bound["total_score"]),
        "percent_of_bound_detail": {k: _pct(obj[k], bound[k]) for k in
                                    ("attendees_1plus", "attendees_2plus", "total_score", "meetings")},
        "coverage": {"0": sum(1 for c in per.values() if c == 0),
                     "1": sum(1 for c in per.values() if c == 1),
                     "2+": sum(1 for c in per.values() if c >= 2)},
        "mutual_wishes_honoured": {"count": honoured, "total": len(mutual),
                                   "share": round(honoured / len(mutual), 4) if mutual else 1.0},
        "table_utilisation": round(len(meetings) / capacity, 4) if capacity else 0.0,
        "placement_loss": placement_loss,
        "runtime_seconds": round(runtime, 3),
    }
    if extra:
        stats.update(extra)
    return Schedule(meetings, stats)
