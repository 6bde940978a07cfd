"""Plain greedy baseline (for comparison and as a safety net).

Pair by pair, take a pair if both sides are under their caps and there is a slot in
which the attendee is free (not busy, no meeting yet) and the employer has a free
table (first such slot, lowest table index). No swaps, no look-ahead.

* ``best_total``: all allowed pairs in descending score order (ties by ids).
* ``fair``: in rounds; round r offers each attendee that has r-1 meetings its best
  still-fitting pair (attendees by id, pairs by descending score), then r+1 ...

Fixed meetings (pinned/existing) are placed first, as in the solver. The schedule
reports the same statistics, against the same upper bound as the solver.
"""
from __future__ import annotations

import time

from .board import Board
from .coverage import max_coverage, proven_bound
from .instance import Instance, Schedule, with_mode
from .pairs import allowed_pairs
from .scoring import candidate_pairs
from .stats import make_schedule


def greedy_board(inst: Instance, cands=None) -> Board:
    cands = candidate_pairs(inst) if cands is None else cands
    board = Board(inst)
    atts = sorted(cands)
    if inst.mode == "fair":
        max_cap = max((a.max_meetings for a in inst.attendees), default=0)
        for level in range(max_cap):
            for a in atts:
                if board.count_a(a) != level:
                    continue
                for e, _ in cands[a]:
                    if board.place_direct(a, e):
                        break
    for _, a, e in sorted((-sc, a, e) for a in atts for e, sc in cands[a]):
        board.place_direct(a, e)
    return board


def greedy(inst: Instance, mode: str | None = None) -> Schedule:
    """Greedy schedule with the same Schedule format and statistics as ``solve``."""
    inst = with_mode(inst, mode)
    t0 = time.perf_counter()
    cands = candidate_pairs(inst)
    meetings = greedy_board(inst, cands).meetings()
    runtime = time.perf_counter() - t0
    board, pairs = Board(inst), allowed_pairs(inst)
    bound = proven_bound(inst, board, pairs, max_coverage(inst, board, pairs, explain=False).value)
    return make_schedule(inst, meetings, bound, runtime=runtime, solver="greedy", placement_loss=0)
