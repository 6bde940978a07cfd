"""The dashboard feature, for the composition root (app/__init__.py)."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.console import NavEntry, navigation
from events.dashboard import views


def console_entries(app: Flask, event) -> list[NavEntry]:
    return [NavEntry("dashboard.dashboard_page", _l("Dashboard"), order=10)]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    navigation.connect(console_entries, app)
