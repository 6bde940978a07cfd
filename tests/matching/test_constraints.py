"""The matcher's constraints one by one, on hand-made instances (no database, no Flask): each hard filter, each
score component, the caps, busy slots, fixed meetings and tables on the board, and what validate_schedule catches."""
from __future__ import annotations

from dataclasses import replace

import pytest

from events.meetings.matching.board import Board
from events.meetings.matching.greedy import greedy
from events.meetings.matching.instance import (Attendee, Employer, Instance, MatchingInputError, Meeting, Schedule,
                                               Slot, with_mode)
from events.meetings.matching.scoring import MAX_SCORE, candidate_pairs, is_allowed, profile_exclusion, score_pair
from events.meetings.matching.solver import solve
from events.meetings.matching.validate import validate_schedule


def _instance(attendees=None, employers=None, slots=2, **kw) -> Instance:
    return Instance([Slot(f"s{i + 1}") for i in range(slots)],
                    employers if employers is not None else [Employer("e1")],
                    attendees if attendees is not None else [Attendee("a1")], **kw)


# ------------------------------------------------------------------------------------------ hard filters


@pytest.mark.parametrize("attendee, employer, reason", [
    (Attendee("a1", languages={"de": "B1"}), Employer("e1", required_languages={"de": "B2"}), "language"),
    (Attendee("a1"), Employer("e1", required_languages={"en": "A1"}), "language"),
    (Attendee("a1", degree_level="bachelor"), Employer("e1", degree_levels=("master",)), "degree"),
    (Attendee("a1", seeks=("phd",)), Employer("e1", offers=("job",)), "job_type"),
])
def test_each_profile_filter_rules_a_pair_out(attendee, employer, reason):
    why = profile_exclusion(attendee, employer)
    assert why is not None and why.startswith(reason)
    assert is_allowed(_instance([attendee], [employer]), attendee, employer) == (False, why)


@pytest.mark.parametrize("attendee, employer", [
    (Attendee("a1", languages={"de": "NATIVE"}), Employer("e1", required_languages={"de": "C2"})),  # native > C2
    (Attendee("a1", languages={"de": "B2"}), Employer("e1", required_languages={"de": "B2"})),      # exactly met
    (Attendee("a1", degree_level="bachelor"), Employer("e1", degree_levels=())),                    # any degree
    (Attendee("a1", seeks=()), Employer("e1", offers=("job",))),                                    # no preference
    (Attendee("a1", seeks=("job", "phd")), Employer("e1", offers=("phd",))),                        # overlap
])
def test_profiles_that_pass(attendee, employer):
    assert profile_exclusion(attendee, employer) is None
    assert is_allowed(_instance([attendee], [employer]), attendee, employer) == (True, "")


def test_forbidden_excluded_and_not_interested_rule_a_pair_out():
    a, e = Attendee("a1"), Employer("e1")
    assert is_allowed(_instance([a], [e], forbidden={("a1", "e1")}), a, e)[0] is False
    assert is_allowed(_instance([a], [replace(e, exclusions=("a1",))]), a, replace(e, exclusions=("a1",)))[0] is False
    a_ni = replace(a, not_interested=("e1",))
    assert is_allowed(_instance([a_ni], [e]), a_ni, e)[0] is False


def test_a_pair_ruled_out_never_meets_and_is_no_candidate():
    a = Attendee("a1", wishes=("e1", "e2"), not_interested=())
    e1, e2 = Employer("e1", exclusions=("a1",)), Employer("e2")
    inst = _instance([a], [e1, e2], forbidden=set())
    assert [e for e, _ in candidate_pairs(inst)["a1"]] == ["e2"]
    assert {m.employer for m in solve(inst).meetings} == {"e2"}
    assert {m.employer for m in greedy(inst).meetings} == {"e2"}


# ------------------------------------------------------------------------------------------ score


@pytest.mark.parametrize("rank, points", [(1, 50), (2, 40), (3, 30), (4, 20), (5, 10), (6, 5), (9, 5)])
def test_attendee_wish_points_by_rank(rank, points):
    wishes = tuple(f"x{i}" for i in range(rank - 1)) + ("e1",)
    a = Attendee("a1", wishes=wishes)
    employers = [Employer("e1")] + [Employer(f"x{i}") for i in range(rank - 1)]
    score, reasons = score_pair(_instance([a], employers), a, employers[0])
    assert ("attendee_wish", points, f"attendee's wish no. {rank}") in reasons
    assert score == 1 + points


def test_employer_wish_and_mutual_wish():
    a, e = Attendee("a1"), Employer("e1", wishes=("a1",))
    assert score_pair(_instance([a], [e]), a, e)[0] == 1 + 30
    a = replace(a, wishes=("e1",))
    score, reasons = score_pair(_instance([a], [e]), a, e)
    assert score == 1 + 50 + 30 + 20 and ("mutual_wish", 20, "mutual wish") in reasons


def test_field_language_and_job_type_points_and_their_caps():
    a = Attendee("a1", field="chemistry", languages={"de": "NATIVE", "en": "C2"},
                 seeks=("job", "internship", "phd", "mentoring"))
    e = Employer("e1", fields=("chemistry",), required_languages={"de": "A1", "en": "B2"},
                 offers=("job", "internship", "phd", "mentoring"))
    score, reasons = score_pair(_instance([a], [e]), a, e)
    points = {code: p for code, p, _ in reasons}
    assert points == {"base": 1, "field_match": 10, "language_fit": 6, "job_type_overlap": 9}  # both capped
    assert score == sum(points.values())


def test_the_best_pair_scores_max_score():
    a = Attendee("a1", field="cs", languages={"de": "NATIVE"}, seeks=("job", "phd", "internship"), wishes=("e1",))
    e = Employer("e1", fields=("cs",), required_languages={"de": "A1"}, offers=("job", "phd", "internship"),
                 wishes=("a1",))
    assert score_pair(_instance([a], [e]), a, e)[0] == MAX_SCORE


def test_candidate_pairs_agree_with_is_allowed_and_score_pair():
    atts = [Attendee("a1", languages={"de": "C1"}, wishes=("e2",)), Attendee("a2", degree_level="phd"),
            Attendee("a3", seeks=("phd",), not_interested=("e1",))]
    emps = [Employer("e1", required_languages={"de": "B2"}), Employer("e2", degree_levels=("phd", "master")),
            Employer("e3", offers=("job",), wishes=("a2",))]
    inst = _instance(atts, emps)
    expected = {a.id: sorted(((e.id, score_pair(inst, a, e)[0]) for e in emps if is_allowed(inst, a, e)[0]),
                             key=lambda t: (-t[1], t[0])) for a in atts}
    assert candidate_pairs(inst) == expected


# ------------------------------------------------------------------------------------------ caps, slots, tables


def test_attendee_cap_employer_cap_and_tables():
    atts = [Attendee(f"a{i}", max_meetings=1) for i in range(5)]
    inst = _instance(atts, [Employer("e1", tables=2, max_meetings=3)], slots=3)
    s = solve(inst)
    assert len(s.meetings) == 3                               # the employer's cap, below tables x slots = 6
    assert len({m.attendee for m in s.meetings}) == 3         # nobody twice (cap 1)
    assert all(0 <= m.table < 2 for m in s.meetings)
    assert validate_schedule(inst, s) == []


def test_busy_slots_are_kept_free():
    a = Attendee("a1", busy_slots=("s1", "s2"), max_meetings=3)
    inst = _instance([a], [Employer("e1"), Employer("e2"), Employer("e3")], slots=3)
    s = solve(inst)
    assert [(m.slot) for m in s.meetings] == ["s3"]


def test_one_table_holds_one_meeting_per_slot():
    inst = _instance([Attendee(f"a{i}", max_meetings=1) for i in range(3)], [Employer("e1", tables=1)], slots=2)
    s = solve(inst)
    assert sorted(m.slot for m in s.meetings) == ["s1", "s2"]


def test_fixed_meetings_stay_where_they_are():
    pinned = Meeting("a1", "e1", "s2", 1, kind="pinned")
    existing = Meeting("a2", "e1", "s1", 0, kind="existing")
    inst = _instance([Attendee("a1"), Attendee("a2"), Attendee("a3")], [Employer("e1", tables=2)], slots=2,
                     pinned=[pinned], existing=[existing])
    s = solve(inst)
    placed = {m.key(): m.kind for m in s.meetings}
    assert placed[pinned.key()] == "pinned" and placed[existing.key()] == "existing"
    assert validate_schedule(inst, s) == []


def test_a_kempe_swap_moves_no_fixed_meeting():
    """a1 is free only in s1, where e1's one table is taken by a2. Swapping a2 to s2 makes room; if a2's s1
    meeting is fixed, the swap must fail and change nothing."""
    atts = [Attendee("a1", busy_slots=("s2",)), Attendee("a2")]
    movable = Board(_instance(atts, [Employer("e1")]))
    assert movable.place_direct("a2", "e1")                  # a2 takes e1 in s1
    assert movable.try_place("a1", "e1")                     # by a Kempe swap
    assert movable.at["a1"] == {0: ("e1", 0)} and movable.at["a2"] == {1: ("e1", 0)}
    fixed = Board(_instance(atts, [Employer("e1")], existing=[Meeting("a2", "e1", "s1", 0, kind="existing")]))
    assert not fixed.try_place("a1", "e1")
    assert fixed.at["a2"] == {0: ("e1", 0)} and fixed.at["a1"] == {}


def test_mode_override():
    inst = _instance()
    assert with_mode(inst, None) is inst and with_mode(inst, "fair") is inst
    assert with_mode(inst, "best_total").mode == "best_total" and inst.mode == "fair"
    with pytest.raises(MatchingInputError, match="mode"):
        with_mode(inst, "random")


def test_fair_mode_gives_a_first_meeting_before_a_second_one():
    """Each employer takes one meeting. best_total gives both to a1 (wishes: 51 + 41 points); fair gives a2, who
    can only meet e1 (1 point), that meeting and a1 the other."""
    atts = [Attendee("a1", wishes=("e1", "e2")), Attendee("a2", seeks=("phd",))]
    emps = [Employer("e1", max_meetings=1), Employer("e2", max_meetings=1, offers=("job",))]
    inst = _instance(atts, emps, slots=2)
    best_total = solve(inst, "best_total")
    assert sorted((m.attendee, m.employer) for m in best_total.meetings) == [("a1", "e1"), ("a1", "e2")]
    fair = solve(inst, "fair")
    assert sorted((m.attendee, m.employer) for m in fair.meetings) == [("a1", "e2"), ("a2", "e1")]
    assert fair.stats["objective"]["attendees_1plus"] == fair.stats["upper_bound"]["attendees_1plus"] == 2


# ------------------------------------------------------------------------------------------ validate_schedule


def test_validate_schedule_finds_every_kind_of_violation():
    atts = [Attendee("a1", max_meetings=1, busy_slots=("s2",)), Attendee("a2", not_interested=("e1",))]
    inst = _instance(atts, [Employer("e1", tables=1, max_meetings=1)], slots=2,
                     pinned=[Meeting("a1", "e1", "s1", 0, kind="pinned")])
    bad = Schedule([Meeting("a1", "e1", "s2", 0), Meeting("a1", "e1", "s2", 3), Meeting("a2", "e1", "s2", 0),
                    Meeting("zz", "e1", "s1", 0), Meeting("a1", "e9", "s1", 0), Meeting("a1", "e1", "s9", 0)],
                   {})
    text = "\n".join(validate_schedule(inst, bad))
    for expected in ("unknown attendee", "unknown employer", "unknown slot", "table index out of range",
                     "attendee is busy", "pair not allowed (attendee is not interested)",
                     "attendee has two meetings in one slot", "table used twice in one slot", "pair meets twice",
                     "attendee a1: 2 meetings > max_meetings 1", "employer e1: 3 meetings > cap 1",
                     "pinned[0] (a1, e1, s1, table 0): missing"):
        assert expected in text, expected
