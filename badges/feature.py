"""Badges and the door, for the composition root (app/__init__.py)."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import jobs, mail
from app.console import NavEntry, navigation, redirect_old_urls
from app.console.plugins import add_figure
from badges import documents, tokens, views
from badges.cli import badges_command
from badges.door import devices as door_devices
from badges.door import figures
from badges.door import views as door_views
from badges.door.api import scanner_api
from events.agendas.signals import holder_badge
from events.leads.signals import badge_holder


def console_entries(app: Flask, event) -> list[NavEntry]:
    return [NavEntry("badges_console.badges_page", _l("Badges"), order=120),
            NavEntry("door.overview", _l("Check-in"), role="door", order=130)]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.public)
    app.register_blueprint(views.badge_pages)
    redirect_old_urls(app, views.OLD_BADGE_URLS)
    navigation.connect(console_entries, app)
    door_devices.init_app(app)  # the door's caches (devices, events), on the app
    app.register_blueprint(door_views.bp)
    redirect_old_urls(app, door_views.OLD_DOOR_URLS)
    app.register_blueprint(scanner_api)
    app.cli.add_command(badges_command)
    holder_badge.connect(tokens.holder_badge_token, sender=app)  # the QR code on personal agendas
    badge_holder.connect(tokens.scanned_holder, sender=app)  # the employers' contact scanner (events/leads)
    jobs.add_handler(app, "badges.single", documents.single_badge_job, _l("Badge"))
    jobs.add_handler(app, "badges.sheet", documents.badge_sheet_job, _l("Badge sheets"))
    jobs.add_handler(app, "badges.label", documents.label_job, _l("Badge label"))
    mail.add_attachment_provider(app, "badge", documents.badge_attachment)
    add_figure(app, "checkins", figures.first_check_ins)
    add_figure(app, "checkin_rows", figures.checkin_rows)
