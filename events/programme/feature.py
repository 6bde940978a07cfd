"""The programme feature: its public pages and the console's programme pages, for the composition root
(app/__init__.py)."""
from __future__ import annotations

from flask import Flask

from events.programme import staff  # noqa: F401  (its routes are the console's)
from events.programme import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
