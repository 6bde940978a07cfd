"""Badges and the door, for the composition root (app/__init__.py)."""
from __future__ import annotations

from flask import Flask

from badges import views
from badges.cli import badges_command
from badges.door import devices as door_devices
from badges.door import views as door_views
from badges.door.api import scanner_api


def init_app(app: Flask) -> None:
    app.register_blueprint(views.public)
    app.register_blueprint(views.staff)
    door_devices.init_app(app)  # the door's caches (devices, events), on the app
    app.register_blueprint(door_views.bp)
    app.register_blueprint(door_views.legacy)  # the door's old /staff/… URLs: 308 to the new ones
    app.register_blueprint(scanner_api)
    app.cli.add_command(badges_command)
