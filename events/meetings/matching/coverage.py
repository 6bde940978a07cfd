"""Stage 1 of the fair objective, exactly: the most attendees that can have at least one meeting, and why not more.

Giving an attendee *one* meeting is a bipartite b-matching attendee -> (employer, slot), capacity = the employer's
free tables in that slot, each employer at most its remaining cap; so it is a maximum flow, exact and fast, with
busy slots, tables, fixed meetings, hard filters and caps included. Attendees with a fixed (pinned or existing)
meeting are covered already and take no part.

Network (OR-Tools ``SimpleMaxFlow``): source -> attendee (1) -> (employer, slot class) (1) -> (employer, slot) ->
employer (free tables in that slot) -> sink (remaining cap). A slot class is the set of slots in which the
attendee is free *and* the employer has a free table; attendees with the same class for an employer share one
node, so the network has one arc per allowed pair, not one per pair and slot (20,000 x 1,000 x 8: 2.8 million arcs
instead of 22 million).

The minimum cut says what limits coverage: attendees with no allowed pair (hard filters), attendees with no slot
in which they are free and an allowed employer has a free table, and the employers whose tables (or caps) are full
while attendees who could meet them have none; a second flow with more tables at those employers measures how
many more attendees that would give (``limits`` in the schedule's statistics).
"""
from __future__ import annotations

from dataclasses import dataclass, field


from .board import Board
from .flow import relaxation
from .instance import Instance
from .pairs import Pairs

SOURCE, SINK = 0, 1
BOTTLENECKS_LISTED = 10


@dataclass
class Room:
    """What the fixed meetings leave, as arrays over attendees/employers in id order and slots in order."""
    fixed: np.ndarray          # meetings already fixed per attendee
    att_cap: np.ndarray        # further meetings an attendee may take
    free_mask: np.ndarray      # int64 bit mask of the slots an attendee is free in (not busy, no fixed meeting)
    tables: np.ndarray         # (E, S) free tables per employer and slot
    emp_room: np.ndarray       # further meetings an employer may take
    slots: int

    @classmethod
    def of(cls, inst: Instance, board: Board, pairs: Pairs) -> "Room":
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        n_slots = board.nslots
        fixed = np.array([board.count_a(a) for a in pairs.att_ids], dtype=np.int64)
        cap = np.array([inst.att[a].max_meetings for a in pairs.att_ids], dtype=np.int64)
        mask = np.array([sum(1 << s for s in board.free_slots(a)) for a in pairs.att_ids], dtype=np.int64)
        tables = np.zeros((len(pairs.emp_ids), n_slots), dtype=np.int64)
        for j, e in enumerate(pairs.emp_ids):
            for t in range(board.tables[e]):
                row = board.tb[(e, t)]
                for s in range(n_slots):
                    tables[j, s] += s not in row
        room = np.array([board.emp_cap[e] - board.count_e[e] for e in pairs.emp_ids], dtype=np.int64)
        return cls(fixed, np.maximum(cap - fixed, 0), mask, tables, np.maximum(room, 0), n_slots)

    def emp_mask(self, tables: np.ndarray) -> np.ndarray:
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        bits = (tables > 0).astype(np.int64) << np.arange(self.slots, dtype=np.int64)
        return bits.sum(axis=1)


@dataclass
class Coverage:
    value: int                                   # most attendees with >= 1 meeting (fixed ones included)
    limits: dict = field(default_factory=dict)
    net: "_Net | None" = None
    flow: int = 0
    scores: np.ndarray | None = None

    def first_meetings(self) -> list[tuple[int, int, int]]:
        """(attendee index, employer index, slot) of new first meetings reaching ``value``, at the best total
        score among those (a min-cost flow: computed only when the solver needs them)."""
        if not self.flow:
            return []
        self.net.best_scores(self.flow, self.scores)
        return self.net.assignment()


class _Net:
    """The stage-1 network for given capacities; ``solve`` returns the flow value."""

    def __init__(self, room: Room, pa: np.ndarray, pe: np.ndarray, tables: np.ndarray, emp_room: np.ndarray):
        """The arcs do not depend on the capacities (an (employer, slot) without a free table has capacity 0), so
        the what-if flows of ``_limits`` only change capacities on the same graph (``set_capacities``)."""
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        from ortools.graph.python import max_flow  # the matcher's job loads OR-Tools, never the web process

        n_att, n_emp, n_slots = len(room.fixed), tables.shape[0], room.slots
        cls_mask = room.free_mask[pa]
        keep = cls_mask != 0
        self.keep = keep
        self.pa, self.pe = pa[keep].astype(np.int32), pe[keep].astype(np.int32)
        key = (self.pe.astype(np.int64) << n_slots) | cls_mask[keep]
        self.classes, self.pair_class = np.unique(key, return_inverse=True)
        del key
        n_cls = len(self.classes)
        ec0 = 2 + n_att
        self.es0 = ec0 + n_cls
        self.e0 = self.es0 + n_emp * n_slots
        atts = np.unique(self.pa)
        tails = [np.full(len(atts), SOURCE, np.int32), self.pa + 2]
        heads = [atts + 2, (ec0 + self.pair_class).astype(np.int32)]
        self.first_pair_arc = len(atts)
        cls_emp, cls_bits = self.classes >> n_slots, self.classes & ((1 << n_slots) - 1)
        self.first_class_arc = self.first_pair_arc + len(self.pa)
        self.class_arcs = []                      # per slot: (class indices, employer indices)
        for s in range(n_slots):
            sel = np.flatnonzero((cls_bits >> s) & 1)
            self.class_arcs.append((sel, cls_emp[sel]))
            tails.append((ec0 + sel).astype(np.int32)), heads.append((self.es0 + cls_emp[sel] * n_slots + s).astype(np.int32))
        n_class_arcs = sum(len(sel) for sel, _ in self.class_arcs)
        es = np.arange(n_emp * n_slots)
        self.first_es_arc = self.first_class_arc + n_class_arcs
        self.es_nodes = es
        tails.append((self.es0 + es).astype(np.int32)), heads.append((self.e0 + es // n_slots).astype(np.int32))
        self.first_e_arc = self.first_es_arc + len(es)
        tails.append((self.e0 + np.arange(n_emp)).astype(np.int32)), heads.append(np.full(n_emp, SINK, np.int32))
        caps = np.ones(self.first_e_arc + n_emp, dtype=np.int64)
        caps[self.first_class_arc:self.first_es_arc] = n_att + 1
        self.arcs = (np.concatenate(tails), np.concatenate(heads), caps)
        del tails, heads
        self.mf = max_flow.SimpleMaxFlow()
        self.mf.add_arcs_with_capacity(*self.arcs)
        self.n_slots = n_slots
        self.flows = self._max_flows
        self.set_capacities(tables, emp_room)

    def set_capacities(self, tables: np.ndarray, emp_room: np.ndarray) -> None:
        """Free tables per (employer, slot) and room per employer (kept in ``arcs`` for ``best_scores``)."""
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        caps = self.arcs[2]
        caps[self.first_es_arc:self.first_e_arc] = tables.ravel()
        caps[self.first_e_arc:] = emp_room
        idx = np.arange(self.first_es_arc, len(caps), dtype=np.int32)
        self.mf.set_arcs_capacity(idx, caps[self.first_es_arc:])

    def release(self) -> None:
        """Free OR-Tools' max-flow graph (the min-cost flow of ``best_scores`` builds its own)."""
        self.nodes = self.mf.num_nodes()
        self.mf = None

    def solve(self) -> int:
        if self.mf.num_arcs() == 0:
            return 0
        status = self.mf.solve(SOURCE, SINK)
        if status != self.mf.OPTIMAL:
            raise RuntimeError(f"max flow failed with status {status}")
        return int(self.mf.optimal_flow())

    def _max_flows(self, first: int, count: int) -> np.ndarray:
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        return self.mf.flows(np.arange(first, first + count, dtype=np.int32)) if count else np.zeros(0, np.int64)

    def best_scores(self, value: int, pair_score: np.ndarray) -> None:
        """Re-route the same flow value at the highest total score of the pairs used (min-cost flow), so the
        first meetings are the best ones among those that give the most attendees a meeting."""
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        from ortools.graph.python import min_cost_flow  # heavy: OR-Tools loads only where the matcher runs

        tails, heads, caps = self.arcs
        cost = np.zeros(len(tails), dtype=np.int64)
        cost[self.first_pair_arc:self.first_pair_arc + len(self.pa)] = -pair_score[self.keep].astype(np.int64)
        mcf = min_cost_flow.SimpleMinCostFlow()
        mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, cost)
        supplies = np.zeros(self.nodes, dtype=np.int64)
        supplies[SOURCE], supplies[SINK] = value, -value
        mcf.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
        status = mcf.solve()
        if status != mcf.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed with status {status}")
        self.flows = lambda first, count: (mcf.flows(np.arange(first, first + count, dtype=np.int32))
                                           if count else np.zeros(0, np.int64))

    def assignment(self) -> list[tuple[int, int, int]]:
        """(attendee, employer, slot) per unit of flow; slots shared out within a class in attendee order."""
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        used = np.flatnonzero(self.flows(self.first_pair_arc, len(self.pa)) > 0)
        left: dict[int, list[int]] = {}
        arc = self.first_class_arc
        for s, (sel, _emp) in enumerate(self.class_arcs):
            f = self.flows(arc, len(sel))
            for c, n in zip(sel[f > 0].tolist(), f[f > 0].tolist()):
                left.setdefault(c, []).extend([s] * n)
            arc += len(sel)
        out = []
        for k in used.tolist():
            c = int(self.pair_class[k])
            out.append((int(self.pa[k]), int(self.pe[k]), left[c].pop(0)))
        return out

    def es_flows(self) -> np.ndarray:
        """Flow per (employer, slot) as an (E, S) array."""
        import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
        out = np.zeros(self.e0 - self.es0, dtype=np.int64)
        out[self.es_nodes] = self.flows(self.first_es_arc, len(self.es_nodes))
        return out.reshape(-1, self.n_slots)


def fixed_pairs(board: Board, pairs: Pairs) -> np.ndarray:
    """Per allowed pair: whether it meets already on ``board`` (a pair meets at most once)."""
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
    out = np.zeros(len(pairs.emp), dtype=bool)
    out[pairs.find(list(board.pairs))] = True
    return out


def max_coverage(inst: Instance, board: Board, pairs: Pairs, *, explain: bool = True) -> Coverage:
    """The exact stage-1 optimum on top of the fixed meetings of ``board``, its assignment and its limits."""
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
    room = Room.of(inst, board, pairs)
    pa_all = pairs.att.astype(np.int64)
    pe_all = pairs.emp.astype(np.int64)
    fixed_pair = fixed_pairs(board, pairs)
    want = (room.fixed == 0) & (room.att_cap > 0)
    sel = want[pa_all] & ~fixed_pair
    pa, pe = pa_all[sel], pe_all[sel]
    net = _Net(room, pa, pe, room.tables, room.emp_room)
    flow = net.solve()
    value = int((room.fixed > 0).sum()) + flow
    limits = _limits(inst, pairs, room, want, pa, pe, net, flow, value) if explain else {}
    net.release()
    return Coverage(value, limits, net, flow, pairs.score[sel])


def _limits(inst: Instance, pairs: Pairs, room: Room, want, pa, pe, net: _Net, flow: int, value: int) -> dict:
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
    n_att = len(pairs.att_ids)
    matched = np.zeros(n_att, dtype=bool)
    matched[net.pa[net.flows(net.first_pair_arc, len(net.pa)) > 0]] = True
    uncovered = want & ~matched
    has_pair = np.bincount(pa, minlength=n_att) > 0
    path = ((room.free_mask[pa] & room.emp_mask(room.tables)[pe]) != 0) & (room.emp_room[pe] > 0)
    has_path = np.zeros(n_att, dtype=bool)
    has_path[pa[path]] = True
    out = {"attendees": n_att, "want_meetings": int(((room.fixed > 0) | want).sum()), "max_covered": value,
           "no_allowed_employer": int((uncovered & ~has_pair).sum()),
           "no_free_slot": int((uncovered & has_pair & ~has_path).sum()),
           "tables_full": int((uncovered & has_path).sum()), "bottlenecks": [], "bottleneck_employers": 0,
           "more_tables_gain": 0}
    if not out["tables_full"]:
        return out
    source_side = np.zeros(net.mf.num_nodes(), dtype=bool)
    source_side[np.array(net.mf.get_source_side_min_cut(), dtype=np.int64)] = True
    n_emp, n_slots = room.tables.shape
    es_src = source_side[net.es0:net.e0].reshape(n_emp, n_slots)
    e_src = source_side[net.e0:net.e0 + n_emp]
    table_cut = (es_src & ~e_src[:, None] & (room.tables > 0)).any(axis=1)
    cap_cut = e_src & (room.emp_room > 0)
    bottleneck = table_cut | cap_cut
    stranded_pairs = path & uncovered[pa]
    stranded = np.bincount(pe[stranded_pairs], minlength=n_emp)
    bottleneck &= stranded > 0
    # what more tables at the bottleneck employers would give: first as many as they could use; every figure said
    # is then measured by a flow of its own on the same graph (so the promise is checked, not estimated)
    big = int(uncovered.sum()) + 1
    more = room.tables + np.where(bottleneck[:, None], big, 0)
    more_room = room.emp_room + np.where(bottleneck, big * n_slots, 0)
    net.set_capacities(more, more_room)
    reachable = net.solve()
    used = np.maximum(net.es_flows() - room.tables, 0)
    tables_now = np.array([inst.emp[e].tables for e in pairs.emp_ids], dtype=np.int64)
    caps_now = np.array([inst.employer_cap(inst.emp[e]) for e in pairs.emp_ids], dtype=np.int64)
    capped = np.array([inst.emp[e].max_meetings is not None for e in pairs.emp_ids], dtype=bool)
    # that flow may crowd its extra meetings into few slots: try the fewest tables that could carry them (spread
    # over the slots) and keep them if they reach as much, else the tables that flow used
    spread = np.where(bottleneck, -(-used.sum(axis=1) // n_slots), 0)
    crowded = np.where(bottleneck, used.max(axis=1), 0)
    for extra in (spread, crowded):
        net.set_capacities(room.tables + extra[:, None], room.emp_room + np.where(capped, 0, extra * n_slots))
        gain = net.solve() - flow
        if gain >= reachable - flow:
            break
    out["more_tables_gain"] = gain
    net.set_capacities(room.tables, room.emp_room)
    out["more_tables"] = int(extra.sum())
    out["bottleneck_employers"] = int(bottleneck.sum())
    order = sorted(np.flatnonzero(bottleneck).tolist(), key=lambda j: (-int(stranded[j]), pairs.emp_ids[j]))
    for j in order[:BOTTLENECKS_LISTED]:
        e = inst.emp[pairs.emp_ids[j]]
        out["bottlenecks"].append({
            "employer": e.id, "name": e.name, "tables": int(tables_now[j]), "slots": n_slots,
            "stranded": int(stranded[j]), "more_tables": int(extra[j]),
            "cap_limited": bool(cap_cut[j] and capped[j]), "max_meetings": int(caps_now[j])})
    return out


def proven_bound(inst: Instance, board: Board, pairs: Pairs, coverage: int, total_score: int | None = None) -> dict:
    """Proven upper bounds of the optimum: attendees with >= 1 meeting exactly (max flow); with >= 2 from the most
    first-and-second meetings (a max flow where each attendee takes at most two more, up to two in all), which is
    (with >= 1) + (with >= 2), so in ``fair`` mode at most that less the exact coverage (else half of it); the
    score from the best-total relaxation (``total_score`` if the caller has it); meetings from the caps. The solver
    tightens them where it proves more (CP-SAT, or the lexicographic relaxation reached)."""
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
    from ortools.graph.python import max_flow  # heavy: OR-Tools loads only where the matcher runs

    have = np.array([board.count_a(a) for a in pairs.att_ids], dtype=np.int64)
    room = Room.of(inst, board, pairs)
    take = np.minimum(np.maximum(2 - have, 0), np.minimum(room.att_cap, np.array(
        [bin(int(m)).count("1") for m in room.free_mask], dtype=np.int64)))
    pa, pe = pairs.att.astype(np.int64), pairs.emp.astype(np.int64)
    ok = (take[pa] > 0) & (room.emp_room[pe] > 0) & ~fixed_pairs(board, pairs)
    n_att = len(have)
    atts = np.flatnonzero(take > 0)
    emps = np.flatnonzero(room.emp_room > 0)
    mf = max_flow.SimpleMaxFlow()
    mf.add_arcs_with_capacity(
        np.concatenate([np.zeros(len(atts), np.int64), pa[ok] + 2, emps + 2 + n_att]).astype(np.int32),
        np.concatenate([atts + 2, pe[ok] + 2 + n_att, np.full(len(emps), SINK, np.int64)]).astype(np.int32),
        np.concatenate([take[atts], np.ones(int(ok.sum()), np.int64), room.emp_room[emps]]))
    extra = int(mf.optimal_flow()) if mf.num_arcs() and mf.solve(SOURCE, SINK) == mf.OPTIMAL else 0
    first_two = int(np.minimum(have, 2).sum()) + extra
    if total_score is None:
        total_score = relaxation(inst, board, pairs, "none")[1]["total_score"]
    a_room = sum(min(a.max_meetings, len(inst.slots) - len(set(a.busy_slots))) for a in inst.attendees)
    e_room = sum(inst.employer_cap(e) for e in inst.employers)
    return {"attendees_1plus": coverage,
            "attendees_2plus": first_two - coverage if inst.mode == "fair" else first_two // 2,
            "total_score": total_score, "meetings": min(a_room, e_room)}
