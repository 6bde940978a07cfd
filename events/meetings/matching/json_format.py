"""The JSON format ``"welcomeday.match/1"`` of instances and schedules (see README.md in this package): reading
with input validation, and writing.

All ids are strings (integers in the JSON are accepted and converted to strings).
Every structural error raises :class:`MatchingInputError` whose message starts with
the path of the offending field, e.g. ``attendees[3].wishes[1]: unknown employer id 'e9'``.
"""
from __future__ import annotations

import json

from .instance import (CEFR_RANK, JOB_TYPES, MODES, Attendee, Employer, Instance, MatchingInputError, Meeting,
                       Schedule, Slot)
from .scoring import is_allowed

FORMAT = "welcomeday.match/1"


# ----------------------------------------------------------------- parsing helpers
def _err(path: str, msg: str) -> MatchingInputError:
    return MatchingInputError(f"{path}: {msg}")


def _id(v, path) -> str:
    if isinstance(v, bool) or not isinstance(v, (str, int)) or v == "":
        raise _err(path, f"expected a non-empty string or integer id, got {v!r}")
    return str(v)


def _int(v, path, lo=None, hi=None) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _err(path, f"expected an integer, got {v!r}")
    if lo is not None and v < lo:
        raise _err(path, f"must be >= {lo}, got {v}")
    if hi is not None and v > hi:
        raise _err(path, f"must be <= {hi}, got {v}")
    return v


def _str(v, path, default="") -> str:
    if v is None:
        return default
    if not isinstance(v, str):
        raise _err(path, f"expected a string, got {v!r}")
    return v


def _list(d, key, path) -> list:
    v = d.get(key, [])
    if v is None:
        return []
    if not isinstance(v, list):
        raise _err(f"{path}.{key}" if path else key, f"expected a list, got {type(v).__name__}")
    return v


def _ids(d, key, path) -> tuple[str, ...]:
    p = f"{path}.{key}"
    out = [_id(x, f"{p}[{i}]") for i, x in enumerate(_list(d, key, path))]
    if len(set(out)) != len(out):
        raise _err(p, "contains duplicate ids")
    return tuple(out)


def _langs(d, key, path) -> dict[str, str]:
    v = d.get(key) or {}
    p = f"{path}.{key}"
    if not isinstance(v, dict):
        raise _err(p, "expected an object {language: CEFR level}")
    out = {}
    for lang, lvl in v.items():
        if not isinstance(lvl, str) or lvl.upper() not in CEFR_RANK:
            raise _err(f"{p}.{lang}", f"unknown CEFR level {lvl!r} (use A1..C2 or native)")
        out[str(lang).lower()] = lvl.upper()
    return out


def _strs(d, key, path, allowed=None) -> tuple[str, ...]:
    p = f"{path}.{key}"
    out = []
    for i, x in enumerate(_list(d, key, path)):
        s = _str(x, f"{p}[{i}]").strip().lower()
        if allowed is not None and s not in allowed:
            raise _err(f"{p}[{i}]", f"unknown value {x!r} (allowed: {', '.join(allowed)})")
        out.append(s)
    return tuple(sorted(set(out)))


def _obj(x, path) -> dict:
    if not isinstance(x, dict):
        raise _err(path, f"expected an object, got {type(x).__name__}")
    return x


def _meeting(x, path, kind) -> Meeting:
    if isinstance(x, (list, tuple)):
        if len(x) != 4:
            raise _err(path, "expected [attendee, employer, slot, table]")
        x = dict(zip(("attendee", "employer", "slot", "table"), x))
    x = _obj(x, path)
    for k in ("attendee", "employer", "slot", "table"):
        if k not in x:
            raise _err(f"{path}.{k}", "missing")
    return Meeting(_id(x["attendee"], f"{path}.attendee"), _id(x["employer"], f"{path}.employer"),
                   _id(x["slot"], f"{path}.slot"), _int(x["table"], f"{path}.table", 0), kind=kind)


# ----------------------------------------------------------------- instance
def instance_from_dict(d: dict) -> Instance:
    """Parse and validate an instance dict; raises MatchingInputError."""
    d = _obj(d, "instance")
    if d.get("format") != FORMAT:
        raise _err("format", f"expected {FORMAT!r}, got {d.get('format')!r}")
    mode = d.get("mode", "fair")
    if mode not in MODES:
        raise _err("mode", f"expected one of {MODES}, got {mode!r}")
    slots = []
    for i, s in enumerate(_list(d, "slots", "")):
        p = f"slots[{i}]"
        if isinstance(s, (str, int)) and not isinstance(s, bool):
            s = {"id": s}
        s = _obj(s, p)
        slots.append(Slot(_id(s.get("id"), f"{p}.id"), _str(s.get("start"), f"{p}.start", None),
                          _str(s.get("end"), f"{p}.end", None)))
    if not slots:
        raise _err("slots", "at least one slot is required")
    emps = []
    for i, e in enumerate(_list(d, "employers", "")):
        p = f"employers[{i}]"
        e = _obj(e, p)
        mm = e.get("max_meetings")
        emps.append(Employer(
            id=_id(e.get("id"), f"{p}.id"), name=_str(e.get("name"), f"{p}.name"),
            tables=_int(e.get("tables", 1), f"{p}.tables", 1, 50),
            offers=_strs(e, "offers", p, JOB_TYPES), fields=_strs(e, "fields", p),
            degree_levels=_strs(e, "degree_levels", p),
            required_languages=_langs(e, "required_languages", p),
            wishes=_ids(e, "wishes", p), exclusions=_ids(e, "exclusions", p),
            max_meetings=None if mm is None else _int(mm, f"{p}.max_meetings", 0)))
    atts = []
    for i, a in enumerate(_list(d, "attendees", "")):
        p = f"attendees[{i}]"
        a = _obj(a, p)
        atts.append(Attendee(
            id=_id(a.get("id"), f"{p}.id"), name=_str(a.get("name"), f"{p}.name"),
            degree_level=_str(a.get("degree_level"), f"{p}.degree_level").strip().lower(),
            field=_str(a.get("field"), f"{p}.field").strip().lower(),
            languages=_langs(a, "languages", p), seeks=_strs(a, "seeks", p, JOB_TYPES),
            wishes=_ids(a, "wishes", p), not_interested=_ids(a, "not_interested", p),
            busy_slots=_ids(a, "busy_slots", p),
            max_meetings=_int(a.get("max_meetings", 2), f"{p}.max_meetings", 0)))
    forbidden = set()
    for i, f in enumerate(_list(d, "forbidden", "")):
        p = f"forbidden[{i}]"
        if isinstance(f, dict):
            f = [f.get("attendee"), f.get("employer")]
        if not isinstance(f, (list, tuple)) or len(f) != 2:
            raise _err(p, "expected [attendee, employer] or {attendee, employer}")
        forbidden.add((_id(f[0], f"{p}.attendee"), _id(f[1], f"{p}.employer")))
    pinned = [_meeting(x, f"pinned[{i}]", "pinned") for i, x in enumerate(_list(d, "pinned", ""))]
    existing = [_meeting(x, f"existing[{i}]", "existing")
                for i, x in enumerate(_list(d, "existing", ""))]
    inst = Instance(slots, emps, atts, pinned, forbidden, existing, mode)
    check_instance(inst)
    return inst


def check_instance(inst: Instance) -> None:
    """Cross-reference checks (unknown ids, duplicates, infeasible fixed meetings)."""
    for name, items in (("slots", inst.slots), ("employers", inst.employers),
                        ("attendees", inst.attendees)):
        seen = set()
        for i, x in enumerate(items):
            if x.id in seen:
                raise _err(f"{name}[{i}].id", f"duplicate id {x.id!r}")
            seen.add(x.id)
    for i, e in enumerate(inst.employers):
        for k in ("wishes", "exclusions"):
            for j, a in enumerate(getattr(e, k)):
                if a not in inst.att:
                    raise _err(f"employers[{i}].{k}[{j}]", f"unknown attendee id {a!r}")
    for i, a in enumerate(inst.attendees):
        for k in ("wishes", "not_interested"):
            for j, e in enumerate(getattr(a, k)):
                if e not in inst.emp:
                    raise _err(f"attendees[{i}].{k}[{j}]", f"unknown employer id {e!r}")
        for j, s in enumerate(a.busy_slots):
            if s not in inst.slot_index:
                raise _err(f"attendees[{i}].busy_slots[{j}]", f"unknown slot id {s!r}")
    for i, (a, e) in enumerate(sorted(inst.forbidden)):
        if a not in inst.att:
            raise _err("forbidden", f"unknown attendee id {a!r}")
        if e not in inst.emp:
            raise _err("forbidden", f"unknown employer id {e!r}")
    att_slot, table_slot, pairs = {}, {}, {}
    a_count, e_count = {}, {}
    for name, ms in (("pinned", inst.pinned), ("existing", inst.existing)):
        for i, m in enumerate(ms):
            p = f"{name}[{i}]"
            if m.attendee not in inst.att:
                raise _err(f"{p}.attendee", f"unknown attendee id {m.attendee!r}")
            if m.employer not in inst.emp:
                raise _err(f"{p}.employer", f"unknown employer id {m.employer!r}")
            if m.slot not in inst.slot_index:
                raise _err(f"{p}.slot", f"unknown slot id {m.slot!r}")
            emp, att = inst.emp[m.employer], inst.att[m.attendee]
            if m.table >= emp.tables:
                raise _err(f"{p}.table", f"table {m.table} but employer {emp.id!r} has {emp.tables}")
            if m.slot in att.busy_slots:
                raise _err(f"{p}.slot", f"attendee {att.id!r} is busy in slot {m.slot!r}")
            ok, why = is_allowed(inst, att, emp)
            if not ok:
                raise _err(p, f"pair ({att.id!r}, {emp.id!r}) is not allowed: {why}")
            for dct, key, what in ((att_slot, (m.attendee, m.slot), "attendee already meets someone in this slot"),
                                   (table_slot, (m.employer, m.table, m.slot), "table already used in this slot"),
                                   (pairs, (m.attendee, m.employer), "pair already has a fixed meeting")):
                if key in dct:
                    raise _err(p, f"conflicts with {dct[key]}: {what}")
                dct[key] = p
            a_count[att.id] = a_count.get(att.id, 0) + 1
            e_count[emp.id] = e_count.get(emp.id, 0) + 1
            if a_count[att.id] > att.max_meetings:
                raise _err(p, f"attendee {att.id!r} exceeds max_meetings={att.max_meetings}")
            if e_count[emp.id] > inst.employer_cap(emp):
                raise _err(p, f"employer {emp.id!r} exceeds its meeting cap")


def instance_to_dict(inst: Instance) -> dict:
    def m(x: Meeting):
        return {"attendee": x.attendee, "employer": x.employer, "slot": x.slot, "table": x.table}
    return {
        "format": FORMAT, "mode": inst.mode,
        "slots": [{k: v for k, v in (("id", s.id), ("start", s.start), ("end", s.end)) if v is not None}
                  for s in inst.slots],
        "employers": [{"id": e.id, "name": e.name, "tables": e.tables, "offers": list(e.offers),
                       "fields": list(e.fields), "degree_levels": list(e.degree_levels),
                       "required_languages": dict(e.required_languages), "wishes": list(e.wishes),
                       "exclusions": list(e.exclusions), "max_meetings": e.max_meetings}
                      for e in inst.employers],
        "attendees": [{"id": a.id, "name": a.name, "degree_level": a.degree_level, "field": a.field,
                       "languages": dict(a.languages), "seeks": list(a.seeks), "wishes": list(a.wishes),
                       "not_interested": list(a.not_interested), "busy_slots": list(a.busy_slots),
                       "max_meetings": a.max_meetings} for a in inst.attendees],
        "pinned": [m(x) for x in inst.pinned],
        "forbidden": [list(p) for p in sorted(inst.forbidden)],
        "existing": [m(x) for x in inst.existing],
    }


def load_instance(path: str) -> Instance:
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
    except json.JSONDecodeError as exc:
        raise MatchingInputError(f"{path}: invalid JSON: {exc}") from exc
    return instance_from_dict(d)


def dump_instance(inst: Instance, path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(instance_to_dict(inst), f, indent=1, sort_keys=True)


# ----------------------------------------------------------------- schedule
def meeting_to_dict(m: Meeting) -> dict:
    return {"attendee": m.attendee, "employer": m.employer, "slot": m.slot, "table": m.table,
            "score": m.score, "kind": m.kind,
            "reasons": [{"code": c, "points": p, "text": t} for c, p, t in m.reasons]}


def schedule_to_dict(s: Schedule) -> dict:
    return {"format": FORMAT, "meetings": [meeting_to_dict(m) for m in s.meetings], "stats": s.stats}


def schedule_from_dict(d: dict) -> Schedule:
    d = _obj(d, "schedule")
    if d.get("format") != FORMAT:
        raise _err("format", f"expected {FORMAT!r}, got {d.get('format')!r}")
    ms = []
    for i, x in enumerate(_list(d, "meetings", "")):
        base = _meeting(x, f"meetings[{i}]", x.get("kind", "new") if isinstance(x, dict) else "new")
        reasons = tuple((r["code"], r["points"], r["text"]) for r in x.get("reasons", []))
        ms.append(Meeting(base.attendee, base.employer, base.slot, base.table,
                          x.get("score", 0), reasons, base.kind))
    return Schedule(ms, dict(d.get("stats", {})))


def dump_schedule(s: Schedule, path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(schedule_to_dict(s), f, indent=1, sort_keys=True)
