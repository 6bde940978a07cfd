"""The meetings feature: wishes, the matcher's runs, schedules; and the ``match`` command."""
from __future__ import annotations

from flask import Flask

from events.agendas.items import add_registration_provider, add_user_provider
from events.meetings import agenda, views
from events.meetings.matching.cli import match


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.cli.add_command(match)
    add_registration_provider(app, agenda.attendee_meetings)  # 1:1 meetings in attendees' agendas
    add_user_provider(app, agenda.employer_meetings)  # and in the employer's table schedule
