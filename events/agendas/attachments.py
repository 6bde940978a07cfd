"""The agenda PDF and .ics attached to the confirmation e-mail (built when the mail is sent, see app.mail)."""
from __future__ import annotations

from flask_babel import force_locale

from app.content import localized
from app.extensions import db
from app.mail import Attachment
from events.agendas.calendar import build_calendar
from events.agendas.documents import agenda_for_registration
from events.agendas.items import items_for_registration
from events.registration.models import Registration


def _registration(registration_id) -> Registration | None:
    return db.session.get(Registration, int(registration_id)) if str(registration_id).isdigit() else None


def agenda_filename(registration: Registration, suffix: str) -> str:
    return f"{registration.event.slug}-agenda.{suffix}"


def agenda_pdf_attachment(registration_id=None, **_ignored) -> Attachment | None:
    registration = _registration(registration_id)
    if registration is None:
        return None
    document = agenda_for_registration(registration)
    return Attachment(agenda_filename(registration, "pdf"), "application/pdf", document.data)


def agenda_ics_attachment(registration_id=None, **_ignored) -> Attachment | None:
    registration = _registration(registration_id)
    if registration is None:
        return None
    with force_locale(registration.attendee.locale or "en"):
        items = items_for_registration(registration)
        body = build_calendar(registration.event, items, name=localized(registration.event, "title"),
                              uid=f"agenda-reg-{registration.id}", method="PUBLISH")
    return Attachment(agenda_filename(registration, "ics"), "text/calendar", body)
