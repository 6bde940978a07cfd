"""Stages 2 and 3 of the fair objective (and best-total) with CP-SAT on the time-expanded model.

One boolean per (allowed pair, slot) where the attendee is free and the employer has a free table; per attendee and
slot at most one, per employer and slot at most its free tables (which table is then any free one), per pair at most
one, per attendee and employer at most the remaining caps. Fixed meetings are on the board already and only reduce
those capacities.

``fair``: the stage-1 optimum (exact, from the max flow in ``coverage.py``) is a constraint; stage 2 maximises the
attendees with >= 2 meetings and fixes the value reached, stage 3 maximises the total score. ``best_total``: the
score alone. Each stage starts from a hint (the heuristic schedule, then the previous stage's solution) and runs
under a *deterministic* time limit with one worker and a fixed seed, so the same input gives the same output on
any machine; a stage that does not close reports the solver's proven bound, i.e. its gap.
"""
from __future__ import annotations

from dataclasses import dataclass


from .board import Board
from .coverage import Room
from .pairs import Pairs

SEED = 7
STAGE_DETERMINISTIC_TIME = 2.0    # CP-SAT's deterministic time units (about seconds on this machine) per stage


@dataclass
class ExactResult:
    meetings: list[tuple[int, int, int]]     # (attendee index, employer index, slot) of the new meetings
    bound_2plus: int | None                  # proven bound on attendees with >= 2 meetings (fair), new ones only
    bound_score: int | None                  # proven bound on the score of the new meetings
    optimal: bool                            # every stage closed
    stages: list[dict]


def _masks(room: Room, pairs: Pairs, fixed_pair: np.ndarray) -> np.ndarray:
    """Per allowed pair: the slots in which it could still meet, as a bit mask."""
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
    pa, pe = pairs.att.astype(np.int64), pairs.emp.astype(np.int64)
    ok = (room.att_cap[pa] > 0) & (room.emp_room[pe] > 0) & ~fixed_pair
    return np.where(ok, room.free_mask[pa] & room.emp_mask(room.tables)[pe], 0)


def variables(room: Room, pairs: Pairs, fixed_pair: np.ndarray):
    """The (pair, slot) candidates as arrays: pair index, attendee, employer, slot."""
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
    pa, pe = pairs.att.astype(np.int64), pairs.emp.astype(np.int64)
    mask = _masks(room, pairs, fixed_pair)
    ks, ss = [], []
    for s in range(room.slots):
        k = np.flatnonzero((mask >> s) & 1)
        ks.append(k), ss.append(np.full(len(k), s, np.int64))
    k, s = np.concatenate(ks), np.concatenate(ss)
    order = np.lexsort((s, k))
    k, s = k[order], s[order]
    return k, pa[k], pe[k], s


def count_variables(room: Room, pairs: Pairs, fixed_pair: np.ndarray) -> int:
    mask = _masks(room, pairs, fixed_pair)
    return int(sum(((mask >> s) & 1).sum() for s in range(room.slots)))


def _groups(keys: np.ndarray):
    """Indices grouped by equal key (keys sorted stably), as a list of arrays."""
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
    order = np.argsort(keys, kind="stable")
    cuts = np.flatnonzero(np.diff(keys[order])) + 1
    return np.split(order, cuts), keys[order][np.r_[0, cuts]] if len(keys) else np.zeros(0, np.int64)


def _model(room: Room, va, ve, vs, k):
    """The time-expanded model's booleans and capacities: (model, booleans, their indices per attendee, attendees)."""
    from ortools.sat.python import cp_model   # heavy: OR-Tools loads only where the matcher runs

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(len(k))]
    n_slots = room.slots
    for group in _groups(va * n_slots + vs)[0] + _groups(k)[0]:
        if len(group) > 1:
            model.add_at_most_one([x[i] for i in group])
    groups, keys = _groups(ve * n_slots + vs)
    for group, key in zip(groups, keys.tolist()):
        cap = int(room.tables[key // n_slots, key % n_slots])
        if len(group) > cap:
            model.add(sum(x[i] for i in group) <= cap)
    by_att, att_keys = _groups(va)
    for group, a in zip(by_att, att_keys.tolist()):
        if len(group) > room.att_cap[a]:
            model.add(sum(x[i] for i in group) <= int(room.att_cap[a]))
    groups, keys = _groups(ve)
    for group, e in zip(groups, keys.tolist()):
        if len(group) > room.emp_room[e]:
            model.add(sum(x[i] for i in group) <= int(room.emp_room[e]))
    return model, x, by_att, att_keys


def _at_least(model, x, room: Room, by_att, att_keys, n: int, linked: list) -> list:
    """A boolean per attendee who could reach ``n`` meetings: true only if they do (fixed ones counted)."""
    out = []
    for group, a in zip(by_att, att_keys.tolist()):
        need = n - int(room.fixed[a])
        if need > 0 and room.att_cap[a] >= need and len(group) >= need and (n > 1 or room.fixed[a] == 0):
            y = model.new_bool_var(f"y{n}_{a}")
            model.add(need * y <= sum(x[i] for i in group))
            out.append(y)
            linked.append((y, group, need))
    return out


def solve_exact(room: Room, pairs: Pairs, fixed_pair: np.ndarray, mode: str, first_new: int,
                hint: set[tuple[int, int, int]], stage_time: float = STAGE_DETERMINISTIC_TIME) -> ExactResult:
    import numpy as np  # heavy: numpy loads only where the matcher runs, never in the web process
    from ortools.sat.python import cp_model   # only the matcher's job loads OR-Tools

    k, va, ve, vs = variables(room, pairs, fixed_pair)
    score = pairs.score[k].astype(np.int64)
    model, x, by_att, att_keys = _model(room, va, ve, vs, k)
    key_of = {(int(a), int(e), int(s)): i for i, (a, e, s) in enumerate(zip(va, ve, vs))}
    chosen_hint = [key_of[m] for m in hint if m in key_of]
    values = np.zeros(len(x), dtype=bool)
    values[chosen_hint] = True

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SEED
    solver.parameters.max_deterministic_time = stage_time
    solver.parameters.linearization_level = 2
    stages: list[dict] = []
    bound_2plus = None

    linked: list[tuple[object, np.ndarray, int]] = []     # (y, its x indices, meetings needed): hinted from x

    def run(name: str) -> tuple[bool, int]:
        model.clear_hints()
        for i in range(len(x)):
            model.add_hint(x[i], bool(values[i]))
        for y, group, need in linked:
            model.add_hint(y, int(values[group].sum()) >= need)
        status = solver.solve(model)
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if found:
            for i in range(len(x)):
                values[i] = solver.boolean_value(x[i])
        stages.append({"stage": name, "status": solver.status_name(status).lower(),
                       "bound": int(solver.best_objective_bound) if found else None,
                       "deterministic_time": round(solver.deterministic_time, 2)})
        return status == cp_model.OPTIMAL, found

    optimal = True
    if mode == "fair":
        y1 = _at_least(model, x, room, by_att, att_keys, 1, linked)
        model.add(sum(y1) >= first_new)
        y2 = _at_least(model, x, room, by_att, att_keys, 2, linked)
        model.maximize(sum(y2))
        closed, _found = run("attendees_2plus")
        optimal &= closed
        reached = sum(int(values[g].sum()) >= n for _y, g, n in linked[len(y1):])
        stages[-1]["value"] = reached
        bound_2plus = stages[-1]["bound"]
        model.add(sum(y2) >= reached)
    model.maximize(sum(int(c) * x[i] for i, c in enumerate(score.tolist())))
    closed, _found = run("total_score")
    optimal &= closed
    stages[-1]["value"] = int(score[values].sum())
    chosen = np.flatnonzero(values)
    return ExactResult([(int(va[i]), int(ve[i]), int(vs[i])) for i in chosen], bound_2plus, stages[-1]["bound"],
                       optimal, stages)


def place(board: Board, pairs: Pairs, meetings) -> None:
    """Put (attendee, employer, slot) meetings on the board, each at the lowest free table."""
    for a, e, s in sorted(meetings, key=lambda m: (m[2], m[1], m[0])):
        a_id, e_id = pairs.att_ids[a], pairs.emp_ids[e]
        t = next(t for t in range(board.tables[e_id]) if s not in board.tb[(e_id, t)])
        board.place_at(a_id, e_id, s, t)
