"""The matcher: exact coverage, then the best schedule it can prove, with proven bounds for the rest.

1. Fixed meetings (``pinned`` and ``existing``) are put on the board first; they consume caps, the attendee's slot
   and the table in that slot.
2. Stage 1, exactly (``coverage.py``): the most attendees with >= 1 meeting is a max flow attendee ->
   (employer, slot); its min cut says what limits coverage (``stats.limits``).
3. The heuristic: the flow relaxation (``flow.py``; slots ignored, lexicographic in ``fair`` mode) chooses the new
   pairs, Kempe-chain edge colouring places them (``board.py``), a repair pass inserts what still fits. If that
   leaves fewer attendees with a meeting than stage 1 proved possible, it starts again from stage 1's first
   meetings (the best-scoring ones among those of maximal coverage): fair coverage is always the exact optimum.
4. Proven bounds (``coverage.proven_bound``): coverage exact; attendees with >= 2 from a max flow; score from the
   relaxation. Where they equal the heuristic's figures the schedule is proven optimal and nothing else runs.
5. Otherwise, if the time-expanded model is small (``CPSAT_MAX_VARIABLES``), CP-SAT (``exact.py``) improves the
   schedule stage by stage from the heuristic's hint and tightens the bounds; its result is taken if not worse.
   Measured: 150 heavily busy 10x3x3 instances were all proven optimal (114 by the bounds alone, 36 by CP-SAT,
   about 40 ms each); on 200x20x6 (16,000 booleans) CP-SAT did not close stage 2 in 5 deterministic seconds with
   one worker, while the bounds proved the heuristic optimal; at 20,000 x 1,000 x 8 the model would have 21
   million booleans. Hence: flow everywhere, CP-SAT only for small models.
6. Safety net: the greedy baseline (up to ``GREEDY_MAX_PAIRS`` pairs) replaces the schedule if better.

``stats.proof``: method, CP-SAT stages (status, value, bound), the gap per figure, whether proven optimal.
Same input, same output: ids sorted everywhere, CP-SAT with one worker, a fixed seed and a deterministic time limit.
"""
from __future__ import annotations

import time

from .board import Board
from .coverage import Room, fixed_pairs, max_coverage, proven_bound
from .exact import STAGE_DETERMINISTIC_TIME, count_variables, place, solve_exact
from .flow import relaxation
from .greedy import greedy_board
from .instance import Instance, Schedule, with_mode
from .pairs import Pairs, allowed_pairs
from .stats import make_schedule, objective, objective_key


SOLVER_NAME = "maxflow+mincostflow+kempe"
CPSAT_NAME = "maxflow+cpsat"
CPSAT_MAX_VARIABLES = 5_000         # (pair, slot) booleans; above, the heuristic with proven bounds (measured)
GREEDY_MAX_PAIRS = 300_000         # the greedy safety net walks every pair in Python


def place_pairs(board: Board, pairs) -> int:
    """Place pairs on the board, most constrained attendees first. Returns #unplaced."""
    deg = {}
    for a, e in pairs:
        deg[a] = deg.get(a, 0) + 1
    slack = {a: len(board.free_slots(a)) - d for a, d in deg.items()}
    order = sorted(pairs, key=lambda p: (slack[p[0]], p[0], p[1]))
    lost = 0
    for a, e in order:
        if not board.try_place(a, e, max_attempts=256):
            lost += 1
    return lost


def fill(board: Board, inst: Instance, pairs: Pairs) -> None:
    """Insert further allowed pairs where they still fit (repair after placement loss): in ``fair`` mode first
    for attendees with no meeting, then with one; then every pair by descending score."""
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process

    atts, emp_ids = pairs.att_ids, pairs.emp_ids
    emp, start = pairs.emp.tolist(), pairs.start.tolist()
    if inst.mode == "fair":
        for level in (0, 1):
            for i, a in enumerate(atts):
                if board.count_a(a) != level:
                    continue
                for k in range(start[i], start[i + 1]):
                    if board.try_place(a, emp_ids[emp[k]]):
                        break
    # rooms only shrink while filling: pairs without room now never get it
    a_room = np.array([board.count_a(a) < board.att_cap[a] for a in atts], dtype=bool)
    e_room = np.array([board.count_e[e] < board.emp_cap[e] for e in emp_ids], dtype=bool)
    pa = pairs.att
    open_ = a_room[pa] & e_room[pairs.emp]
    open_[pairs.find(list(board.pairs))] = False
    k = np.flatnonzero(open_)
    order = k[np.lexsort((pairs.emp[k], pa[k], -pairs.score[k]))]
    for a, e in zip(pa[order].tolist(), pairs.emp[order].tolist()):
        if board.has_room(atts[a], emp_ids[e]):
            board.try_place(atts[a], emp_ids[e])


def heuristic(inst: Instance, pairs: Pairs, first: list[tuple[str, str, int]]) -> tuple[Board, int, dict]:
    """The flow relaxation's pairs, Kempe-chain placement and repair on top of the fixed meetings and the
    (exact) first meetings ``first``. Returns the board, the placement loss and the relaxation's objective."""
    board = Board(inst)
    for a, e, s in first:
        board.place_at(a, e, s, next(t for t in range(board.tables[e]) if s not in board.tb[(e, t)]))
    chosen, relaxed = relaxation(inst, board, pairs)
    pa, pe = pairs.att[chosen].tolist(), pairs.emp[chosen].tolist()
    lost = place_pairs(board, sorted((pairs.att_ids[a], pairs.emp_ids[e]) for a, e in zip(pa, pe)))
    if lost:
        fill(board, inst, pairs)
    return board, lost, relaxed


def _hint(inst: Instance, pairs: Pairs, meetings, fixed: set) -> set[tuple[int, int, int]]:
    """The new meetings as (attendee index, employer index, slot index), CP-SAT's starting point."""
    a_idx = {a: i for i, a in enumerate(pairs.att_ids)}
    e_idx = {e: j for j, e in enumerate(pairs.emp_ids)}
    return {(a_idx[m.attendee], e_idx[m.employer], inst.slot_index[m.slot]) for m in meetings
            if (m.attendee, m.employer) not in fixed}


def solve(inst: Instance, mode: str | None = None, *, use_greedy_fallback: bool = True,
          exact: bool = True, stage_time: float | None = None) -> Schedule:
    """The schedule for ``inst`` (``mode`` overrides ``inst.mode``): exact coverage (max flow), then CP-SAT where
    the time-expanded model is small enough (``CPSAT_MAX_VARIABLES``), else the heuristic with proven bounds."""

    t0 = time.perf_counter()
    inst = with_mode(inst, mode)
    pairs = allowed_pairs(inst)
    board = Board(inst)
    cov = max_coverage(inst, board, pairs)
    # the relaxation alone first: where its pairs fit the slots it is optimal; where it leaves attendees without a
    # meeting who could have one, start again from the exact first meetings
    work, lost, relaxed = heuristic(inst, pairs, [])
    obj = objective(inst, work.meetings())
    if inst.mode == "best_total":
        score_bound = relaxed["total_score"]
    elif (relaxed["attendees_1plus"], relaxed["attendees_2plus"]) == (obj["attendees_1plus"], obj["attendees_2plus"]):
        # the relaxation's coverage is reached, so the optimum has it too and scores at most the relaxation
        score_bound = relaxed["total_score"]
    else:
        score_bound = None
    bound = proven_bound(inst, board, pairs, cov.value, score_bound)
    if inst.mode == "fair" and obj["attendees_1plus"] < cov.value:
        first = [(pairs.att_ids[a], pairs.emp_ids[e], s) for a, e, s in cov.first_meetings()]
        work2, lost2, _ = heuristic(inst, pairs, first)
        if objective_key(inst.mode, objective(inst, work2.meetings())) > objective_key(inst.mode, obj):
            work, lost = work2, lost2
    meetings, name = work.meetings(), SOLVER_NAME
    proof = {"method": "max flow, then the heuristic", "stages": []}
    room = Room.of(inst, board, pairs)
    fixed_pair = fixed_pairs(board, pairs)
    n_vars = count_variables(room, pairs, fixed_pair)
    fixed = list(inst.pinned) + list(inst.existing)
    proven = objective_key(inst.mode, objective(inst, meetings)) == objective_key(inst.mode, bound)
    if exact and not proven and 0 < n_vars <= CPSAT_MAX_VARIABLES:
        hint = _hint(inst, pairs, meetings, {(m.attendee, m.employer) for m in fixed})
        fixed_obj = objective(inst, fixed)
        res = solve_exact(room, pairs, fixed_pair, inst.mode, cov.value - int((room.fixed > 0).sum()), hint,
                          stage_time or STAGE_DETERMINISTIC_TIME)
        cp = Board(inst)
        place(cp, pairs, res.meetings)
        if objective_key(inst.mode, objective(inst, cp.meetings())) >= objective_key(inst.mode, objective(inst, meetings)):
            meetings, name, lost = cp.meetings(), CPSAT_NAME, 0
        if res.bound_2plus is not None:   # None: the stage found no bound in its time
            bound["attendees_2plus"] = min(bound["attendees_2plus"],
                                           res.bound_2plus + int((room.fixed >= 2).sum()))
        if res.bound_score is not None:
            bound["total_score"] = min(bound["total_score"], res.bound_score + fixed_obj["total_score"])
        proof.update(method="max flow, then CP-SAT", stages=res.stages)
    if use_greedy_fallback and len(pairs.emp) <= GREEDY_MAX_PAIRS:
        g = greedy_board(inst, pairs.as_dict()).meetings()
        if objective_key(inst.mode, objective(inst, g)) > objective_key(inst.mode, objective(inst, meetings)):
            meetings, name = g, name + "/greedy-fallback"
    proof["variables"] = n_vars
    obj = objective(inst, meetings)
    proof["gap"] = {k: bound[k] - obj[k] for k in ("attendees_1plus", "attendees_2plus", "total_score")}
    proof["optimal"] = objective_key(inst.mode, obj) == objective_key(inst.mode, bound)
    return make_schedule(inst, meetings, bound, runtime=time.perf_counter() - t0, solver=name,
                         placement_loss=lost, extra={"proof": proof, "limits": cov.limits})
