"""Synthetic, realistic-looking instances for tests and benchmarks.

``generate(attendees, employers, slots, seed)`` returns an :class:`Instance`:

* employers: 1-4 tables (35/35/20/10 %), 1-4 offered job types, 40 % accept any degree,
  language requirements (none 40 %, en B2 30 %, de B2 20 %, en B2 + de B1 10 %),
  1-3 fields, Zipf-like popularity (a few employers are wished by many);
* attendees: a profile (degree, job types sought, CEFR levels) is drawn from a prior
  and redrawn (up to 40 times) until 30-50 employers pass the hard filters (or all
  employers, for small events); 0-5 ranked wishes drawn by popularity, 20 % mark 1-3
  employers "not interested", ~20 % are busy in 1-3 consecutive slots, cap 2 or 3;
* 40 % of employers wish 1-8 candidate attendees (about half of them mutual wishes),
  10 % exclude 1-2 attendees.
"""
from __future__ import annotations

import random

from .instance import Attendee, Employer, Instance, Slot
from .scoring import profile_exclusion

FIELDS = ("computer science", "electrical engineering", "mechanical engineering", "economics",
          "business", "physics", "chemistry", "biology", "medicine", "mathematics", "law", "design")


def _pick(rng, weighted):
    r = rng.random() * sum(w for _, w in weighted)
    for v, w in weighted:
        r -= w
        if r <= 0:
            return v
    return weighted[-1][0]


def _weighted_sample(rng, items, weights, k):
    items, weights = list(items), list(weights)
    out = []
    for _ in range(min(k, len(items))):
        i = _pick(rng, list(zip(range(len(items)), weights)))
        out.append(items.pop(i))
        weights.pop(i)
    return out


def _employer(rng, i):
    probs = {"job": .8, "internship": .6, "mentoring": .4, "phd": .2, "innovation_project": .25}
    offers = [t for t, p in probs.items() if rng.random() < p] or ["job"]
    degrees = [] if rng.random() < .4 else ([d for d in ("bachelor", "master", "phd")
                                             if rng.random() < .6] or ["master"])
    langs = _pick(rng, [({}, .4), ({"en": "B2"}, .3), ({"de": "B2"}, .2), ({"en": "B2", "de": "B1"}, .1)])
    return Employer(id=f"e{i:04d}", name=f"Employer {i}", tables=_pick(rng, [(1, .35), (2, .35), (3, .2), (4, .1)]),
                    offers=tuple(sorted(offers)), fields=tuple(sorted(rng.sample(FIELDS, rng.randint(1, 3)))),
                    degree_levels=tuple(sorted(degrees)), required_languages=dict(langs))


def _profile(rng):
    degree = _pick(rng, [("bachelor", .3), ("master", .55), ("phd", .15)])
    probs = {"job": .7, "internship": .45, "mentoring": .3, "phd": .15, "innovation_project": .2}
    seeks = tuple(sorted(t for t, p in probs.items() if rng.random() < p)) or ("job",)
    langs = {"en": _pick(rng, [("B1", .15), ("B2", .35), ("C1", .35), ("C2", .15)])}
    de = _pick(rng, [(None, .35), ("A1", .15), ("A2", .15), ("B1", .12), ("B2", .1), ("C1", .08), ("C2", .05)])
    if de:
        langs["de"] = de
    if rng.random() < .15:
        langs["fr"] = _pick(rng, [("A2", 1), ("B1", 1), ("B2", 1), ("C1", 1)])
    return degree, seeks, langs


def _slots(n: int) -> list[Slot]:
    """``n`` ten-minute slots from 14:00."""
    out = []
    for k in range(n):
        m0 = 14 * 60 + 10 * k
        out.append(Slot(f"s{k + 1}", f"2026-06-01T{m0 // 60:02d}:{m0 % 60:02d}:00",
                        f"2026-06-01T{(m0 + 10) // 60:02d}:{(m0 + 10) % 60:02d}:00"))
    return out


class _Candidates:
    """The employers an attendee profile passes the hard filters of (cached per profile)."""

    def __init__(self, emps: list[Employer]):
        self.emps, self.cache = emps, {}

    def __call__(self, profile) -> list[Employer]:
        key = (profile[0], profile[1], tuple(sorted(profile[2].items())))
        if key not in self.cache:
            probe = Attendee(id="_", degree_level=profile[0], seeks=profile[1], languages=profile[2])
            self.cache[key] = [e for e in self.emps if profile_exclusion(probe, e) is None]
        return self.cache[key]


def _fitting_profile(rng, cands: _Candidates, lo: int, hi: int):
    """Redraw a profile (up to 40 times) until lo..hi employers pass its filters; else the closest one."""
    best = None
    for _ in range(40):
        prof = _profile(rng)
        n = len(cands(prof))
        dist = 0 if lo <= n <= hi else min(abs(n - lo), abs(n - hi))
        if best is None or dist < best[0]:
            best = (dist, prof)
        if dist == 0:
            break
    return best[1]


def _attendee(rng, i: int, profile, candidates: list[Employer], pop: dict[str, float],
              slot_list: list[Slot]) -> Attendee:
    degree, seeks, langs = profile
    nw = _pick(rng, [(0, .05), (1, .05), (2, .1), (3, .2), (4, .2), (5, .4)])
    wishes = [e.id for e in _weighted_sample(rng, candidates, [pop[e.id] for e in candidates], nw)]
    rest = [e.id for e in candidates if e.id not in wishes]
    ni = rng.sample(rest, min(len(rest), rng.randint(1, 3))) if rng.random() < .2 else []
    busy = []
    slots = len(slot_list)
    if rng.random() < .2 and slots > 1:
        ln = rng.randint(1, min(3, slots - 1))
        st = rng.randint(0, slots - ln)
        busy = [slot_list[k].id for k in range(st, st + ln)]
    return Attendee(id=f"a{i + 1:05d}", name=f"Attendee {i + 1}", degree_level=degree, field=rng.choice(FIELDS),
                    languages=dict(langs), seeks=seeks, wishes=tuple(wishes), not_interested=tuple(sorted(ni)),
                    busy_slots=tuple(busy), max_meetings=rng.choice((2, 3)))


def _employer_choices(rng, emps: list[Employer], atts: list[Attendee], cand_of: dict[str, list[str]]) -> None:
    """40 % of employers wish 1-8 candidates (about half of them mutual), 10 % exclude 1-2."""
    by_emp: dict[str, list[str]] = {e.id: [] for e in emps}
    for a in atts:
        for e_id in cand_of[a.id]:
            by_emp[e_id].append(a.id)
    wished_by: dict[str, list[str]] = {e.id: [] for e in emps}
    for a in atts:
        for e_id in a.wishes:
            wished_by[e_id].append(a.id)
    for e in emps:
        pool = by_emp[e.id]
        if pool and rng.random() < .4:
            k = rng.randint(1, min(8, len(pool)))
            mutual = rng.sample(wished_by[e.id], min(len(wished_by[e.id]), k // 2 + k % 2 * rng.randint(0, 1)))
            others = [a for a in pool if a not in mutual]
            w = mutual + rng.sample(others, min(len(others), k - len(mutual)))
            e.wishes = tuple(sorted(w))
        if pool and rng.random() < .1:
            others = [a for a in pool if a not in e.wishes]
            e.exclusions = tuple(sorted(rng.sample(others, min(len(others), rng.randint(1, 2)))))


def generate(attendees: int = 500, employers: int = 50, slots: int = 6, seed: int = 1,
             mode: str = "fair") -> Instance:
    rng = random.Random(seed)
    slot_list = _slots(slots)
    emps = [_employer(rng, i + 1) for i in range(employers)]
    pop = {e.id: 1.0 / (i + 1) ** 0.8 for i, e in enumerate(rng.sample(emps, len(emps)))}
    cands = _Candidates(emps)
    atts, cand_of = [], {}
    for i in range(attendees):
        profile = _fitting_profile(rng, cands, min(30, employers), min(50, employers))
        att = _attendee(rng, i, profile, cands(profile), pop, slot_list)
        atts.append(att)
        cand_of[att.id] = [e.id for e in cands(profile) if e.id not in att.not_interested]
    _employer_choices(rng, emps, atts, cand_of)
    return Instance(slot_list, emps, atts, mode=mode)


def generate_busy(attendees: int = 500, employers: int = 40, slots: int = 6, seed: int = 1,
                  mode: str = "fair") -> Instance:
    """Heavily busy: as ``generate``, but every attendee is busy in 0 to ``slots - 1`` random slots (workshops
    all afternoon), so where each meeting goes matters and the flow relaxation alone is no longer exact."""
    inst = generate(attendees, employers, slots, seed, mode=mode)
    rng = random.Random(seed * 7919 + 1)
    ids = [s.id for s in inst.slots]
    for a in inst.attendees:
        a.busy_slots = tuple(sorted(rng.sample(ids, rng.randint(0, slots - 1)), key=ids.index))
    return inst


def generate_small(seed: int, attendees: int = 10, employers: int = 3, slots: int = 3, mode: str = "fair") -> Instance:
    """A tiny, heavily busy instance (the 10 x 3 x 3 family of issue 13): 1-2 tables, few filters, caps 1-3."""
    rng = random.Random(seed)
    slot_list = _slots(slots)
    ids = [s.id for s in slot_list]
    emps = [Employer(id=f"e{j + 1}", name=f"Employer {j + 1}", tables=rng.choice((1, 1, 2)),
                     required_languages=rng.choice(({}, {}, {"de": "B1"})),
                     max_meetings=rng.choice((None, None, 2, 4))) for j in range(employers)]
    atts = []
    for i in range(attendees):
        langs = {"en": "C1", **({"de": rng.choice(("A2", "B1", "C1"))} if rng.random() < .6 else {})}
        wishes = rng.sample([e.id for e in emps], rng.randint(0, employers))
        atts.append(Attendee(id=f"a{i + 1:02d}", name=f"Attendee {i + 1}", languages=langs, wishes=tuple(wishes),
                             busy_slots=tuple(sorted(rng.sample(ids, rng.randint(0, slots - 1)), key=ids.index)),
                             max_meetings=rng.choice((1, 2, 2, 3))))
    for e in emps:
        e.wishes = tuple(sorted(rng.sample([a.id for a in atts], rng.randint(0, 2))))
    return Instance(slot_list, emps, atts, mode=mode)
