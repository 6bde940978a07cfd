"""The optimal matcher: min-cost flow for the pairs, Kempe-chain edge colouring
for the (slot, table) placement, then a repair/fill pass.

1. Fixed meetings (``pinned`` and ``existing``) are put on the board first; they
   consume attendee/employer caps, the attendee's slot and the table in that slot.
2. The flow relaxation (``flow.py``, min-cost flow with OR-Tools) chooses the new
   pairs as if it did not matter which slot each meeting takes; its optimum
   (lexicographic in ``fair`` mode) is reported as ``upper_bound``.
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

from .board import Board
from .flow import flow_pairs
from .greedy import greedy_board
from .instance import Instance, Schedule, with_mode
from .scoring import candidate_pairs
from .stats import make_schedule, objective, objective_key

SOLVER_NAME = "mincostflow+kempe"


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
    inst = with_mode(inst, mode)
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
