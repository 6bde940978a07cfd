"""An independent exact optimum for tiny instances: an integer program (SCIP, through OR-Tools' linear solver) over
attendee x employer x slot x *table* -- the matcher uses a max flow and CP-SAT without table variables -- solved
lexicographically, stage by stage."""
from __future__ import annotations

from ortools.linear_solver import pywraplp

from events.meetings.matching.instance import Instance
from events.meetings.matching.scoring import is_allowed, score_pair


def reference_optimum(inst: Instance) -> dict:
    """{'fair': (>=1, >=2, score), 'best_total': (score,)} of the best schedules (no fixed meetings)."""
    out = {}
    for mode in ("fair", "best_total"):
        mip = pywraplp.Solver.CreateSolver("SCIP")
        x, score = {}, {}
        for a in inst.attendees:
            for e in inst.employers:
                if not is_allowed(inst, a, e)[0]:
                    continue
                score[(a.id, e.id)] = score_pair(inst, a, e)[0]
                for s in inst.slots:
                    if s.id not in a.busy_slots:
                        for t in range(e.tables):
                            x[(a.id, e.id, s.id, t)] = mip.BoolVar(f"x{len(x)}")

        def total(pred):
            return mip.Sum([v for k, v in x.items() if pred(k)])

        for a in inst.attendees:
            mip.Add(total(lambda k: k[0] == a.id) <= a.max_meetings)
            for s in inst.slots:
                mip.Add(total(lambda k: k[0] == a.id and k[2] == s.id) <= 1)
            for e in inst.employers:
                mip.Add(total(lambda k: k[0] == a.id and k[1] == e.id) <= 1)
        for e in inst.employers:
            mip.Add(total(lambda k: k[1] == e.id) <= inst.employer_cap(e))
            for s in inst.slots:
                for t in range(e.tables):
                    mip.Add(total(lambda k: k[1:] == (e.id, s.id, t)) <= 1)
        one, two = [], []
        for a in inst.attendees:
            m = total(lambda k: k[0] == a.id)
            y1, y2 = mip.BoolVar(""), mip.BoolVar("")
            mip.Add(y1 <= m)
            mip.Add(2 * y2 <= m)
            one.append(y1), two.append(y2)
        score_sum = mip.Sum([score[k[:2]] * v for k, v in x.items()])
        key = []
        for goal in ([mip.Sum(one), mip.Sum(two)] if mode == "fair" else []) + [score_sum]:
            mip.Maximize(goal)
            assert mip.Solve() == pywraplp.Solver.OPTIMAL
            key.append(round(mip.Objective().Value()))
            mip.Add(goal >= key[-1])
        out[mode] = tuple(key)
    return out
