"""All allowed pairs and their scores as numpy arrays, grouped by attendee (CSR), for large instances.

The same hard filters and points as ``scoring.py`` (``candidate_pairs`` gives the same pairs and scores; a test
compares them), but computed per attendee profile over all employers at once with numpy instead of pair by pair in
Python: 20,000 attendees x 1,000 employers take about a second instead of twenty, and no Python object per pair.

Indices: attendees and employers in id order (``att_ids``, ``emp_ids``); the pairs of attendee ``i`` are
``emp[start[i]:start[i + 1]]`` with ``score[...]``, sorted by (-score, employer id) like ``candidate_pairs``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


from .instance import CEFR_RANK, Instance
from .scoring import WEIGHTS


@dataclass
class Pairs:
    att_ids: list[str]
    emp_ids: list[str]
    start: np.ndarray          # int64, len(att_ids) + 1
    emp: np.ndarray            # int32 employer index per pair
    score: np.ndarray          # int32 score per pair

    @cached_property
    def att(self) -> np.ndarray:
        """Attendee index per pair."""
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        return np.repeat(np.arange(len(self.att_ids), dtype=np.int32), np.diff(self.start))

    def find(self, keys) -> np.ndarray:
        """Indices of the given allowed (attendee id, employer id) pairs (pairs not allowed are left out)."""
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        if not keys:
            return np.zeros(0, dtype=np.int64)
        if not hasattr(self, "_sorted"):
            a_index = {a: i for i, a in enumerate(self.att_ids)}
            e_index = {e: j for j, e in enumerate(self.emp_ids)}
            key = self.att.astype(np.int64) * len(self.emp_ids) + self.emp
            order = np.argsort(key, kind="stable")
            self._sorted = (a_index, e_index, key[order], order)
        a_index, e_index, skey, order = self._sorted
        ks = np.array([a_index[a] * len(self.emp_ids) + e_index[e] for a, e in keys
                       if a in a_index and e in e_index], dtype=np.int64)
        pos = np.minimum(np.searchsorted(skey, ks), max(len(skey) - 1, 0))
        hit = skey[pos] == ks if len(skey) else np.zeros(len(ks), dtype=bool)
        return np.sort(order[pos[hit]])

    def ids(self, k: int) -> tuple[str, str]:
        return self.att_ids[self.att_of(k)], self.emp_ids[int(self.emp[k])]

    def att_of(self, k: int) -> int:
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        return int(np.searchsorted(self.start, k, side="right") - 1)

    def as_dict(self) -> dict[str, list[tuple[str, int]]]:
        """The ``candidate_pairs`` shape: attendee id -> [(employer id, score)]."""
        emp, score, start, ids = self.emp.tolist(), self.score.tolist(), self.start.tolist(), self.emp_ids
        return {a: [(ids[emp[k]], score[k]) for k in range(start[i], start[i + 1])]
                for i, a in enumerate(self.att_ids)}


class _Employers:
    """Employer attributes as arrays over the employers in id order."""

    def __init__(self, inst: Instance):
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        emps = sorted(inst.employers, key=lambda e: e.id)
        self.ids = [e.id for e in emps]
        self.index = {e: j for j, e in enumerate(self.ids)}
        n = len(emps)
        self.langs = sorted({lang for e in emps for lang in e.required_languages})
        self.req = np.zeros((n, len(self.langs)), dtype=np.int8)          # 0 = not required
        for j, e in enumerate(emps):
            for lang, lvl in e.required_languages.items():
                self.req[j, self.langs.index(lang)] = CEFR_RANK[lvl]
        self.has_req = self.req.any(axis=1)
        self.types = sorted({t for e in emps for t in e.offers} | {t for a in inst.attendees for t in a.seeks})
        self.offers = np.array([self._bits(e.offers) for e in emps], dtype=np.int64)
        # job types come from a fixed vocabulary of five (validated), so a table of bit counts is small
        self.popcount = np.array([bin(c).count("1") for c in range(1 << len(self.types))], dtype=np.int32)
        self.any_degree = np.array([not e.degree_levels for e in emps], dtype=bool)
        self.degree_sets = [set(e.degree_levels) for e in emps]
        self.field_sets = [set(e.fields) for e in emps]
        self._degree_cache: dict[str, np.ndarray] = {}
        self._field_cache: dict[str, np.ndarray] = {}

    def _bits(self, types) -> int:
        return sum(1 << self.types.index(t) for t in set(types))

    def accepts_degree(self, degree: str) -> np.ndarray:
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        if degree not in self._degree_cache:
            self._degree_cache[degree] = self.any_degree | np.array([degree in s for s in self.degree_sets],
                                                                    dtype=bool)
        return self._degree_cache[degree]

    def field_points(self, field: str) -> np.ndarray:
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        if field not in self._field_cache:
            hit = np.array([bool(field) and field in s for s in self.field_sets], dtype=np.int32)
            self._field_cache[field] = hit * WEIGHTS["field_match"]
        return self._field_cache[field]

    def profile(self, degree: str, seeks: tuple[str, ...], languages: dict[str, str]):
        """(allowed by the profile filters, static points without the field) over all employers."""
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        have = np.array([CEFR_RANK[languages[lang]] if lang in languages else 0 for lang in self.langs],
                        dtype=np.int8)
        lang_ok = (self.req <= have).all(axis=1) if self.langs else np.ones(len(self.ids), dtype=bool)
        seeks_bits = self._bits(seeks)
        common = self.offers & seeks_bits
        type_ok = (self.offers == 0) | (seeks_bits == 0) | (common != 0)
        allowed = lang_ok & type_ok & self.accepts_degree(degree)
        above = np.where(self.req > 0, have.astype(np.int32) - self.req, 0).sum(axis=1) if self.langs else 0
        lang_pts = np.where(self.has_req, np.clip(WEIGHTS["language_fit_per_level"] * above, 0,
                                                  WEIGHTS["language_fit_max"]), 0)
        ncommon = self.popcount[common]
        type_pts = np.minimum(WEIGHTS["job_type_overlap_max"], WEIGHTS["job_type_overlap_per_type"] * ncommon)
        return allowed, (lang_pts + type_pts).astype(np.int32)


def _wish_points(rank: int) -> int:
    ws = WEIGHTS["attendee_wish"]
    return ws[rank - 1] if rank <= len(ws) else WEIGHTS["attendee_wish_tail"]


def allowed_pairs(inst: Instance) -> Pairs:
    """Every allowed pair with its score (see the module docstring)."""
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
    emps = _Employers(inst)
    atts = sorted(inst.attendees, key=lambda a: a.id)
    a_index = {a.id: i for i, a in enumerate(atts)}
    n_emp = len(emps.ids)
    # the exceptions to "profile and field decide": wishes add points, exclusions remove pairs; (attendee, employer)
    adjust: dict[tuple[int, int], int] = {}
    blocked: set[tuple[int, int]] = set()
    for a in atts:
        i = a_index[a.id]
        seen = set()
        for r, e_id in enumerate(a.wishes, start=1):
            j = emps.index.get(e_id)
            if j is not None and j not in seen:
                seen.add(j)
                adjust[(i, j)] = adjust.get((i, j), 0) + _wish_points(r)
        blocked.update((i, emps.index[e]) for e in a.not_interested if e in emps.index)
    ranked = set(adjust)
    for e in inst.employers:
        j = emps.index[e.id]
        for a_id in e.wishes:
            if a_id in a_index:
                i = a_index[a_id]
                extra = WEIGHTS["employer_wish"] + (WEIGHTS["mutual_wish"] if (i, j) in ranked else 0)
                adjust[(i, j)] = adjust.get((i, j), 0) + extra
        blocked.update((a_index[a_id], j) for a_id in e.exclusions if a_id in a_index)
    blocked.update((a_index[a], emps.index[e]) for a, e in inst.forbidden if a in a_index and e in emps.index)
    cache: dict = {}
    chunks_e, chunks_s, counts = [], [], np.zeros(len(atts), dtype=np.int64)
    for i, a in enumerate(atts):
        key = (a.degree_level, tuple(sorted(set(a.seeks))), tuple(sorted(a.languages.items())), a.field)
        if key not in cache:
            allowed, static = emps.profile(a.degree_level, a.seeks, a.languages)
            idx = np.flatnonzero(allowed).astype(np.int32)
            cache[key] = (idx, (static + emps.field_points(a.field) + WEIGHTS["base"])[idx].astype(np.int32))
        idx, sc = cache[key]
        chunks_e.append(idx)
        chunks_s.append(sc)
        counts[i] = len(idx)
    emp, score = (np.concatenate(chunks_e), np.concatenate(chunks_s)) if atts else (np.zeros(0, np.int32),) * 2
    att = np.repeat(np.arange(len(atts), dtype=np.int64), counts)
    key = att * n_emp + emp                       # ascending: attendees in order, employers ascending within
    if adjust and len(key):
        ks = np.array([i * n_emp + j for i, j in adjust], dtype=np.int64)
        pos = np.searchsorted(key, ks)
        hit = (pos < len(key)) & (key[np.minimum(pos, len(key) - 1)] == ks)
        np.add.at(score, pos[hit], np.array(list(adjust.values()), dtype=np.int32)[hit])
    keep = np.ones(len(key), dtype=bool)
    if blocked and len(key):
        ks = np.array([i * n_emp + j for i, j in blocked], dtype=np.int64)
        pos = np.searchsorted(key, ks)
        hit = (pos < len(key)) & (key[np.minimum(pos, len(key) - 1)] == ks)
        keep[pos[hit]] = False
    att, emp, score = att[keep], emp[keep], score[keep]
    order = np.lexsort((emp, -score, att))
    start = np.zeros(len(atts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(att, minlength=len(atts)), out=start[1:])
    return Pairs([a.id for a in atts], emps.ids, start, emp[order].astype(np.int32), score[order].astype(np.int32))
