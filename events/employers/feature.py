"""The employers feature: partner applications, employer pages and staff decisions."""
from __future__ import annotations

from flask import Flask

from events.employers import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(views.staff_bp)
