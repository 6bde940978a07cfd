"""What the programme adds to a person's day (see events.agendas.items), and a session in the public event feed.

Attendees: every session their registration has ever been down for. Seats are "confirmed", waiting-list places
"waitlisted" (with the position), and dropped enrolments or cancelled sessions "cancelled": they stay in the feed
with the same UID so that calendar apps remove them. Employer contacts: the sessions their organisation hosts.

UIDs (stable for the item's life): ``session-12-reg-40@<host>`` in an attendee's feed,
``session-12-user-5@<host>`` in an employer contact's feed (``session-12@<host>`` in the public event feed).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.content import localized
from app.extensions import db
from app.urls import external_url
from events.registration import queries
from events.agendas.calendar import uid_domain
from events.agendas.items import AgendaItem
from events.registration.models import Enrolment, EnrolmentStatus, Registration, RegistrationStatus
from events.programme.models import Event, Session, SessionStatus


def session_description(session: Session) -> str:
    abstract = localized(session, "abstract").strip()
    lines = [abstract] if abstract else []
    if session.speakers:
        lines.append(_("Speakers: %(names)s", names=session.speakers))
    if session.host:
        lines.append(_("Hosted by: %(name)s", name=session.host.name))
    return "\n".join(lines)


def session_item(event: Event, session: Session) -> AgendaItem:
    """A programme session as the public event feed and the session's own .ics show it."""
    return AgendaItem(
        uid=f"session-{session.id}@{uid_domain()}", kind="session", title=localized(session, "title"),
        starts_at=session.starts_at, ends_at=session.ends_at,
        location=localized(session.room, "name"),
        status="cancelled" if session.is_cancelled else "confirmed", description=session_description(session),
        url=external_url("programme.session_page", slug=event.slug, session_id=session.id),
        sequence=session.sequence or 0, updated_at=session.updated_at)


def _session_extra(session: Session) -> dict:
    return {"session_id": session.id, "session_kind": session.kind.value, "language": session.language,
            "host": session.host.name if session.host else "", "speakers": session.speakers}


def _enrolment_status(registration: Registration, enrolment: Enrolment) -> str:
    if (enrolment.status == EnrolmentStatus.DROPPED or enrolment.session.status == SessionStatus.CANCELLED
            or registration.status == RegistrationStatus.CANCELLED):
        return "cancelled"
    return "waitlisted" if enrolment.status == EnrolmentStatus.WAITLISTED else "confirmed"


def registration_sessions(registration: Registration) -> list[AgendaItem]:
    enrolments = db_enrolments(registration.id)
    domain = uid_domain()
    items = []
    for enrolment in enrolments:
        session = enrolment.session
        status = _enrolment_status(registration, enrolment)
        extra = _session_extra(session)
        if status == "waitlisted":
            extra["waitlist_position"] = queries.waitlist_position(enrolment)
        items.append(AgendaItem(
            uid=f"session-{session.id}-reg-{registration.id}@{domain}", kind="session",
            title=localized(session, "title"),
            starts_at=session.starts_at, ends_at=session.ends_at,
            location=localized(session.room, "name"), status=status,
            description=session_description(session),
            url=external_url("programme.session_page", slug=registration.event.slug, session_id=session.id),
            sequence=(session.sequence or 0) + (enrolment.sequence or 0),
            updated_at=max(session.updated_at, enrolment.updated_at), extra=extra))
    return items


def db_enrolments(registration_id: int) -> list[Enrolment]:
    return list(db.session.scalars(
        select(Enrolment).where(Enrolment.registration_id == registration_id)
        .options(selectinload(Enrolment.session).selectinload(Session.room),
                 selectinload(Enrolment.session).selectinload(Session.host))
        .order_by(Enrolment.id)))


def organisation_sessions(user, event) -> list[AgendaItem]:
    """An employer contact's day: the sessions their organisation hosts at the event."""
    if not getattr(user, "organisation_id", None):
        return []
    hosted = [seats for seats in queries.session_seats(event)
              if seats.session.host_organisation_id == user.organisation_id]
    domain = uid_domain()
    items = []
    for seats in hosted:
        session = seats.session
        reason = _("Hosted by your organisation")
        if session.limited:
            reason += " · " + _("%(taken)d of %(capacity)d seats taken", taken=seats.taken,
                                capacity=session.capacity)
            if seats.waiting:
                reason += " · " + _("%(n)d on the waiting list", n=seats.waiting)
        extra = _session_extra(session)
        extra["reason"] = reason
        items.append(AgendaItem(
            uid=f"session-{session.id}-user-{user.id}@{domain}", kind="session", title=localized(session, "title"),
            starts_at=session.starts_at, ends_at=session.ends_at,
            location=localized(session.room, "name"),
            status="cancelled" if session.is_cancelled else "confirmed",
            description=session_description(session),
            url=external_url("programme.session_page", slug=event.slug, session_id=session.id),
            sequence=session.sequence or 0, updated_at=session.updated_at, extra=extra))
    return items
