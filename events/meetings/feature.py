"""The meetings feature: wishes, the matcher's runs, schedules; and the ``match`` command."""
from __future__ import annotations

from flask import Flask

from events.meetings import views
from events.meetings.matching.cli import match


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.cli.add_command(match)
