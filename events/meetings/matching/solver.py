"""The optimal matcher: min-cost flow for the pairs, Kempe-chain edge colouring
for the (slot, table) placement, then a repair/fill pass.

1. Fixed meetings (``pinned`` and ``existing``) are put on the board first; they
   consume attendee/employer caps, the attendee's slot and the table in that slot.
2. Min-cost flow (OR-Tools ``SimpleMinCostFlow``, integral) on
   source -> attendee -> employer -> sink:

   * source -> attendee: unit arcs, one per further meeting the attendee may get
     (up to ``min(max_meetings, meetings already fixed + free non-busy slots)``);
     in ``fair`` mode the arc of the attendee's 1st meeting has gain ``M1`` and of
     the 2nd meeting gain ``M2``, further arcs 0 (concave marginal gains);
   * attendee -> employer: capacity 1, gain = pair score, only allowed pairs;
   * employer -> sink: remaining capacity ``min(cap - fixed, free table-slots)``;
   * source -> sink bypass arc (gain 0) so the flow value is free.

   ``M2 = 1 + sum of all attainable scores`` and ``M1 = (n_attendees + 1) * M2``, so the
   flow optimum is exactly the lexicographic optimum (attendees with >= 1 meeting,
   then with >= 2, then total score) of the relaxation that ignores *which slot*
   each meeting takes. In ``best_total`` mode both bonuses are 0. That optimum is
   reported as ``upper_bound``.
3. The chosen pairs are placed by bipartite edge colouring (attendee x table
   vertices, colours = slots; see ``board.py``); without busy slots or fixed
   meetings every pair is placed (Koenig), otherwise unplaceable pairs are counted
   as ``placement_loss``.
4. Repair/fill: attendees with 0 meetings, then with 1 (``fair`` mode), then all
   remaining allowed pairs by descending score are inserted where they still fit
   (direct or by a Kempe swap).
5. Safety net: the greedy baseline is also run; if it is better on the mode's
   objective (never observed on the synthetic benchmarks) its schedule is returned
   and ``stats.solver`` says so.

Everything is sorted by ids, so the same input gives the same output.
"""
from __future__ import annotations

import time

import numpy as np
from ortools.graph.python import min_cost_flow

from .board import Board
from .greedy import greedy_board
from .instance import Instance, MatchingInputError, Schedule
from .scoring import candidate_pairs
from .stats import make_schedule, objective, objective_key

SOLVER_NAME = "mincostflow+kempe"


def flow_pairs(inst: Instance, board: Board, cands) -> tuple[list[tuple[str, str]], dict]:
    """Solve the flow relaxation on top of the fixed meetings of ``board``.
    Returns (chosen new pairs sorted, upper bound dict incl. the fixed meetings)."""
    fair = inst.mode == "fair"
    atts = sorted(inst.attendees, key=lambda a: a.id)
    emps = sorted(inst.employers, key=lambda e: e.id)
    a_node = {a.id: 2 + i for i, a in enumerate(atts)}
    e_node = {e.id: 2 + len(atts) + j for j, e in enumerate(emps)}
    e_room = {}
    for e in emps:
        free_ts = sum(1 for t in range(e.tables) for s in range(board.nslots)
                      if s not in board.tb[(e.id, t)])
        e_room[e.id] = max(0, min(board.emp_cap[e.id] - board.count_e[e.id], free_ts))
    a_room, fixed_cnt = {}, {}
    for a in atts:
        k = board.count_a(a.id)
        fixed_cnt[a.id] = k
        a_room[a.id] = max(0, min(a.max_meetings - k, len(board.free_slots(a.id))))

    tails, heads, caps, gains = [], [], [], []
    pair_arcs = []
    score_sum = 0
    for a in atts:
        if a_room[a.id] == 0:
            continue
        best = 0
        for e_id, sc in cands[a.id]:
            if e_room[e_id] == 0 or (a.id, e_id) in board.pairs:
                continue
            pair_arcs.append((a.id, e_id, sc))
            best = max(best, sc)
        score_sum += best * a_room[a.id]
    M2 = score_sum + 1 if fair else 0
    M1 = (len(atts) + 1) * M2 if fair else 0
    supply = 0
    for a in atts:
        room, k = a_room[a.id], fixed_cnt[a.id]
        if room == 0:
            continue
        supply += room
        for j in range(k, min(k + room, 2)):        # 1st and 2nd meeting: unit arcs
            tails.append(0), heads.append(a_node[a.id]), caps.append(1)
            gains.append(M1 if j == 0 else M2)
        rest = k + room - max(k, 2)                   # further meetings: gain 0
        if rest > 0:
            tails.append(0), heads.append(a_node[a.id]), caps.append(rest), gains.append(0)
    first_pair_arc = len(tails)
    for a_id, e_id, sc in pair_arcs:
        tails.append(a_node[a_id]), heads.append(e_node[e_id]), caps.append(1), gains.append(sc)
    for e in emps:
        if e_room[e.id]:
            tails.append(e_node[e.id]), heads.append(1), caps.append(e_room[e.id]), gains.append(0)
    tails.append(0), heads.append(1), caps.append(supply), gains.append(0)

    chosen = []
    if supply:
        mcf = min_cost_flow.SimpleMinCostFlow()
        mcf.add_arcs_with_capacity_and_unit_cost(
            np.array(tails, dtype=np.int32), np.array(heads, dtype=np.int32),
            np.array(caps, dtype=np.int64), -np.array(gains, dtype=np.int64))
        sup = np.zeros(2 + len(atts) + len(emps), dtype=np.int64)
        sup[0], sup[1] = supply, -supply
        mcf.set_nodes_supplies(np.arange(len(sup), dtype=np.int32), sup)
        status = mcf.solve()
        if status != mcf.OPTIMAL:
            raise MatchingInputError(f"instance: min-cost flow failed with status {status}")
        flows = mcf.flows(np.arange(first_pair_arc, first_pair_arc + len(pair_arcs), dtype=np.int32))
        chosen = [(a_id, e_id) for (a_id, e_id, _), f in zip(pair_arcs, flows) if f > 0]
    chosen.sort()
    bound = objective(inst, [_P(a, e) for a, e in chosen] + [_P(m.attendee, m.employer) for m in
                                                            list(inst.pinned) + list(inst.existing)])
    return chosen, bound


class _P:  # minimal meeting-like object for objective()
    __slots__ = ("attendee", "employer")

    def __init__(self, a, e):
        self.attendee, self.employer = a, e


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


def fill(board: Board, inst: Instance, cands) -> None:
    """Insert further allowed pairs where they still fit (repair after placement loss)."""
    atts = sorted(board.at)
    if inst.mode == "fair":
        for level in (0, 1):
            for a in atts:
                if board.count_a(a) != level:
                    continue
                for e, _ in cands[a]:
                    if board.try_place(a, e):
                        break
    rest = sorted(((-sc, a, e) for a in atts for e, sc in cands[a]))
    for _, a, e in rest:
        if board.has_room(a, e):
            board.try_place(a, e)


def solve(inst: Instance, mode: str | None = None, *, use_greedy_fallback: bool = True) -> Schedule:
    """Optimal-ish schedule for ``inst`` (``mode`` overrides ``inst.mode``)."""
    t0 = time.perf_counter()
    if mode is not None and mode != inst.mode:
        if mode not in ("fair", "best_total"):
            raise MatchingInputError(f"mode: expected 'fair' or 'best_total', got {mode!r}")
        from dataclasses import replace
        inst = replace(inst, mode=mode)
    cands = candidate_pairs(inst)
    board = Board(inst)
    chosen, bound = flow_pairs(inst, board, cands)
    lost = place_pairs(board, chosen)
    if lost:
        fill(board, inst, cands)
    meetings = board.meetings()
    name = SOLVER_NAME
    if use_greedy_fallback:
        g = greedy_board(inst, cands).meetings()
        if objective_key(inst.mode, objective(inst, g)) > objective_key(inst.mode, objective(inst, meetings)):
            meetings, name = g, SOLVER_NAME + "/greedy-fallback"
    return make_schedule(inst, meetings, bound, runtime=time.perf_counter() - t0, solver=name,
                         placement_loss=lost, extra={"flow_pairs": len(chosen)})
