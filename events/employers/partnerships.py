"""Partnerships of organisations with a welcome day: candidacies, staff decisions, who takes part."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.extensions import db, utcnow
from app.mail import queue_mail
from events.employers.errors import refuse
from events.employers.invitations import create_invitation, user_with_email
from events.employers.models import (EventPartner, Organisation, OrganisationKind, PartnerCandidacy, PartnerRole,
                                     PartnerStatus)
from events.programme.models import Event


@dataclass
class Candidacy:
    organisation_name: str
    kind: str
    website: str
    contact_name: str
    contact_email: str
    role: str
    offers: str = ""
    message: str = ""


def organisation_by_name(name: str) -> Organisation | None:
    return db.session.scalars(
        select(Organisation).where(func.lower(Organisation.name) == name.strip().lower())).first()


def apply_as_partner(event: Event, candidacy: Candidacy) -> EventPartner:
    """Record an organisation's candidacy for the event (status applied) and acknowledge it by e-mail."""
    organisation = organisation_by_name(candidacy.organisation_name)
    if organisation is None:
        organisation = Organisation(name=candidacy.organisation_name.strip(), kind=OrganisationKind(candidacy.kind),
                                    website=candidacy.website)
        db.session.add(organisation)
        db.session.flush()
    partner = db.session.scalars(select(EventPartner).where(
        EventPartner.event_id == event.id, EventPartner.organisation_id == organisation.id)).first()
    if partner is not None and partner.status in (PartnerStatus.APPLIED, PartnerStatus.ACCEPTED):
        refuse("already_applied", _("This organisation has already applied for this welcome day; we will be in touch."),
               field="organisation_name")
    if partner is None:
        partner = EventPartner(event=event, organisation=organisation)
        db.session.add(partner)
    partner.role = PartnerRole(candidacy.role)
    partner.status = PartnerStatus.APPLIED
    partner.created_at = utcnow()
    if partner.candidacy is not None:  # applying again after a decline or withdrawal
        db.session.delete(partner.candidacy)
        db.session.flush()
    partner.candidacy = PartnerCandidacy(contact_name=candidacy.contact_name,
                                         contact_email=candidacy.contact_email.strip().lower(),
                                         offers=candidacy.offers, message=candidacy.message,
                                         locale=str(get_locale() or "en"))  # the language the form was written in
    queue_mail(partner.candidacy.contact_email, "partner_applied", event=event, partner=partner,
               locale=partner.candidacy.locale)
    if event.contact_email:
        queue_mail(event.contact_email, "partner_applied_staff", event=event, partner=partner)
    try:
        db.session.commit()
    except IntegrityError:  # the same organisation applied twice at the same moment
        refuse("already_applied", _("This organisation has already applied for this welcome day."),
               field="organisation_name")
    return partner


def partners_of(event: Event) -> list[EventPartner]:
    return list(db.session.scalars(
        select(EventPartner).where(EventPartner.event_id == event.id)
        .options(selectinload(EventPartner.organisation)).order_by(EventPartner.status, EventPartner.created_at)))


def contacts_of(organisation_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.organisation_id == organisation_id,
                                                      User.active.is_(True)).order_by(User.email)))


def decide_candidacy(event: Event, partner_id: int, accept: bool, message: str, staff: User) -> EventPartner:
    """Accept or decline; accepting invites the contact person as the organisation's first employer contact."""
    partner = db.session.scalars(select(EventPartner).where(EventPartner.id == partner_id,
                                                            EventPartner.event_id == event.id)
                                 .with_for_update()).first()
    if partner is None:
        refuse("not_found", _("No such candidacy."), status=404)
    if partner.status != PartnerStatus.APPLIED:
        refuse("already_decided", _("This candidacy has been decided already."))
    now = utcnow()
    partner.status = PartnerStatus.ACCEPTED if accept else PartnerStatus.DECLINED
    candidacy = partner.candidacy
    email = candidacy.contact_email if candidacy else None
    if candidacy is not None:
        candidacy.decision_message, candidacy.decided_at, candidacy.decided_by_id = message, now, staff.id
    if email:
        queue_mail(email, "partner_accepted" if accept else "partner_declined", event=event, partner=partner,
                   message=message, locale=candidacy.locale)
        if accept and not user_with_email(email):
            create_invitation(partner.organisation, email, candidacy.contact_name, staff, locale=candidacy.locale)
    db.session.commit()
    return partner


def employer_events(organisation_id: int) -> list[EventPartner]:
    """The welcome days the organisation takes part in (accepted)."""
    return list(db.session.scalars(
        select(EventPartner).join(Event).where(EventPartner.organisation_id == organisation_id,
                                               EventPartner.status == PartnerStatus.ACCEPTED)
        .options(selectinload(EventPartner.event)).order_by(Event.starts_at)))


def is_accepted_partner(organisation_id: int, event_id: int) -> bool:
    return db.session.scalar(select(func.count()).select_from(EventPartner).where(
        EventPartner.organisation_id == organisation_id, EventPartner.event_id == event_id,
        EventPartner.status == PartnerStatus.ACCEPTED)) > 0
