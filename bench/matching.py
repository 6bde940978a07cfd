"""Benchmark of the welcome-day matcher: solver vs greedy on synthetic instances.

    python bench/matching.py            # 500x50x6, 2000x150x8, 5000x300x8, 20000x1000x8, then the busy family
    python bench/matching.py --quick    # only 500x50x6 and the small busy instances

The busy family (``synthetic.generate_busy``: every attendee busy in 0 to S-1 random slots, and the 150 tiny
10x3x3 instances of ``synthetic.generate_small``) reports coverage against the exact optimum (the max flow of
``coverage.py``, exact by construction) and the other figures against the proven bounds.

Each (size, algorithm) runs in a fresh child process (multiprocessing "spawn"):
the child generates the instance, then runs the algorithm. "peak RSS" is the child's
resource.getrusage(RUSAGE_SELF).ru_maxrss after the run (whole process: interpreter,
OR-Tools, instance and algorithm); "+RSS" is the growth of that high-water mark
during the algorithm alone. Runtime is the algorithm's own stats.runtime_seconds
(the solver's includes its greedy safety-net run; instance generation excluded).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import argparse  # noqa: E402
import multiprocessing as mp  # noqa: E402
import resource  # noqa: E402

from events.meetings.matching.greedy import greedy  # noqa: E402
from events.meetings.matching.solver import solve  # noqa: E402
from events.meetings.matching.stats import objective_key  # noqa: E402
from events.meetings.matching.synthetic import generate, generate_busy, generate_small  # noqa: E402
from events.meetings.matching.validate import validate_schedule  # noqa: E402

SIZES = [(500, 50, 6), (2000, 150, 8), (5000, 300, 8), (20000, 1000, 8)]
BUSY = [(500, 40, 6), (2000, 150, 8)]


def _child(args):
    a, e, s, seed, algo, mode, *family = args
    # the matcher loads numpy and OR-Tools when it first runs: load them before measuring, so "+RSS" is the
    # algorithm's alone, as the README's figures are
    import numpy  # noqa: F401
    from ortools.graph.python import min_cost_flow  # noqa: F401

    inst = (generate_busy if family else generate)(a, e, s, seed, mode=mode)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sched = solve(inst) if algo == "solver" else greedy(inst)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    st = dict(sched.stats)
    st["violations"] = len(validate_schedule(inst, sched))
    st["peak_rss_mb"] = rss1 / 1024
    st["delta_rss_mb"] = (rss1 - rss0) / 1024
    return st


def busy_family(mode: str, seed: int, quick: bool) -> list[str]:
    """Heavily busy instances: coverage against the exact optimum, the rest against the proven bounds."""
    ctx = mp.get_context("spawn")
    lines = ["| instances | algorithm | runtime s | ≥1 / exact optimum | ≥2 / proven bound | score / proven bound | "
             "proven optimal | violations |", "|---|---|---|---|---|---|---|---|"]
    small = {"solver": [], "greedy": []}
    for k in range(150):
        inst = generate_small(seed * 1000 + k, mode=mode)
        for algo in small:
            sched = solve(inst) if algo == "solver" else greedy(inst)
            small[algo].append((sched.stats, len(validate_schedule(inst, sched))))
    for algo, runs in small.items():        # against the solver's bounds: the tightest, coverage exact
        solver_bounds = [st["upper_bound"] for st, _ in small["solver"]]
        cov = sum(st["objective"]["attendees_1plus"] == b["attendees_1plus"] for (st, _), b in zip(runs, solver_bounds))
        two = sum(st["objective"]["attendees_2plus"] == b["attendees_2plus"] for (st, _), b in zip(runs, solver_bounds))
        score = sum(st["objective"]["total_score"] == b["total_score"] for (st, _), b in zip(runs, solver_bounds))
        proven = sum(st["objective"]["attendees_1plus"] == b["attendees_1plus"]
                     and st["objective"]["attendees_2plus"] == b["attendees_2plus"]
                     and st["objective"]["total_score"] == b["total_score"]
                     for (st, _), b in zip(runs, solver_bounds)) if mode == "fair" else score
        lines.append(f"| 150 × 10×3×3 | {'solver (max flow, CP-SAT where small)' if algo == 'solver' else 'greedy'} | "
                     f"{sum(st['runtime_seconds'] for st, _ in runs):.2f} (all) | {cov} of 150 at optimum | "
                     f"{two} of 150 at bound | {score} of 150 at bound | {proven} of 150 | "
                     f"{sum(v for _, v in runs)} |")
        print(lines[-1], file=sys.stderr, flush=True)
    for a, e, s in ([] if quick else BUSY):
        res = {}
        for algo in ("solver", "greedy"):
            with ctx.Pool(1) as pool:
                res[algo] = pool.apply(_child, ((a, e, s, seed, algo, mode, "busy"),))
        b = res["solver"]["upper_bound"]                     # the solver's bounds are at least as tight
        for algo, st in res.items():
            o = st["objective"]
            lines.append(f"| {a}×{e}×{s} busy | {st['solver']} | {st['runtime_seconds']:.2f} | "
                         f"{o['attendees_1plus']} / {b['attendees_1plus']} | {o['attendees_2plus']} / "
                         f"{b['attendees_2plus']} | {o['total_score']} / {b['total_score']} | "
                         f"{'yes' if st.get('proof', {}).get('optimal') else 'no'} | {st['violations']} |")
            print(lines[-1], file=sys.stderr, flush=True)
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only the smallest size")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mode", choices=["fair", "best_total"], default="fair")
    args = ap.parse_args(argv)
    sizes = SIZES[:1] if args.quick else SIZES
    ctx = mp.get_context("spawn")
    head = ("| size (A×E×S) | algorithm | runtime s | peak RSS MB (+algo) | % of bound (score) | "
            "≥1 / ≥2 (bound) | coverage 0/1/2+ | mutual wishes | table util. | placement loss | violations |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    ratios = []
    ok = True
    for a, e, s in sizes:
        res = {}
        for algo in ("solver", "greedy"):
            with ctx.Pool(1) as pool:
                st = pool.apply(_child, ((a, e, s, args.seed, algo, args.mode),))
            res[algo] = st
            o, b, c, mw = st["objective"], st["upper_bound"], st["coverage"], st["mutual_wishes_honoured"]
            lines.append(
                f"| {a}×{e}×{s} | {st['solver']} | {st['runtime_seconds']:.2f} | "
                f"{st['peak_rss_mb']:.0f} (+{st['delta_rss_mb']:.0f}) | {st['percent_of_bound']:.2f} | "
                f"{o['attendees_1plus']} / {o['attendees_2plus']} ({b['attendees_1plus']} / {b['attendees_2plus']}) | "
                f"{c['0']}/{c['1']}/{c['2+']} | {mw['count']}/{mw['total']} | "
                f"{100 * st['table_utilisation']:.1f} % | {st['placement_loss']} | {st['violations']} |")
            print(lines[-1], file=sys.stderr, flush=True)
        so, go = res["solver"]["objective"], res["greedy"]["objective"]
        r_score = so["total_score"] / go["total_score"] if go["total_score"] else float("inf")
        r_cov = so["attendees_1plus"] / go["attendees_1plus"] if go["attendees_1plus"] else float("inf")
        ratios.append(f"| {a}×{e}×{s} | {r_cov:.3f} | {r_score:.3f} | "
                      f"{res['solver']['runtime_seconds'] / max(res['greedy']['runtime_seconds'], 1e-9):.2f} |")
        ok &= (objective_key(args.mode, so) >= objective_key(args.mode, go)
               and res["solver"]["violations"] == 0 and res["greedy"]["violations"] == 0)
    print(f"mode: {args.mode}, seed: {args.seed}\n")
    print("\n".join(lines))
    print("\n| size | solver/greedy: attendees ≥1 | solver/greedy: total score | solver/greedy: runtime |")
    print("|---|---|---|---|")
    print("\n".join(ratios))
    print("\nHeavily busy instances (coverage against the exact optimum, the rest against the proven bounds):\n")
    print("\n".join(busy_family(args.mode, args.seed, args.quick)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
