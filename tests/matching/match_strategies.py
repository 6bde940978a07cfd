"""Hypothesis strategies and a brute-force optimum for small matching instances."""
from __future__ import annotations

import itertools

from hypothesis import strategies as st

from events.meetings.matching.instance import MatchingInputError
from events.meetings.matching.json_format import FORMAT, instance_from_dict
from events.meetings.matching.scoring import candidate_pairs

TYPES = ["job", "internship", "phd", "mentoring", "innovation_project"]
LEVELS = ["A1", "A2", "B1", "B2", "C1", "C2"]


@st.composite
def instance_dicts(draw, max_att=5, max_emp=3, max_slots=3, busy=True, pins=True, max_tables=3):
    ns = draw(st.integers(1, max_slots))
    ne = draw(st.integers(1, max_emp))
    na = draw(st.integers(1, max_att))
    slots = [f"s{i}" for i in range(ns)]
    emps = [f"e{i}" for i in range(ne)]
    atts = [f"a{i}" for i in range(na)]
    ed = []
    for e in emps:
        ed.append({
            "id": e, "name": e.upper(), "tables": draw(st.integers(1, max_tables)),
            "offers": draw(st.lists(st.sampled_from(TYPES[:2]), max_size=2, unique=True)),
            "fields": draw(st.lists(st.sampled_from(["cs", "bio", "eco"]), max_size=2, unique=True)),
            "degree_levels": draw(st.sampled_from([[], [], [], ["master", "phd"]])),
            "required_languages": draw(st.sampled_from([{}, {}, {}, {"en": "B1"}, {"de": "A2"}])),
            "wishes": draw(st.lists(st.sampled_from(atts), max_size=2, unique=True)),
            "exclusions": draw(st.sampled_from([[], [], [], [atts[-1]]])),
            "max_meetings": draw(st.one_of(st.none(), st.integers(0, 4))),
        })
    ad = []
    for a in atts:
        ad.append({
            "id": a, "name": a.upper(),
            "degree_level": draw(st.sampled_from(["bachelor", "master", "phd"])),
            "field": draw(st.sampled_from(["cs", "bio", "eco", ""])),
            "languages": {"en": draw(st.sampled_from(LEVELS[1:])),
                          **({"de": draw(st.sampled_from(LEVELS))} if draw(st.booleans()) else {})},
            "seeks": draw(st.lists(st.sampled_from(TYPES[:2]), max_size=2, unique=True)),
            "wishes": draw(st.permutations(emps).map(lambda p: p[:draw(st.integers(0, len(p)))])),
            "not_interested": draw(st.sampled_from([[], [], [], [emps[-1]]])),
            "busy_slots": draw(st.lists(st.sampled_from(slots), max_size=ns - 1, unique=True)) if busy else [],
            "max_meetings": draw(st.sampled_from([0, 1, 2, 2, 3, 3])),
        })
    for a in ad:
        a["not_interested"] = [e for e in a["not_interested"] if e not in a["wishes"]]
    forbidden = draw(st.lists(st.tuples(st.sampled_from(atts), st.sampled_from(emps)), max_size=2, unique=True))
    d = {"format": FORMAT, "mode": draw(st.sampled_from(["fair", "best_total"])), "slots": [{"id": s} for s in slots],
         "employers": ed, "attendees": ad, "forbidden": [list(f) for f in forbidden], "pinned": [], "existing": []}
    if pins:
        tries = draw(st.lists(st.tuples(st.sampled_from(["pinned", "existing"]), st.sampled_from(atts),
                                        st.sampled_from(emps), st.sampled_from(slots), st.integers(0, max_tables - 1)),
                              max_size=4))
        for kind, a, e, s, t in tries:
            d[kind].append({"attendee": a, "employer": e, "slot": s, "table": t})
            try:
                instance_from_dict(d)
            except MatchingInputError:
                d[kind].pop()
    return d


def brute_force(inst):
    """Best objective key over all feasible schedules (no fixed meetings supported).
    Returns {'fair': (c1, c2, total), 'best_total': (total,)} for the instance."""
    assert not inst.pinned and not inst.existing
    cands = candidate_pairs(inst)
    pairs = sorted((a, e, sc) for a, lst in cands.items() for e, sc in lst)
    slot_ids = [s.id for s in inst.slots]

    def placeable(chosen):
        order = sorted(chosen)
        att_used, emp_used = set(), {}

        def rec(i):
            if i == len(order):
                return True
            a, e, _ = order[i]
            att = inst.att[a]
            for s in slot_ids:
                if s in att.busy_slots or (a, s) in att_used or emp_used.get((e, s), 0) >= inst.emp[e].tables:
                    continue
                att_used.add((a, s))
                emp_used[(e, s)] = emp_used.get((e, s), 0) + 1
                ok = rec(i + 1)
                att_used.discard((a, s))
                emp_used[(e, s)] -= 1
                if ok:
                    return True
            return False
        return rec(0)

    best = {"fair": (0, 0, 0), "best_total": (0,)}
    for r in range(1, len(pairs) + 1):
        for chosen in itertools.combinations(pairs, r):
            ac, ec = {}, {}
            for a, e, _ in chosen:
                ac[a] = ac.get(a, 0) + 1
                ec[e] = ec.get(e, 0) + 1
            if any(c > inst.att[a].max_meetings for a, c in ac.items()):
                continue
            if any(c > inst.employer_cap(inst.emp[e]) for e, c in ec.items()):
                continue
            total = sum(sc for _, _, sc in chosen)
            fair = (len(ac), sum(1 for c in ac.values() if c >= 2), total)
            if fair <= best["fair"] and (total,) <= best["best_total"]:
                continue
            if placeable(chosen):
                best["fair"] = max(best["fair"], fair)
                best["best_total"] = max(best["best_total"], (total,))
    return best
