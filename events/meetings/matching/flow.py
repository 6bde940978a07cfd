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
bonuses are 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .board import Board
from .instance import Attendee, Instance, MatchingInputError
from .stats import objective

SOURCE, SINK = 0, 1


@dataclass(frozen=True)
class Pair:
    """A meeting without slot and table: all ``objective()`` needs to count the bound."""
    attendee: str
    employer: str


@dataclass
class Network:
    """Arcs as parallel lists (OR-Tools takes them as arrays); the pair arcs are a contiguous run."""
    nodes: int
    tails: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    capacities: list[int] = field(default_factory=list)
    gains: list[int] = field(default_factory=list)
    pair_arcs: list[tuple[str, str, int]] = field(default_factory=list)   # (attendee, employer, score)
    first_pair_arc: int = 0
    supply: int = 0

    def arc(self, tail: int, head: int, capacity: int, gain: int) -> None:
        self.tails.append(tail), self.heads.append(head), self.capacities.append(capacity), self.gains.append(gain)


def employer_room(inst: Instance, board: Board) -> dict[str, int]:
    """How many more meetings each employer can take: its cap left, at most its free table-slots."""
    room = {}
    for e in inst.employers:
        free_table_slots = sum(1 for t in range(e.tables) for s in range(board.nslots)
                               if s not in board.tb[(e.id, t)])
        room[e.id] = max(0, min(board.emp_cap[e.id] - board.count_e[e.id], free_table_slots))
    return room


def attendee_room(atts: list[Attendee], board: Board) -> dict[str, int]:
    """How many more meetings each attendee can take: their cap left, at most their free slots."""
    return {a.id: max(0, min(a.max_meetings - board.count_a(a.id), len(board.free_slots(a.id)))) for a in atts}


def build_network(inst: Instance, board: Board, cands, *, bonus: str | None = None) -> Network:
    """``bonus``: "lexicographic" (1st meeting M1, 2nd M2; the default in ``fair`` mode), "first_two" (1st and 2nd
    meeting M2 each: maximises the sum over attendees of min(meetings, 2)) or "none" (``best_total``)."""
    bonus = bonus or ("lexicographic" if inst.mode == "fair" else "none")
    atts = sorted(inst.attendees, key=lambda a: a.id)
    emps = sorted(inst.employers, key=lambda e: e.id)
    a_node = {a.id: 2 + i for i, a in enumerate(atts)}
    e_node = {e.id: 2 + len(atts) + j for j, e in enumerate(emps)}
    e_room, a_room = employer_room(inst, board), attendee_room(atts, board)
    net = Network(nodes=2 + len(atts) + len(emps))
    score_sum = 0
    for a in atts:
        if a_room[a.id] == 0:
            continue
        best = 0
        for e_id, sc in cands[a.id]:
            if e_room[e_id] == 0 or (a.id, e_id) in board.pairs:
                continue
            net.pair_arcs.append((a.id, e_id, sc))
            best = max(best, sc)
        score_sum += best * a_room[a.id]
    m2 = score_sum + 1 if bonus != "none" else 0
    m1 = (len(atts) + 1) * m2 if bonus == "lexicographic" else m2
    for a in atts:
        room, k = a_room[a.id], board.count_a(a.id)
        if room == 0:
            continue
        net.supply += room
        for j in range(k, min(k + room, 2)):        # 1st and 2nd meeting: unit arcs
            net.arc(SOURCE, a_node[a.id], 1, m1 if j == 0 else m2)
        rest = k + room - max(k, 2)                   # further meetings: gain 0
        if rest > 0:
            net.arc(SOURCE, a_node[a.id], rest, 0)
    net.first_pair_arc = len(net.tails)
    for a_id, e_id, sc in net.pair_arcs:
        net.arc(a_node[a_id], e_node[e_id], 1, sc)
    for e in emps:
        if e_room[e.id]:
            net.arc(e_node[e.id], SINK, e_room[e.id], 0)
    net.arc(SOURCE, SINK, net.supply, 0)
    return net


def pairs_with_flow(net: Network) -> list[tuple[str, str]]:
    """Solve the network for maximal gain; the pairs whose arc carries flow."""
    # numpy and OR-Tools load only where the matcher runs (job, CLI), never in the web process
    import numpy as np
    # OR-Tools is heavy (native library) and only the matcher needs it
    from ortools.graph.python import min_cost_flow

    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(
        np.array(net.tails, dtype=np.int32), np.array(net.heads, dtype=np.int32),
        np.array(net.capacities, dtype=np.int64), -np.array(net.gains, dtype=np.int64))
    supplies = np.zeros(net.nodes, dtype=np.int64)
    supplies[SOURCE], supplies[SINK] = net.supply, -net.supply
    mcf.set_nodes_supplies(np.arange(net.nodes, dtype=np.int32), supplies)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise MatchingInputError(f"instance: min-cost flow failed with status {status}")
    flows = mcf.flows(np.arange(net.first_pair_arc, net.first_pair_arc + len(net.pair_arcs), dtype=np.int32))
    return [(a_id, e_id) for (a_id, e_id, _), f in zip(net.pair_arcs, flows) if f > 0]


def flow_pairs(inst: Instance, board: Board, cands, bonus: str | None = None) -> tuple[list[tuple[str, str]], dict]:
    """Solve the flow relaxation on top of the meetings on ``board`` (``bonus``: see ``build_network``).
    Returns (chosen new pairs sorted, objective of the relaxation incl. the fixed meetings)."""
    net = build_network(inst, board, cands, bonus=bonus)
    chosen = sorted(pairs_with_flow(net)) if net.supply else []
    fixed = [Pair(m.attendee, m.employer) for m in list(inst.pinned) + list(inst.existing)]
    bound = objective(inst, [Pair(a, e) for a, e in chosen] + fixed)
    return chosen, bound
