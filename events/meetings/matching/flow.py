"""The flow relaxation: which new pairs should meet if it did not matter *which slot* each meeting takes, and the
upper bound that gives. Shared by the solver (its pairs) and the greedy baseline (the bound in its statistics).

Min-cost flow (OR-Tools ``SimpleMinCostFlow``, integral) on source -> attendee -> employer -> sink, on top of the
fixed meetings already on the board:

* source -> attendee: unit arcs, one per further meeting the attendee may get
  (up to ``min(max_meetings, meetings already fixed + free non-busy slots)``);
  in ``fair`` mode the arc of the attendee's 1st meeting has gain ``M1`` and of
  the 2nd meeting gain ``M2``, further arcs 0 (concave marginal gains);
* attendee -> employer: capacity 1, gain = pair score, only allowed pairs;
* employer -> sink: remaining capacity ``min(cap - fixed, free table-slots)``;
* source -> sink bypass arc (gain 0) so the flow value is free.

``M2 = 1 + sum of all attainable scores`` and ``M1 = (n_attendees + 1) * M2``, so the
flow optimum is exactly the lexicographic optimum (attendees with >= 1 meeting,
then with >= 2, then total score) of the relaxation. In ``best_total`` mode both
bonuses are 0. With ``bonus="first_two"`` the 1st and 2nd meeting both earn ``M2``: the optimum then is the
largest sum over attendees of min(meetings, 2), used for a proven bound (see ``coverage.proven_bound``).

Arrays (numpy) throughout, from ``pairs.Pairs``: no Python object per pair (20,000 x 1,000: 2.8 million arcs).
"""
from __future__ import annotations


from .board import Board
from .instance import Instance, MatchingInputError
from .pairs import Pairs

SOURCE, SINK = 0, 1


def employer_room(inst: Instance, board: Board, pairs: Pairs) -> np.ndarray:
    """How many more meetings each employer can take: its cap left, at most its free table-slots."""
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
    room = np.zeros(len(pairs.emp_ids), dtype=np.int64)
    for j, e_id in enumerate(pairs.emp_ids):
        free = sum(board.nslots - len(board.tb[(e_id, t)]) for t in range(board.tables[e_id]))
        room[j] = max(0, min(board.emp_cap[e_id] - board.count_e[e_id], free))
    return room


def attendee_room(board: Board, pairs: Pairs) -> tuple[np.ndarray, np.ndarray]:
    """(meetings on the board, how many more each attendee can take: cap left, at most their free slots)."""
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
    have = np.array([board.count_a(a) for a in pairs.att_ids], dtype=np.int64)
    room = np.array([max(0, min(board.att_cap[a] - board.count_a(a), len(board.free_slots(a))))
                     for a in pairs.att_ids], dtype=np.int64)
    return have, room


def relaxation(inst: Instance, board: Board, pairs: Pairs, bonus: str | None = None) -> tuple[np.ndarray, dict]:
    """Solve the relaxation on top of the meetings on ``board``. ``bonus``: "lexicographic" (1st meeting M1, 2nd
    M2; the default in ``fair`` mode), "first_two" (M2 each) or "none" (``best_total``).
    Returns (indices into ``pairs`` of the chosen new pairs, objective incl. the meetings on the board)."""
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
    # numpy and OR-Tools load only where the matcher runs (job, CLI), never in the web process
    from ortools.graph.python import min_cost_flow

    bonus = bonus or ("lexicographic" if inst.mode == "fair" else "none")
    n_att, n_emp = len(pairs.att_ids), len(pairs.emp_ids)
    have, a_room = attendee_room(board, pairs)
    e_room = employer_room(inst, board, pairs)
    pa, pe = pairs.att.astype(np.int64), pairs.emp.astype(np.int64)
    on_board = pairs.find([(a, e) for a, e in board.pairs])
    ok = (a_room[pa] > 0) & (e_room[pe] > 0)
    ok[on_board] = False
    idx = np.flatnonzero(ok)
    best = np.zeros(n_att, dtype=np.int64)
    np.maximum.at(best, pa[idx], pairs.score[idx].astype(np.int64))   # sum of the best scores: M2 above all
    m2 = int((best * a_room).sum()) + 1 if bonus != "none" else 0
    m1 = (n_att + 1) * m2 if bonus == "lexicographic" else m2
    att_nodes = np.arange(n_att, dtype=np.int64) + 2
    tails, heads, caps, gains = [], [], [], []

    def arcs(t, h, c, g):
        tails.append(t), heads.append(h), caps.append(c), gains.append(g)

    first = (have == 0) & (a_room >= 1)
    second = (have <= 1) & (have + a_room >= 2)
    rest = have + a_room - np.maximum(have, 2)
    for sel, gain, cap in ((first, m1, None), (second, m2, None), (rest > 0, 0, rest)):
        n = int(sel.sum())
        arcs(np.zeros(n, np.int64), att_nodes[sel], np.ones(n, np.int64) if cap is None else cap[sel],
             np.full(n, gain, np.int64))
    first_pair_arc = sum(len(t) for t in tails)
    arcs(pa[idx] + 2, pe[idx] + 2 + n_att, np.ones(len(idx), np.int64), pairs.score[idx].astype(np.int64))
    emps = np.flatnonzero(e_room > 0)
    arcs(emps + 2 + n_att, np.full(len(emps), SINK, np.int64), e_room[emps], np.zeros(len(emps), np.int64))
    supply = int(a_room.sum())
    arcs(np.array([SOURCE]), np.array([SINK]), np.array([supply]), np.array([0]))
    chosen = np.zeros(0, dtype=np.int64)
    if supply and len(idx):
        mcf = min_cost_flow.SimpleMinCostFlow()
        mcf.add_arcs_with_capacity_and_unit_cost(
            np.concatenate(tails).astype(np.int32), np.concatenate(heads).astype(np.int32),
            np.concatenate(caps).astype(np.int64), -np.concatenate(gains).astype(np.int64))
        supplies = np.zeros(2 + n_att + n_emp, dtype=np.int64)
        supplies[SOURCE], supplies[SINK] = supply, -supply
        mcf.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
        status = mcf.solve()
        if status != mcf.OPTIMAL:
            raise MatchingInputError(f"instance: min-cost flow failed with status {status}")
        flows = mcf.flows(np.arange(first_pair_arc, first_pair_arc + len(idx), dtype=np.int32))
        chosen = idx[flows > 0]
    per = have.copy()
    np.add.at(per, pa[chosen], 1)
    board_score = int(pairs.score[on_board].sum())
    obj = {"attendees_1plus": int((per >= 1).sum()), "attendees_2plus": int((per >= 2).sum()),
           "total_score": board_score + int(pairs.score[chosen].sum()), "meetings": int(per.sum())}
    return chosen, obj
