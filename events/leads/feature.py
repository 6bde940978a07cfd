"""Leads at the day, for the composition root: the employer's contact scanner and list, the attendee's view."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.audit import ACTION_LABELS
from events.leads import models, services, views  # noqa: F401  (models: the table is part of the schema)
from events.registration.signals import erasing, personal_data


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    personal_data.connect(services.personal_data, sender=app)  # "Download my data"
    erasing.connect(services.forget, sender=app)  # "Delete my data" and the purge after the day
    ACTION_LABELS.setdefault("lead.withdraw", _l("An attendee withdrew a contact an employer saved"))
