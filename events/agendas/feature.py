"""The agendas feature: documents, feeds and their pages, for the composition root (app/__init__.py)."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from app import mail
from app.extensions import db
from events.agendas import attachments, models, providers, views
from events.agendas.items import add_registration_provider, add_user_provider


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    # The programme's part of a person's day: the sessions they are down for, or their organisation hosts.
    add_registration_provider(app, providers.registration_sessions)
    add_user_provider(app, providers.organisation_sessions)
    # On the session of the application's database, once (several applications share db.session's class).
    if not event.contains(db.session, "before_flush", models.bump_sequences):
        event.listen(db.session, "before_flush", models.bump_sequences)
    mail.add_attachment_provider(app, "agenda_pdf", attachments.agenda_pdf_attachment)
    mail.add_attachment_provider(app, "agenda_ics", attachments.agenda_ics_attachment)
