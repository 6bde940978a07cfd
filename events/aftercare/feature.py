"""Certificates and the funders' report, for the composition root."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.console import NavEntry, navigation
from events.aftercare import views


def console_entries(app: Flask, event) -> list[NavEntry]:
    return [NavEntry("aftercare_console.after_the_day", _l("After the day"), order=136)]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.public)
    app.register_blueprint(views.staff)
    navigation.connect(console_entries, app)
