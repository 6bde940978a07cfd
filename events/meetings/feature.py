"""The meetings feature: wishes, the matcher's runs, schedules; and the ``match`` command."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import jobs
from app.console import NavEntry, navigation, redirect_old_urls
from app.console.plugins import add_figure
from events.agendas.items import add_registration_provider, add_user_provider
# employer_pages and rating_pages add their routes to views.bp and views.staff_bp
from events.meetings import agenda, employer_pages, figures, rating_pages, ratings, services, views  # noqa: F401
from events.meetings.matching.cli import match
from events.registration.signals import erasing, personal_data


def console_entries(app: Flask, event) -> list[NavEntry]:
    return [NavEntry("meetings_staff.index", _l("1:1 meetings"), order=100)]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(views.staff_bp)
    redirect_old_urls(app, views.OLD_STAFF_URLS)
    navigation.connect(console_entries, app)
    app.cli.add_command(match)
    add_registration_provider(app, agenda.attendee_meetings)  # 1:1 meetings in attendees' agendas
    add_user_provider(app, agenda.employer_meetings)  # and in the employer's table schedule
    jobs.add_handler(app, "meetings.solve", services.run_matching, _l("Matching run"))
    add_figure(app, "meetings", figures.meeting_counts)
    add_figure(app, "meeting_rows", figures.meeting_rows)
    personal_data.connect(ratings.personal_data, sender=app)  # "Download my data": their meeting ratings
    erasing.connect(ratings.forget, sender=app)  # and erasing drops the comments they wrote
