"""The meetings feature: wishes, the matcher's runs, schedules; and the ``match`` command."""
from __future__ import annotations

from flask import Flask

from app import jobs
from app.console.plugins import add_figure
from events.meetings import figures, services, views
from events.meetings.matching.cli import match


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.cli.add_command(match)
    jobs.add_handler(app, "meetings.solve", services.run_matching)
    add_figure(app, "meetings", figures.meeting_counts)
    add_figure(app, "meeting_rows", figures.meeting_rows)
