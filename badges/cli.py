"""``flask --app wsgi badges EVENT --out FILE.pdf``: badge sheets for offline printing."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db
from badges import documents, services
from badges.render import LAYOUTS
from events.programme.models import Event


@click.command("badges")
@click.argument("event")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF.")
@click.option("--layout", type=click.Choice(sorted(LAYOUTS)), default="2x5", show_default=True)
@click.option("--role", type=click.Choice(["attendee", "employer", "staff", "speaker"]), default=None)
@click.option("--not-printed", is_flag=True, help="Only badges not printed yet.")
@click.option("--attendee", "attendee_email", default=None, help="Only this person's badge (e-mail).")
@click.option("--mark-printed", is_flag=True, help="Record these badges as printed.")
@click.option("--processes", type=int, default=None, help="Render processes (default: BADGE_RENDER_PROCESSES).")
@with_appcontext
def badges_command(event: str, out: str, layout: str, role: str | None, not_printed: bool,
                   attendee_email: str | None, mark_printed: bool, processes: int | None) -> None:
    """Write the badges of EVENT (slug or id) as one print-ready PDF, in name order."""
    found = db.session.scalars(select(Event).where(Event.slug == event)).first()
    if found is None and event.isdigit():
        found = db.session.get(Event, int(event))
    if found is None:
        raise click.ClickException(f"No event {event!r} (give its slug or id).")
    issued = services.issue_event_badges(found)
    badges = services.select_badges(found, role=role, not_printed=not_printed, attendee_email=attendee_email)
    if not badges:
        raise click.ClickException("No badges match these filters.")
    cards = services.cards(badges)
    Path(out).write_bytes(documents.render_sheet(cards, layout, processes=processes).data)
    if mark_printed:
        services.mark_printed([c.badge_id for c in cards])
    click.echo(f"{len(cards)} badges ({issued} newly issued) on layout {layout} -> {out}")
