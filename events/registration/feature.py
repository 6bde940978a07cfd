"""The registration feature: its blueprints and commands, for the composition root (app/__init__.py)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from app import jobs
from app.console import NavEntry, navigation
from events.registration import api, mailing, privacy, recount, services, staff, views  # noqa: F401


@click.command()
@with_appcontext
def expire() -> None:
    """Cancel registrations not confirmed in time and give their places to the waiting list."""
    click.echo(f"expired {services.expire_unconfirmed()} registrations")


def console_entries(app: Flask, event) -> list[NavEntry]:
    return [NavEntry("registration_staff.registrations", _l("Registrations"), order=20),
            NavEntry("registration_staff.import_upload", _l("Import"), order=50),
            NavEntry("registration_staff.exports_page", _l("Export"), order=60),
            NavEntry("registration_staff.segment_mail", _l("E-mail"), order=70)]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(staff.bp)
    navigation.connect(console_entries, app)
    app.register_blueprint(api.bp)
    app.register_blueprint(privacy.bp)
    app.cli.add_command(expire)
    app.cli.add_command(privacy.purge_command)
    app.cli.add_command(recount.registrations_cli)
    jobs.add_handler(app, "console.segment_mail", mailing.send_segment_mail, _l("E-mail to a group"))
