"""The agendas feature: documents, feeds and their pages, for the composition root (app/__init__.py)."""
from __future__ import annotations

from flask import Flask

from events.agendas import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
