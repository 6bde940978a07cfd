"""The agendas feature: documents, feeds and their pages, for the composition root (app/__init__.py)."""
from __future__ import annotations

from flask import Flask

from app import mail
from events.agendas import attachments, views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    mail.add_attachment_provider(app, "agenda_pdf", attachments.agenda_pdf_attachment)
    mail.add_attachment_provider(app, "agenda_ics", attachments.agenda_ics_attachment)
