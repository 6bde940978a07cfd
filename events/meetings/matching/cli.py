"""Command line: ``match run`` and ``match generate`` (click group ``match``).

The app registers it with ``app.cli.add_command(match)``; standalone:
``python -m events.meetings.matching.cli run INSTANCE.json --out SCHEDULE.json``.
"""
from __future__ import annotations

import json
import sys

import click

from .greedy import greedy
from .instance import MatchingInputError
from .json_format import dump_instance, dump_schedule, load_instance
from .solver import solve
from .synthetic import generate
from .validate import validate_schedule


def format_stats(st: dict) -> str:
    o, b = st["objective"], st["upper_bound"]
    mw = st["mutual_wishes_honoured"]
    cov = st["coverage"]
    return "\n".join([
        f"solver            {st['solver']} (mode {st['mode']})",
        f"size              {st['attendees']} attendees x {st['employers']} employers x {st['slots']} slots",
        f"meetings          {o['meetings']} (bound {b['meetings']})",
        f"attendees >= 1    {o['attendees_1plus']} (bound {b['attendees_1plus']})",
        f"attendees >= 2    {o['attendees_2plus']} (bound {b['attendees_2plus']})",
        f"total score       {o['total_score']} (bound {b['total_score']}, {st['percent_of_bound']} %)",
        f"coverage 0/1/2+   {cov['0']} / {cov['1']} / {cov['2+']}",
        f"mutual wishes     {mw['count']} of {mw['total']} ({100 * mw['share']:.1f} %)",
        f"table utilisation {100 * st['table_utilisation']:.1f} %",
        f"placement loss    {st['placement_loss']}",
        f"runtime           {st['runtime_seconds']} s",
    ])


@click.group("match")
def match():
    """Welcome-day 1:1 meeting matcher."""


@match.command("run")
@click.argument("instance_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Write the schedule JSON here.")
@click.option("--mode", type=click.Choice(["fair", "best_total"]), default=None,
              help="Override the instance's mode.")
@click.option("--greedy", "use_greedy", is_flag=True, help="Use the greedy baseline instead of the solver.")
@click.option("--json-stats", is_flag=True, help="Print the stats as JSON.")
def run_cmd(instance_path, out_path, mode, use_greedy, json_stats):
    """Compute a schedule for INSTANCE_PATH and print its statistics."""
    try:
        inst = load_instance(instance_path)
    except MatchingInputError as exc:
        raise click.ClickException(f"invalid instance: {exc}") from exc
    sched = greedy(inst, mode) if use_greedy else solve(inst, mode)
    problems = validate_schedule(inst, sched)
    if out_path:
        dump_schedule(sched, out_path)
    click.echo(json.dumps(sched.stats, indent=1, sort_keys=True) if json_stats else format_stats(sched.stats))
    if problems:  # would be a bug in the matcher
        raise click.ClickException("schedule violates hard constraints:\n" + "\n".join(problems[:20]))


@match.command("generate")
@click.option("--attendees", default=500, show_default=True)
@click.option("--employers", default=50, show_default=True)
@click.option("--slots", default=6, show_default=True)
@click.option("--seed", default=1, show_default=True)
@click.option("--mode", type=click.Choice(["fair", "best_total"]), default="fair", show_default=True)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
def generate_cmd(attendees, employers, slots, seed, mode, out_path):
    """Write a synthetic instance JSON."""
    inst = generate(attendees, employers, slots, seed, mode=mode)
    dump_instance(inst, out_path)
    click.echo(f"wrote {out_path}: {attendees} attendees, {employers} employers, {slots} slots (seed {seed})")


if __name__ == "__main__":
    sys.exit(match())
