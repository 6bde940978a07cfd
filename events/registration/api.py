"""JSON API under /api/v1 (described by /api/openapi.json). Errors: {"error": {status, reason, message}}."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request, url_for

from app.errors import json_error
from app.extensions import csrf, limiter
from app.forms import BodyError, form_errors, form_field_names, json_to_formdata
from events.registration import services
from events.registration.forms import RegistrationForm, SessionChoiceForm
from events.programme.models import Event, SessionKind
from events.registration.models import Registration
from events.registration.openapi import openapi_document
from events.registration.views import event_or_404, registration_or_404

bp = Blueprint("api", __name__, url_prefix="/api")
REGISTRATION_FIELDS = form_field_names(RegistrationForm)
SESSION_CHOICE_FIELDS = form_field_names(SessionChoiceForm)
csrf.exempt(bp)


def _json_body() -> dict:
    if not request.is_json:
        abort(415, description="Send the body as application/json.")
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # "[[[[…" nested deeper than the parser goes; silent=True only catches ValueError
        payload = None
    if payload is None:
        abort(400, description="The body is not valid JSON.")
    if not isinstance(payload, dict):
        abort(400, description="The body must be a JSON object.")
    return payload


def _event_json(event: Event) -> dict:
    return {
        "slug": event.slug, "title": event.title, "description": event.description, "venue": event.venue,
        "address": event.address, "timezone": event.timezone, "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(), "status": event.status.value,
        "registration_opens_at": event.registration_opens_at.isoformat() if event.registration_opens_at else None,
        "registration_closes_at": (event.registration_closes_at.isoformat()
                                   if event.registration_closes_at else None),
        "registration_open": event.registration_open(), "capacity": event.capacity,
        "languages": list(event.languages or []),
        "url": url_for("programme.event_page", slug=event.slug, _external=True),
    }


def _session_json(seats: services.SessionSeats) -> dict:
    s = seats.session
    return {
        "id": s.id, "event": s.event.slug, "kind": s.kind.value, "title": s.title, "abstract": s.abstract,
        "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(),
        "room": s.room.name if s.room else None, "language": s.language,
        "host": s.host.name if s.host else None, "speakers": s.speakers, "needs_seat": s.needs_seat,
        "capacity": s.capacity, "seats_taken": seats.taken, "seats_left": seats.seats_left,
        "waiting_list": seats.waiting, "status": s.status.value,
    }


def _registration_json(registration: Registration) -> dict:
    a = registration.attendee
    return {
        "status": registration.status.value, "event": registration.event.slug,
        "email_confirmed": registration.email_confirmed_at is not None,
        "waiting_list_position": services.event_waitlist_position(registration),
        "created_at": registration.created_at.isoformat(),
        "expires_at": registration.expires_at.isoformat() if registration.expires_at else None,
        "attendee": {
            "full_name": a.full_name, "badge_name": a.badge_name, "email": a.email, "country": a.country,
            "university": a.university, "degree_level": a.degree_level.value if a.degree_level else None,
            "field_of_study": a.field_of_study,
            "graduation_date": a.graduation_date.isoformat() if a.graduation_date else None,
            "languages": dict(a.languages or {}), "seeking": list(a.seeking or []), "locale": a.locale,
        },
        "consents": {
            "processing": registration.consent_processing_at is not None,
            "sharing_with_employers": registration.consent_sharing_at is not None,
        },
        "enrolments": [_enrolment_json(e) for e in registration.active_enrolments],
    }


def _enrolment_json(enrolment) -> dict:
    return {"session_id": enrolment.session_id, "title": enrolment.session.title,
            "status": enrolment.status.value, "waiting_list_position": services.waitlist_position(enrolment)}


def _body_error(exc: BodyError):
    if exc.fields:  # the body is an object, but some members have the wrong JSON type
        return json_error(422, "validation_failed", str(exc), fields=exc.fields)
    return json_error(400, "invalid_body", str(exc))


def _rule_error(exc: services.RegistrationError):
    extra = {"field": exc.field} if exc.field else {}
    return json_error(exc.status, exc.code, exc.message, **extra)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/v1/events")
def list_events():
    return jsonify({"events": [_event_json(e) for e in services.upcoming_events()]})


@bp.get("/v1/events/<slug>")
def get_event(slug: str):
    event = event_or_404(slug)
    return jsonify({**_event_json(event), "places_taken": services.places_taken(event)})


@bp.get("/v1/events/<slug>/sessions")
def list_sessions(slug: str):
    event = event_or_404(slug)
    unknown = sorted(set(request.args) - {"kind", "language"})
    if unknown:  # most likely a typo ("?knd=talk"): say so rather than return the whole programme
        return json_error(400, "invalid_parameter", "Unknown parameter; use kind and language.",
                          field=unknown[0][:100])
    kind = request.args.get("kind")
    if kind is not None and kind not in {k.value for k in SessionKind}:
        return json_error(400, "invalid_parameter", "Unknown kind.", field="kind")
    language = request.args.get("language")
    if language is not None and not (language.isascii() and language.isalpha() and len(language) <= 8):
        return json_error(400, "invalid_parameter", "language must be a language code such as 'en'.",
                          field="language")
    return jsonify({"sessions": [_session_json(s) for s in services.session_seats(event, kind=kind,
                                                                                   language=language)]})


@bp.get("/v1/sessions/<int:session_id>")
def get_session(session_id: int):
    session = services.get_session(session_id)
    if session is None or services.get_published_event(session.event.slug) is None:
        abort(404, description="No such session.")
    return jsonify(_session_json(services.seats_for(session)))


@bp.post("/v1/events/<slug>/registrations")
@limiter.limit("30 per minute")
def create_registration(slug: str):
    # No event_or_404: the service finds the published event as it takes its lock (404 "not_found" if none).
    try:
        formdata = json_to_formdata(_json_body(), REGISTRATION_FIELDS)
    except BodyError as exc:
        return _body_error(exc)
    form = RegistrationForm(formdata=formdata, meta={"csrf": False})
    # The service checks the ids (reason session_not_found), under the event's lock.
    form.sessions.choices, form.sessions.validate_choice = [], False
    if not form.validate():
        return json_error(422, "validation_failed", "Some fields are not valid.", fields=form_errors(form))
    try:
        services.register_attendee(slug, form.registration_request())
    except services.RegistrationError as exc:
        return _rule_error(exc)
    # The same answer whether or not the address was registered before: the link goes to the mailbox only.
    return jsonify({"status": "accepted", "email": form.email.data.lower(),
                    "message": "Check your e-mail: the link in it confirms your registration."}), 202


@bp.get("/v1/registrations/<token>")
def get_registration(token: str):
    return jsonify(_registration_json(registration_or_404(token)))


@bp.post("/v1/registrations/<token>/confirm")
def confirm_registration(token: str):
    registration = registration_or_404(token)
    try:
        registration = services.confirm_email(registration)
    except services.RegistrationError as exc:
        return _rule_error(exc)
    return jsonify(_registration_json(registration))


@bp.post("/v1/registrations/<token>/enrolments")
def add_enrolment(token: str):
    registration = registration_or_404(token)
    try:
        formdata = json_to_formdata(_json_body(), SESSION_CHOICE_FIELDS)
    except BodyError as exc:
        return _body_error(exc)
    form = SessionChoiceForm(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        return json_error(422, "validation_failed", "Some fields are not valid.", fields=form_errors(form))
    try:
        enrolment = services.enrol(registration, form.session_id.data)
    except services.RegistrationError as exc:
        return _rule_error(exc)
    return jsonify(_enrolment_json(enrolment)), 201


@bp.delete("/v1/registrations/<token>/enrolments/<int:session_id>")
def delete_enrolment(token: str, session_id: int):
    registration = registration_or_404(token)
    try:
        services.drop(registration, session_id)
    except services.RegistrationError as exc:
        return _rule_error(exc)
    return "", 204


@bp.post("/v1/registrations/<token>/cancel")
def cancel_registration(token: str):
    registration = registration_or_404(token)
    services.cancel_registration(registration)
    return jsonify(_registration_json(services.registration_by_token(token)))
