"""Solver vs brute-force optimum on tiny instances."""
import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from match_strategies import brute_force, instance_dicts

from events.meetings.matching.json_format import instance_from_dict
from events.meetings.matching.solver import solve
from events.meetings.matching.scoring import candidate_pairs
from events.meetings.matching.stats import objective_key

SETTINGS = settings(max_examples=int(os.environ.get("MATCH_EXAMPLES", 120)), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.filter_too_much])


def _tiny(d):
    inst = instance_from_dict(d)
    n = sum(len(v) for v in candidate_pairs(inst).values())
    assume(n <= 12)
    return inst


@pytest.mark.slow
@SETTINGS
@given(instance_dicts(max_att=5, max_emp=3, max_slots=3, busy=False, pins=False, max_tables=2))
def test_solver_optimal_without_busy_slots(d):
    inst = _tiny(d)
    best = brute_force(inst)
    s = solve(inst, use_greedy_fallback=False)
    assert s.stats["placement_loss"] == 0
    assert objective_key(inst.mode, s.stats["objective"]) == best[inst.mode]
    assert objective_key(inst.mode, s.stats["upper_bound"]) == best[inst.mode]


@pytest.mark.slow
@SETTINGS
@given(instance_dicts(max_att=5, max_emp=3, max_slots=3, busy=True, pins=False, max_tables=2))
def test_bound_is_upper_bound_with_busy_slots(d):
    inst = _tiny(d)
    best = brute_force(inst)
    s = solve(inst)
    key = objective_key(inst.mode, s.stats["upper_bound"])
    assert key >= best[inst.mode] >= objective_key(inst.mode, s.stats["objective"])
