"""The registration feature: its blueprints and commands, for the composition root (app/__init__.py)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from app import jobs

from events.registration import api, mailing, privacy, services, staff, views  # noqa: F401


@click.command()
@with_appcontext
def expire() -> None:
    """Cancel registrations not confirmed in time and give their places to the waiting list."""
    click.echo(f"expired {services.expire_unconfirmed()} registrations")


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(privacy.bp)
    app.cli.add_command(expire)
    app.cli.add_command(privacy.purge_command)
    jobs.add_handler(app, "console.segment_mail", mailing.send_segment_mail)
