"""The agendas feature: documents, feeds and their pages, for the composition root (app/__init__.py)."""
from __future__ import annotations

from flask import Flask

from events.agendas import providers, views
from events.agendas.items import add_registration_provider, add_user_provider


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    # The programme's part of a person's day: the sessions they are down for, or their organisation hosts.
    add_registration_provider(app, providers.registration_sessions)
    add_user_provider(app, providers.organisation_sessions)
