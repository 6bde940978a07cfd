"""JSON API under /api/v1, described by /api/openapi.json: each operation declares its payloads
(events/registration/payloads.py) with app.api.spec, which checks what comes in and writes the document.
Errors: {"error": {status, reason, message}}."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, url_for

from app.api import NOT_FOUND, openapi_document, responses, spec
from app.content import localized, translations_of
from app.errors import json_error
from app.extensions import csrf, limiter
from events.programme import models as programme
from events.registration import models as registration_models
from events.registration import services
from events.registration import queries
from events.registration.rules import RegistrationError
from events.registration.forms import page_language
from events.registration.payloads import (Accepted, Attendee, Consents, Enrolment, Event, EventList,
                                          EventWithPlaces, Registration, RegistrationRequest, Session,
                                          SessionChoice, SessionFilter, SessionList)
from events.programme.views import event_or_404
from events.registration.views import registration_or_404

bp = Blueprint("api", __name__, url_prefix="/api")
# Slugs and tokens longer than any stored one match no rule (404), and the document says how long they may be.
csrf.exempt(bp)

SLUG = {"slug": "The welcome day's slug, as in its page's address."}
TOKEN = {"token": "The secret link's token."}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def event_payload(event: programme.Event, model: type[Event] = Event, **more) -> Event:
    return model(
        slug=event.slug, title=localized(event, "title"), description=localized(event, "description"),
        venue=event.venue, main_language=event.text_language, translations=translations_of(event),
        address=event.address, timezone=event.timezone, starts_at=event.starts_at.isoformat(),
        ends_at=event.ends_at.isoformat(), status=event.status.value,
        registration_opens_at=_iso(event.registration_opens_at),
        registration_closes_at=_iso(event.registration_closes_at),
        registration_open=event.registration_open(), capacity=event.capacity,
        languages=list(event.languages or []),
        url=url_for("programme.event_page", slug=event.slug, _external=True), **more)


def session_payload(seats: queries.SessionSeats) -> Session:
    s = seats.session
    return Session(
        id=s.id, event=s.event.slug, kind=s.kind.value, title=localized(s, "title"), abstract=localized(s, "abstract"),
        starts_at=s.starts_at.isoformat(), ends_at=s.ends_at.isoformat(),
        room=localized(s.room, "name") if s.room else None, translations=translations_of(s),
        language=s.language, host=s.host.name if s.host else None, speakers=s.speakers, needs_seat=s.needs_seat,
        capacity=s.capacity, seats_taken=seats.taken, seats_left=seats.seats_left, waiting_list=seats.waiting,
        status=s.status.value)


def enrolment_payload(enrolment: registration_models.Enrolment) -> Enrolment:
    return Enrolment(session_id=enrolment.session_id, title=localized(enrolment.session, "title"),
                     status=enrolment.status.value, waiting_list_position=queries.waitlist_position(enrolment))


def registration_payload(registration: registration_models.Registration) -> Registration:
    a = registration.attendee
    attendee = Attendee(
        full_name=a.full_name, badge_name=a.badge_name, latin_name=a.latin_name or "", email=a.email,
        country=a.country, university=a.university, degree_level=a.degree_level.value if a.degree_level else None,
        field_of_study=a.field_of_study, graduation_date=_iso(a.graduation_date),
        languages=dict(a.languages or {}), seeking=list(a.seeking or []), locale=a.locale)
    return Registration(
        status=registration.status.value, event=registration.event.slug,
        email_confirmed=registration.email_confirmed_at is not None,
        waiting_list_position=queries.event_waitlist_position(registration),
        created_at=registration.created_at.isoformat(), expires_at=_iso(registration.expires_at),
        attendee=attendee,
        consents=Consents(processing=registration.consent_processing_at is not None,
                          sharing_with_employers=registration.consent_sharing_at is not None),
        enrolments=[enrolment_payload(e) for e in registration.active_enrolments])


def _rule_error(exc: RegistrationError):
    extra = {"field": exc.field} if exc.field else {}
    return json_error(exc.status, exc.code, exc.message, **extra)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/v1/events")
@spec.validate(resp=responses((200, EventList, "The events")), operation_id="listEvents")
def list_events():
    """Upcoming published welcome days"""
    return EventList(events=[event_payload(e) for e in queries.upcoming_events()])


@bp.get("/v1/events/<string(maxlength=80):slug>")
@spec.validate(resp=responses((200, EventWithPlaces, "The event"), HTTP_404=NOT_FOUND),
               operation_id="getEvent", path_parameter_descriptions=SLUG)
def get_event(slug: str):
    """One welcome day"""
    event = event_or_404(slug)
    return event_payload(event, EventWithPlaces, places_taken=queries.places_taken(event))


@bp.get("/v1/events/<string(maxlength=80):slug>/sessions")
@spec.validate(resp=responses((200, SessionList, "Sessions in time order"), HTTP_404=NOT_FOUND,
                              HTTP_400="A parameter that is unknown or not valid (invalid_parameter)."),
               validation_error_status=400, operation_id="listSessions", path_parameter_descriptions=SLUG)
def list_sessions(slug: str, query: SessionFilter):
    """The programme with seats left"""
    event = event_or_404(slug)
    return SessionList(sessions=[session_payload(s) for s in
                                 queries.session_seats(event, kind=query.kind, language=query.language)])


@bp.get("/v1/sessions/<int:session_id>")
@spec.validate(resp=responses((200, Session, "The session"), HTTP_404=NOT_FOUND), operation_id="getSession")
def get_session(session_id: int):
    """One session with seats left"""
    session = queries.get_session(session_id)
    if session is None or queries.get_published_event(session.event.slug) is None:
        abort(404, description="No such session.")
    return session_payload(queries.seats_for(session))


@bp.post("/v1/events/<string(maxlength=80):slug>/registrations")
@limiter.limit("30 per minute")
@spec.validate(resp=responses(
    (202, Accepted, "Accepted; the confirmation link was e-mailed"), HTTP_400="The body is not a JSON object.",
    HTTP_404=NOT_FOUND, HTTP_409="A rule said no (registration_closed…).", HTTP_413="Body too large.",
    HTTP_415="Not JSON.", HTTP_422="Not valid: fields names the members (validation_failed), or sessions that do "
    "not exist or overlap (session_not_found, sessions_overlap).", HTTP_429="Too many requests."),
    operation_id="createRegistration", path_parameter_descriptions=SLUG)
def create_registration(slug: str, json: RegistrationRequest):
    """Register for a welcome day (double opt-in: the e-mailed link confirms)"""
    # No event_or_404: the service finds the published event as it takes its lock (404 "not_found" if none),
    # and checks the session ids there (reason session_not_found).
    try:
        services.register_attendee(slug, json.registration_request(page_language()))
    except RegistrationError as exc:
        return _rule_error(exc)
    # The same answer whether or not the address was registered before: the link goes to the mailbox only.
    return Accepted(status="accepted", email=json.email.lower(),
                    message="Check your e-mail: the link in it confirms your registration."), 202


@bp.get("/v1/registrations/<string(maxlength=64):token>")
@spec.validate(resp=responses((200, Registration, "The registration"), HTTP_404=NOT_FOUND),
               operation_id="getRegistration", path_parameter_descriptions=TOKEN)
def get_registration(token: str):
    """A registration, by its secret token"""
    return registration_payload(registration_or_404(token))


@bp.post("/v1/registrations/<string(maxlength=64):token>/confirm")
@spec.validate(resp=responses((200, Registration, "Confirmed"), HTTP_404=NOT_FOUND,
                              HTTP_410="Cancelled or expired."),
               operation_id="confirmRegistration", path_parameter_descriptions=TOKEN)
def confirm_registration(token: str):
    """Confirm the e-mail address"""
    registration = registration_or_404(token)
    try:
        registration = services.confirm_email(registration)
    except RegistrationError as exc:
        return _rule_error(exc)
    return registration_payload(registration)


@bp.post("/v1/registrations/<string(maxlength=64):token>/enrolments")
@spec.validate(resp=responses(
    (201, Enrolment, "Enrolled or waitlisted"), HTTP_400="The body is not a JSON object.", HTTP_404=NOT_FOUND,
    HTTP_409="A rule said no.", HTTP_410="Registration cancelled.", HTTP_413="Body too large.",
    HTTP_415="Not JSON.", HTTP_422="Not valid (validation_failed), or no such session (session_not_found)."),
    operation_id="addEnrolment", path_parameter_descriptions=TOKEN)
def add_enrolment(token: str, json: SessionChoice):
    """Add a session (a seat or a waiting-list place)"""
    registration = registration_or_404(token)
    try:
        enrolment = services.enrol(registration, json.session_id)
    except RegistrationError as exc:
        return _rule_error(exc)
    return enrolment_payload(enrolment), 201


@bp.delete("/v1/registrations/<string(maxlength=64):token>/enrolments/<int:session_id>")
@spec.validate(resp=responses((204, None, "Dropped"), HTTP_404=NOT_FOUND),
               operation_id="deleteEnrolment", path_parameter_descriptions=TOKEN)
def delete_enrolment(token: str, session_id: int):
    """Drop a session; the first in line gets the seat"""
    registration = registration_or_404(token)
    try:
        services.drop(registration, session_id)
    except RegistrationError as exc:
        return _rule_error(exc)
    return "", 204


@bp.post("/v1/registrations/<string(maxlength=64):token>/cancel")
@spec.validate(resp=responses((200, Registration, "Cancelled"), HTTP_404=NOT_FOUND),
               operation_id="cancelRegistration", path_parameter_descriptions=TOKEN)
def cancel_registration(token: str):
    """Cancel the registration"""
    registration = registration_or_404(token)
    services.cancel_registration(registration)
    return registration_payload(queries.registration_by_token(token))
