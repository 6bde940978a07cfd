"""The feedback survey, for the composition root: its pages, console entry, figure and the `flask feedback send`
command."""
from __future__ import annotations

from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l

from app.console import NavEntry, navigation
from app.console.plugins import add_figure
from events.feedback import models, services, views  # noqa: F401  (models: the tables are part of the schema)

feedback_cli = AppGroup("feedback", help="The feedback survey after the day.")


@feedback_cli.command("send")
@click.option("--now", help="Pretend it is this moment (ISO 8601 with offset).")
def send(now: str | None) -> None:
    """Invite everyone who came to an open survey, once each, in their language (cron or the worker)."""
    moment = datetime.fromisoformat(now) if now else None
    if moment is not None and moment.tzinfo is None:
        raise click.BadParameter("give the offset, e.g. 2027-03-21T18:00+01:00", param_hint="--now")
    click.echo(f"feedback invitations written: {services.send_all(moment)}")


def console_entries(app: Flask, event) -> list[NavEntry]:
    return [NavEntry("feedback_console.survey_page", _l("Feedback"), order=135)]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.public)
    app.register_blueprint(views.staff)
    navigation.connect(console_entries, app)
    add_figure(app, "feedback", services.figure_feedback)
    app.cli.add_command(feedback_cli)
