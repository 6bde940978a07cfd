"""The reminders feature: its staff page, its console entry and the scheduled command, for the composition root."""
from __future__ import annotations

from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l

from app.console import NavEntry, navigation
from events.reminders import models, services, views  # noqa: F401  (models: the table is part of the schema)

reminders_cli = AppGroup("reminders", help="Reminder mails before the day.")


@reminders_cli.command("send")
@click.option("--now", help="Pretend it is this moment (ISO 8601 with offset), to try a schedule.")
def send(now: str | None) -> None:
    """Write the due reminders to the outbox (run by cron or the worker, e.g. every hour); a rerun sends nothing
    twice."""
    moment = datetime.fromisoformat(now) if now else None
    if moment is not None and moment.tzinfo is None:
        raise click.BadParameter("give the offset, e.g. 2027-03-20T09:00+01:00", param_hint="--now")
    click.echo(f"reminders written: {services.send_due(moment)}")


def console_entries(app: Flask, event) -> list[NavEntry]:
    return [NavEntry("reminders.reminders", _l("Reminders"), order=75)]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    navigation.connect(console_entries, app)
    app.cli.add_command(reminders_cli)
