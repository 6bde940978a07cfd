"""Badges and the door, for the composition root (app/__init__.py)."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.console import NavEntry, navigation, redirect_old_urls
from badges import views
from badges.cli import badges_command
from badges.door.scanner_gate import ScannerGate


def console_entries(app: Flask, event) -> list[NavEntry]:
    return [NavEntry("badges_console.badges_page", _l("Badges"), order=120),
            NavEntry("badges_staff.checkin_overview", _l("Check-in"), role="door", order=130,
                     url_args=lambda event: {"event_id": event.id})]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.public)
    app.register_blueprint(views.staff)
    app.register_blueprint(views.console_link)
    app.register_blueprint(views.badge_pages)
    redirect_old_urls(app, views.OLD_BADGE_URLS)
    navigation.connect(console_entries, app)
    app.wsgi_app = ScannerGate(app, app.wsgi_app)  # the scanner API, in front of Flask
    app.cli.add_command(badges_command)
