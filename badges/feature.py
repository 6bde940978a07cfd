"""Badges and the door, for the composition root (app/__init__.py)."""
from __future__ import annotations

from flask import Flask

from app import jobs, mail
from app.console.plugins import add_figure
from badges import documents, views
from badges.cli import badges_command
from badges.door import figures
from badges.door.scanner_gate import ScannerGate


def init_app(app: Flask) -> None:
    app.register_blueprint(views.public)
    app.register_blueprint(views.staff)
    app.register_blueprint(views.console_link)
    app.wsgi_app = ScannerGate(app, app.wsgi_app)  # the scanner API, in front of Flask
    app.cli.add_command(badges_command)
    jobs.add_handler(app, "badges.single", documents.single_badge_job)
    jobs.add_handler(app, "badges.sheet", documents.badge_sheet_job)
    mail.add_attachment_provider(app, "badge", documents.badge_attachment)
    add_figure(app, "checkins", figures.first_check_ins)
    add_figure(app, "checkin_rows", figures.checkin_rows)
