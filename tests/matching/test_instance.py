"""JSON round trip and input validation errors."""
import copy
import json
from dataclasses import replace

import pytest

from events.meetings.matching.instance import MatchingInputError
from events.meetings.matching.json_format import (FORMAT, dump_instance, instance_from_dict, instance_to_dict,
                                                  load_instance, schedule_from_dict, schedule_to_dict)
from events.meetings.matching.solver import solve
from events.meetings.matching.validate import validate_schedule
from events.meetings.matching.synthetic import generate

BASE = {
    "format": FORMAT, "mode": "fair",
    "slots": [{"id": "s1", "start": "2026-06-01T14:00:00", "end": "2026-06-01T14:10:00"}, {"id": "s2"}],
    "employers": [{"id": "e1", "name": "ACME", "tables": 2, "offers": ["job"], "fields": ["cs"],
                   "degree_levels": ["master"], "required_languages": {"de": "B2"}, "wishes": ["a1"],
                   "exclusions": [], "max_meetings": None}],
    "attendees": [{"id": "a1", "name": "Ana", "degree_level": "master", "field": "cs",
                   "languages": {"de": "C1", "en": "C1"}, "seeks": ["job"], "wishes": ["e1"],
                   "not_interested": [], "busy_slots": ["s2"], "max_meetings": 2},
                  {"id": "a2", "name": "Bo", "degree_level": "master", "field": "cs",
                   "languages": {"de": "B1"}, "seeks": ["job"], "wishes": [],
                   "not_interested": [], "busy_slots": [], "max_meetings": 2}],
    "pinned": [], "forbidden": [], "existing": [],
}


def test_round_trip(tmp_path):
    inst = generate(60, 8, 4, 5)
    p = tmp_path / "i.json"
    dump_instance(inst, str(p))
    again = load_instance(str(p))
    assert instance_to_dict(again) == instance_to_dict(inst)
    s = solve(again)
    s2 = schedule_from_dict(json.loads(json.dumps(schedule_to_dict(s))))
    assert schedule_to_dict(s2) == schedule_to_dict(s)
    assert validate_schedule(again, s2) == []


def test_small_example_scores_and_filters():
    inst = instance_from_dict(copy.deepcopy(BASE))
    s = solve(inst)
    assert [(m.attendee, m.employer, m.slot) for m in s.meetings] == [("a1", "e1", "s1")]  # a2: de B1 < B2
    m = s.meetings[0]
    codes = {c: p for c, p, _ in m.reasons}
    assert codes == {"base": 1, "attendee_wish": 50, "employer_wish": 30, "mutual_wish": 20,
                     "field_match": 10, "language_fit": 2, "job_type_overlap": 3}
    assert m.score == sum(codes.values())
    assert s.stats["mutual_wishes_honoured"] == {"count": 1, "total": 1, "share": 1.0}


def _bad(mutate, field_part):
    d = copy.deepcopy(BASE)
    mutate(d)
    with pytest.raises(MatchingInputError) as exc:
        instance_from_dict(d)
    assert field_part in str(exc.value)
    return str(exc.value)


def test_errors_name_the_field():
    _bad(lambda d: d["attendees"][0]["wishes"].append("e9"), "attendees[0].wishes[1]")
    _bad(lambda d: d["employers"][0].update(tables=-1), "employers[0].tables")
    _bad(lambda d: d.update(format="welcomeday.match/0"), "format")
    _bad(lambda d: d["employers"][0]["wishes"].append("zz"), "employers[0].wishes[1]")
    _bad(lambda d: d["attendees"][1].update(busy_slots=["s9"]), "attendees[1].busy_slots[0]")
    _bad(lambda d: d["attendees"][0]["languages"].update(de="B7"), "attendees[0].languages.de")
    _bad(lambda d: d["attendees"][0].update(seeks=["nap"]), "attendees[0].seeks[0]")
    _bad(lambda d: d.update(mode="best"), "mode")
    _bad(lambda d: d["attendees"].append(dict(d["attendees"][0])), "attendees[2].id")
    _bad(lambda d: d["pinned"].append({"attendee": "a1", "employer": "e1", "slot": "s2", "table": 0}),
         "pinned[0].slot")  # busy
    _bad(lambda d: d["pinned"].append({"attendee": "a1", "employer": "e1", "slot": "s1", "table": 2}),
         "pinned[0].table")
    _bad(lambda d: d["pinned"].append(["a2", "e1", "s1", 0]), "pinned[0]")  # language filter
    _bad(lambda d: d["existing"].append({"attendee": "a1", "employer": "e1", "slot": "s1"}), "existing[0].table")


def test_validate_schedule_reports_violations():
    d = copy.deepcopy(BASE)
    d["attendees"][1]["languages"]["de"] = "B2"
    inst = instance_from_dict(d)
    s = solve(inst)
    assert validate_schedule(inst, s) == []
    bad = replace(s, meetings=s.meetings + [replace(s.meetings[0], slot="s2", table=5)])
    errs = validate_schedule(inst, bad)
    text = "\n".join(errs)
    assert "busy" in text and "table index" in text and "pair meets twice" in text
