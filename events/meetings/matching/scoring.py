"""Hard filters and the transparent pair score.

Hard filters (a pair failing any of them never meets):

* ``forbidden``      -- the pair is listed in ``instance.forbidden``;
* ``excluded``       -- the employer lists the attendee in ``exclusions``;
* ``not_interested`` -- the attendee lists the employer in ``not_interested``;
* ``language``       -- for every ``employer.required_languages[lang] = L`` the attendee
  must have ``lang`` at CEFR level >= L (A1 < A2 < B1 < B2 < C1 < C2 < native);
* ``degree``         -- if ``employer.degree_levels`` is non-empty, the attendee's
  ``degree_level`` must be in it;
* ``job_type``       -- ``employer.offers`` and ``attendee.seeks`` must intersect
  (if either list is empty the filter does not apply).

Score of an allowed pair = sum of these integer points (``WEIGHTS``), each kept as a
reason ``(code, points, text)``:

=================  =========================================================
code               points
=================  =========================================================
base               +1 for every allowed pair (so every meeting has value > 0)
attendee_wish      rank 1: +50, 2: +40, 3: +30, 4: +20, 5: +10, rank > 5: +5
employer_wish      +30 if the employer wishes to meet the attendee
mutual_wish        +20 extra if both wish each other
field_match        +10 if the attendee's field is in the employer's fields
language_fit       +2 per CEFR level above each required minimum, at most +6
job_type_overlap   +3 per job type both offer/seek, at most +9
=================  =========================================================

The maximum score is therefore 126.
"""
from __future__ import annotations

from .instance import CEFR_RANK, Attendee, Employer, Instance

WEIGHTS = {
    "base": 1,
    "attendee_wish": (50, 40, 30, 20, 10),   # by rank 1..5
    "attendee_wish_tail": 5,                  # rank > 5
    "employer_wish": 30,
    "mutual_wish": 20,
    "field_match": 10,
    "language_fit_per_level": 2, "language_fit_max": 6,
    "job_type_overlap_per_type": 3, "job_type_overlap_max": 9,
}
MAX_SCORE = 1 + 50 + 30 + 20 + 10 + 6 + 9


def profile_exclusion(att: Attendee, emp: Employer) -> str | None:
    """Why the profiles alone rule the pair out (language, degree, job type), or None if they do not."""
    for lang, lvl in sorted(emp.required_languages.items()):
        have = att.languages.get(lang)
        if have is None or CEFR_RANK[have] < CEFR_RANK[lvl]:
            return f"language: requires {lang} {lvl}, attendee has {have or 'none'}"
    if emp.degree_levels and att.degree_level not in emp.degree_levels:
        return f"degree: {att.degree_level or 'none'} not in {', '.join(emp.degree_levels)}"
    if emp.offers and att.seeks and not set(emp.offers) & set(att.seeks):
        return "job_type: no overlap between offers and seeks"
    return None


def is_allowed(inst: Instance, att: Attendee, emp: Employer) -> tuple[bool, str]:
    """(allowed, reason-if-not) for one attendee/employer pair."""
    if (att.id, emp.id) in inst.forbidden:
        return False, "forbidden by the organiser"
    if att.id in emp.exclusions:
        return False, "excluded by the employer"
    if emp.id in att.not_interested:
        return False, "attendee is not interested"
    why = profile_exclusion(att, emp)
    return (why is None), (why or "")


def _static_score(att: Attendee, emp: Employer, reasons: list | None) -> int:
    pts = 0
    if att.field and att.field in emp.fields:
        pts += WEIGHTS["field_match"]
        if reasons is not None:
            reasons.append(("field_match", WEIGHTS["field_match"], f"field of study '{att.field}' matches"))
    if emp.required_languages:
        lv = 0
        for lang, lvl in emp.required_languages.items():
            lv += CEFR_RANK[att.languages[lang]] - CEFR_RANK[lvl]
        p = min(WEIGHTS["language_fit_max"], WEIGHTS["language_fit_per_level"] * lv)
        if p > 0:
            pts += p
            if reasons is not None:
                req = ", ".join(f"{k} {v}" for k, v in sorted(emp.required_languages.items()))
                reasons.append(("language_fit", p, f"languages exceed the requirement ({req}) by {lv} level(s)"))
    common = sorted(set(emp.offers) & set(att.seeks))
    if common:
        p = min(WEIGHTS["job_type_overlap_max"], WEIGHTS["job_type_overlap_per_type"] * len(common))
        pts += p
        if reasons is not None:
            reasons.append(("job_type_overlap", p, "both offer/seek: " + ", ".join(common)))
    return pts


def _wish_score(att: Attendee, emp: Employer, rank: int | None, emp_wish: bool,
                reasons: list | None) -> int:
    pts = 0
    if rank is not None:
        ws = WEIGHTS["attendee_wish"]
        p = ws[rank - 1] if rank <= len(ws) else WEIGHTS["attendee_wish_tail"]
        pts += p
        if reasons is not None:
            reasons.append(("attendee_wish", p, f"attendee's wish no. {rank}"))
    if emp_wish:
        pts += WEIGHTS["employer_wish"]
        if reasons is not None:
            reasons.append(("employer_wish", WEIGHTS["employer_wish"], "employer wants to meet this attendee"))
        if rank is not None:
            pts += WEIGHTS["mutual_wish"]
            if reasons is not None:
                reasons.append(("mutual_wish", WEIGHTS["mutual_wish"], "mutual wish"))
    return pts


def score_pair(inst: Instance, att: Attendee, emp: Employer) -> tuple[int, list[tuple[str, int, str]]]:
    """Score and reasons of an *allowed* pair (does not re-check the hard filters)."""
    reasons: list = [("base", WEIGHTS["base"], "passes all hard filters")]
    rank = att.wishes.index(emp.id) + 1 if emp.id in att.wishes else None
    pts = WEIGHTS["base"] + _wish_score(att, emp, rank, att.id in emp.wishes, reasons)
    pts += _static_score(att, emp, reasons)
    return pts, reasons


def _profile(att: Attendee):
    return (att.degree_level, att.seeks, tuple(sorted(att.languages.items())))


def candidate_pairs(inst: Instance) -> dict[str, list[tuple[str, int]]]:
    """attendee id -> [(employer id, score)] of all allowed pairs, sorted by
    (-score, employer id). Fast path: the profile filters are cached per attendee profile."""
    emps = sorted(inst.employers, key=lambda e: e.id)
    emp_wishes = {e.id: set(e.wishes) for e in emps}
    emp_excl = {e.id: set(e.exclusions) for e in emps}
    cache: dict = {}
    out: dict[str, list[tuple[str, int]]] = {}
    for att in sorted(inst.attendees, key=lambda a: a.id):
        key = _profile(att)
        if key not in cache:
            cache[key] = [e for e in emps if profile_exclusion(att, e) is None]
        rank = {e: i + 1 for i, e in enumerate(att.wishes)}
        ni = set(att.not_interested)
        lst = []
        for e in cache[key]:
            if e.id in ni or att.id in emp_excl[e.id] or (att.id, e.id) in inst.forbidden:
                continue
            s = WEIGHTS["base"] + _wish_score(att, e, rank.get(e.id), att.id in emp_wishes[e.id], None)
            s += _static_score(att, e, None)
            lst.append((e.id, s))
        lst.sort(key=lambda t: (-t[1], t[0]))
        out[att.id] = lst
    return out


def mutual_pairs(inst: Instance) -> set[tuple[str, str]]:
    """Allowed pairs in which both sides wish each other."""
    out = set()
    for e in inst.employers:
        for a_id in e.wishes:
            a = inst.att[a_id]
            if e.id in a.wishes and is_allowed(inst, a, e)[0]:
                out.add((a_id, e.id))
    return out
