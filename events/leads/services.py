"""Leads: what a scan at an employer's table finds, saving the contact (only with the attendee's consent),
the organisation's list and its export, and the attendee's view and withdrawal.

A scan names a badge; the badge is checked as the door checks it (badges/tokens.py, asked through
events/leads/signals.py: form, check character, signature), and must be of this event, still active and an
attendee's. An attendee who does not share their profile with employers (``Registration.consent_sharing_at``) is
refused, and nothing is stored, not even the scan.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.audit import audit, snapshot
from app.extensions import db, utcnow
from events.leads.models import Lead
from events.leads.signals import holder_of
from events.meetings.agenda import latin_spelling
from events.programme.models import Event
from events.registration.models import Attendee, Registration, RegistrationStatus
from events.registration.privacy import ERASED_DOMAIN
from events.registration.profile import degree_label

RATINGS = (1, 2, 3, 4, 5)
NOTE_LENGTH = 2000
NOT_SHARED = _l("This attendee has not agreed to share their profile; nothing was stored.")


class LeadError(ValueError):
    """A scan or a lead that cannot be taken: ``status`` for the answer, ``reason`` for programs."""

    def __init__(self, status: int, reason: str, message):
        super().__init__(str(message))
        self.status, self.reason, self.message = status, reason, str(message)


@dataclass(frozen=True)
class Person:
    """What an employer sees of a consenting attendee after a scan."""
    registration_id: int
    full_name: str
    latin_name: str       # the Latin spelling, when it differs from the name
    degree: str
    field_of_study: str
    rating: int | None    # the organisation's earlier lead, if any
    note: str


def attendee_of_badge(event: Event, scanned: str) -> Registration:
    """The registration behind a scanned or typed badge code of this event, or LeadError saying why not."""
    holder = holder_of(scanned or "")
    reason = holder["reason"]
    if reason == "empty":
        raise LeadError(400, "empty", _("Scan a badge, or type its code."))
    if reason == "malformed":
        raise LeadError(422, "malformed", _("This is not a badge code. Check it and try again."))
    if reason == "unknown" or holder.get("event_id") != event.id:
        raise LeadError(404, "unknown", _("No badge of this welcome day has this code."))
    if reason == "revoked":
        raise LeadError(410, "revoked", _("This badge was replaced by a newer one."))
    registration = db.session.get(Registration, holder["registration_id"]) if holder["registration_id"] else None
    if registration is None:
        raise LeadError(422, "not_attendee", _("This is not an attendee's badge."))
    if registration.status == RegistrationStatus.CANCELLED:
        raise LeadError(410, "cancelled", _("This registration was cancelled."))
    return registration


def _consenting(registration: Registration) -> None:
    if registration.consent_sharing_at is None:
        raise LeadError(403, "not_shared", NOT_SHARED)


def lead_of(organisation_id: int, registration_id: int) -> Lead | None:
    return db.session.scalar(select(Lead).where(Lead.organisation_id == organisation_id,
                                                Lead.registration_id == registration_id))


def person(organisation_id: int, registration: Registration) -> Person:
    """The attendee as the employer may see them (only with their consent: LeadError otherwise)."""
    _consenting(registration)
    a = registration.attendee
    earlier = lead_of(organisation_id, registration.id)
    latin = latin_spelling(a)
    return Person(registration.id, a.full_name, latin if latin != a.full_name else "", degree_label(a.degree_level),
                  a.field_of_study, earlier.rating if earlier else None, earlier.note if earlier else "")


def scan(event: Event, organisation_id: int, scanned: str) -> Person:
    return person(organisation_id, attendee_of_badge(event, scanned))


def save_lead(event: Event, organisation_id: int, registration_id: int, user, *, rating: int | None,
              note: str) -> Lead:
    """Keep (or update) the organisation's lead on this attendee; one transaction."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id \
            or registration.status == RegistrationStatus.CANCELLED:
        raise LeadError(404, "unknown", _("No such attendee at this welcome day."))
    _consenting(registration)
    if rating is not None and rating not in RATINGS:
        raise LeadError(422, "bad_rating", _("Choose a rating from 1 to 5."))
    note = (note or "").strip()[:NOTE_LENGTH]
    lead = lead_of(organisation_id, registration_id)
    if lead is None:
        lead = Lead(event_id=event.id, organisation_id=organisation_id, registration_id=registration_id)
        try:
            with db.session.begin_nested():  # two phones of one stand scanning the same badge at once
                db.session.add(lead)
        except IntegrityError:
            lead = lead_of(organisation_id, registration_id)
    lead.rating, lead.note, lead.scanned_by_id, lead.updated_at = rating, note, user.id, utcnow()
    db.session.commit()
    return lead


def leads_of(event: Event, organisation_id: int) -> list[Lead]:
    """The organisation's leads on attendees who still share their profile (one who takes the consent back, or
    has their data erased, drops out of the list and its exports)."""
    return list(db.session.scalars(
        select(Lead).join(Registration, Registration.id == Lead.registration_id)
        .join(Attendee, Attendee.id == Registration.attendee_id)
        .where(Lead.event_id == event.id, Lead.organisation_id == organisation_id,
               Registration.consent_sharing_at.is_not(None), Attendee.email.not_like(f"%@{ERASED_DOMAIN}"))
        .options(selectinload(Lead.registration).selectinload(Registration.attendee),
                 selectinload(Lead.scanned_by)).order_by(Lead.updated_at.desc(), Lead.id.desc())))


EXPORT_HEADER = ["full_name", "latin_name", "email", "degree_level", "field_of_study", "rating", "note",
                 "scanned_by", "created_at", "updated_at"]
EXPORT_HEADINGS = {"full_name": _l("Full name"), "latin_name": _l("Latin spelling"), "email": _l("E-mail"),
                   "degree_level": _l("Degree"), "field_of_study": _l("Field of study"), "rating": _l("Rating"),
                   "note": _l("Note"), "scanned_by": _l("Scanned by"), "created_at": _l("First scanned at"),
                   "updated_at": _l("Last changed at")}


def export_rows(event: Event, organisation_id: int) -> tuple[list[str], list[list]]:
    """The organisation's leads as typed rows (numbers, aware datetimes) for the CSV and Excel writers."""
    rows = []
    for lead in leads_of(event, organisation_id):
        a = lead.registration.attendee
        rows.append([a.full_name, latin_spelling(a), a.email, degree_label(a.degree_level), a.field_of_study,
                     lead.rating, lead.note, lead.scanned_by.email if lead.scanned_by else "", lead.created_at,
                     lead.updated_at])
    return EXPORT_HEADER, rows


def leads_about(registration: Registration) -> list[Lead]:
    """Who saved this attendee (for "My registration")."""
    return list(db.session.scalars(select(Lead).where(Lead.registration_id == registration.id)
                                   .options(selectinload(Lead.organisation)).order_by(Lead.created_at)))


def withdraw(registration: Registration, lead_id: int) -> None:
    """The attendee takes the contact back: the lead is deleted, with an audit entry; one transaction."""
    lead = db.session.get(Lead, lead_id)
    if lead is None or lead.registration_id != registration.id:
        raise LeadError(404, "unknown", _("No such saved contact."))
    audit("lead.withdraw", lead, snapshot(lead, ["organisation_id", "registration_id", "created_at"]), None,
          event_id=lead.event_id)
    db.session.delete(lead)
    db.session.commit()


def personal_data(_app, *, attendee: Attendee) -> dict:
    """For "Download my data" (events.registration.signals.personal_data): the contacts employers saved."""
    leads = db.session.scalars(select(Lead).join(Registration, Registration.id == Lead.registration_id)
                               .where(Registration.attendee_id == attendee.id).order_by(Lead.id))
    return {"saved_by_employers": [
        {"organisation": lead.organisation.name, "rating": lead.rating, "note": lead.note,
         "saved_at": lead.created_at.isoformat(), "changed_at": lead.updated_at.isoformat()} for lead in leads]}


def forget(_app, *, attendee: Attendee) -> None:
    """Erasing a person's data deletes the contacts employers saved (events.registration.signals.erasing)."""
    db.session.execute(delete(Lead).where(Lead.registration_id.in_(
        select(Registration.id).where(Registration.attendee_id == attendee.id))))
