"""Leads at the day, for the composition root: the employer's contact scanner and list, the attendee's view."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.audit import ACTION_LABELS
from events.leads import models, views  # noqa: F401  (models: the table is part of the schema)


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    ACTION_LABELS.setdefault("lead.withdraw", _l("An attendee withdrew a contact an employer saved"))
