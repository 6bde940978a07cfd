"""The OpenAPI 3.1 description of /api/v1, served at /api/openapi.json."""
from __future__ import annotations

from events.registration.forms import LANGUAGE_CODES, LEVELS, country_codes
from events.registration.models import DegreeLevel, EnrolmentStatus, RegistrationStatus, Seeking
from events.programme.models import SessionKind

_nullable_str = {"type": ["string", "null"]}
_datetime = {"type": "string", "format": "date-time"}
# What the forms accept as text (app.forms.CleanText): no control characters, lone surrogates or private-use code
# points, and (for required fields) something besides white space, which is stripped. (Lone surrogates cannot
# be written in a pattern that Rust/ECMA regex engines accept; JSON text in UTF-8 cannot carry them anyway.)
_BAD = r"\x00-\x1f\x7f-\x9f\ue000-\uf8ff\U000f0000-\U0010ffff"
_TEXT = f"^[^{_BAD}]*$"
_REQUIRED_TEXT = f"^[^{_BAD}]*[^{_BAD}\\s][^{_BAD}]*$"


def _text(max_length: int, required: bool = False, **extra) -> dict:
    return {"type": "string", "maxLength": max_length, "pattern": _REQUIRED_TEXT if required else _TEXT,
            **({"minLength": 1} if required else {}), **extra}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


_TOKEN = {"name": "token", "in": "path", "required": True, "description": "The secret link's token.",
          "schema": {"type": "string", "maxLength": 64}}
_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 80}}


def openapi_document() -> dict:
    schemas = {
        "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {
                "type": "object", "required": ["status", "reason", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "reason": {"type": "string", "description": "Machine-readable, e.g. validation_failed, "
                               "registration_closed, sessions_overlap, not_found."},
                    "message": {"type": "string"},
                    "field": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "array",
                                                                          "items": {"type": "string"}}},
                }}},
        },
        "Event": {
            "type": "object",
            "required": ["slug", "title", "timezone", "starts_at", "ends_at", "status", "registration_open"],
            "properties": {
                "slug": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
                "venue": {"type": "string"}, "address": {"type": "string"},
                "timezone": {"type": "string", "description": "IANA zone, e.g. Europe/Berlin"},
                "starts_at": _datetime, "ends_at": _datetime,
                "status": {"type": "string", "enum": ["draft", "published", "closed"]},
                "registration_opens_at": {"type": ["string", "null"], "format": "date-time"},
                "registration_closes_at": {"type": ["string", "null"], "format": "date-time"},
                "registration_open": {"type": "boolean"},
                "capacity": {"type": ["integer", "null"]},
                "places_taken": {"type": "integer"},
                "languages": {"type": "array", "items": {"type": "string"}},
                "url": {"type": "string"},
            },
        },
        "Session": {
            "type": "object", "required": ["id", "kind", "title", "starts_at", "ends_at", "seats_left"],
            "properties": {
                "id": {"type": "integer"}, "event": {"type": "string"},
                "kind": {"type": "string", "enum": [k.value for k in SessionKind]},
                "title": {"type": "string"}, "abstract": {"type": "string"},
                "starts_at": _datetime, "ends_at": _datetime, "room": _nullable_str,
                "language": {"type": "string"}, "host": _nullable_str, "speakers": {"type": "string"},
                "needs_seat": {"type": "boolean"}, "capacity": {"type": ["integer", "null"]},
                "seats_taken": {"type": "integer"},
                "seats_left": {"type": ["integer", "null"], "description": "null: unlimited"},
                "waiting_list": {"type": "integer"},
                "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
            },
        },
        "LanguageSkill": {
            "type": "object", "required": ["code", "level"],
            "properties": {"code": {"type": "string", "enum": LANGUAGE_CODES},
                           "level": {"type": "string", "enum": LEVELS}},
        },
        "RegistrationRequest": {
            "type": "object",
            "required": ["email", "full_name", "country", "university", "degree_level", "field_of_study",
                         "consent_processing"],
            "properties": {
                "email": {"type": "string", "format": "email", "maxLength": 254,
                          "description": "An address that can receive mail (not at .test, .invalid, .local…)."},
                "full_name": _text(200, required=True, description="Any script."),
                "badge_name": _text(80),
                "country": {"type": "string", "description": "ISO 3166-1 alpha-2, e.g. IN",
                            "enum": country_codes()},
                "university": _text(200, required=True),
                "degree_level": {"type": "string", "enum": [d.value for d in DegreeLevel]},
                "field_of_study": _text(200, required=True),
                "graduation_date": {"type": "string", "format": "date",
                                    "pattern": r"^(19[5-9][0-9]|20[0-9][0-9]|2100)-"},
                "languages": {"type": "array", "maxItems": 8, "items": _ref("LanguageSkill"),
                              "description": "Each language once."},
                "seeking": {"type": "array", "items": {"type": "string", "enum": [s.value for s in Seeking]}},
                "locale": {"type": "string", "enum": ["en", "de", "nl"]},
                "consent_processing": {"type": "boolean", "const": True},
                "consent_sharing": {"type": "boolean"},
                "sessions": {"type": "array", "items": {"type": "integer"},
                             "description": "Session ids of this event, none at the same time as another "
                                            "(else 422 session_not_found or sessions_overlap)."},
            },
        },
        "Enrolment": {
            "type": "object", "required": ["session_id", "status"],
            "properties": {
                "session_id": {"type": "integer"}, "title": {"type": "string"},
                "status": {"type": "string", "enum": [s.value for s in EnrolmentStatus]},
                "waiting_list_position": {"type": ["integer", "null"]},
            },
        },
        "Registration": {
            "type": "object", "required": ["status", "event", "attendee", "enrolments"],
            "properties": {
                "status": {"type": "string", "enum": [s.value for s in RegistrationStatus]},
                "event": {"type": "string"}, "email_confirmed": {"type": "boolean"},
                "waiting_list_position": {"type": ["integer", "null"]},
                "created_at": _datetime, "expires_at": {"type": ["string", "null"], "format": "date-time"},
                "attendee": {"type": "object"}, "consents": {"type": "object"},
                "enrolments": {"type": "array", "items": _ref("Enrolment")},
            },
        },
    }
    not_found = _error("Not found")
    paths = {
        "/api/v1/events": {"get": {
            "operationId": "listEvents", "summary": "Upcoming published welcome days",
            "responses": {"200": _json({"type": "object", "properties": {
                "events": {"type": "array", "items": _ref("Event")}}}, "The events")}}},
        "/api/v1/events/{slug}": {"get": {
            "operationId": "getEvent", "summary": "One welcome day", "parameters": [_SLUG],
            "responses": {"200": _json(_ref("Event"), "The event"), "404": not_found}}},
        "/api/v1/events/{slug}/sessions": {"get": {
            "operationId": "listSessions", "summary": "The programme with seats left",
            "parameters": [_SLUG,
                           {"name": "kind", "in": "query", "schema": {"type": "string",
                                                                      "enum": [k.value for k in SessionKind]}},
                           {"name": "language", "in": "query",
                            "schema": {"type": "string", "pattern": "^[A-Za-z]{1,8}$"}}],
            "responses": {"200": _json({"type": "object", "properties": {
                "sessions": {"type": "array", "items": _ref("Session")}}}, "Sessions in time order"),
                "400": _error("Bad filter"), "404": not_found}}},
        "/api/v1/sessions/{session_id}": {"get": {
            "operationId": "getSession", "summary": "One session with seats left",
            "parameters": [{"name": "session_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 0}}],
            "responses": {"200": _json(_ref("Session"), "The session"), "404": not_found}}},
        "/api/v1/events/{slug}/registrations": {"post": {
            "operationId": "createRegistration",
            "summary": "Register for a welcome day (double opt-in: the e-mailed link confirms)",
            "parameters": [_SLUG],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("RegistrationRequest")}}},
            "responses": {
                "202": _json({"type": "object", "required": ["status", "message"], "properties": {
                    "status": {"type": "string", "const": "accepted"}, "email": {"type": "string"},
                    "message": {"type": "string"}}}, "Accepted; the confirmation link was e-mailed"),
                "400": _error("The body is not a JSON object"), "404": not_found,
                "409": _error("A rule said no (registration closed…)"),
                "413": _error("Body too large"), "415": _error("Not JSON"),
                "422": _error("Validation failed; see fields"), "429": _error("Too many requests")}}},
        "/api/v1/registrations/{token}": {"get": {
            "operationId": "getRegistration", "summary": "A registration, by its secret token",
            "parameters": [_TOKEN],
            "responses": {"200": _json(_ref("Registration"), "The registration"), "404": not_found}}},
        "/api/v1/registrations/{token}/confirm": {"post": {
            "operationId": "confirmRegistration", "summary": "Confirm the e-mail address",
            "parameters": [_TOKEN],
            "responses": {"200": _json(_ref("Registration"), "Confirmed"), "404": not_found,
                          "410": _error("Cancelled or expired")}}},
        "/api/v1/registrations/{token}/enrolments": {"post": {
            "operationId": "addEnrolment", "summary": "Add a session (a seat or a waiting-list place)",
            "parameters": [_TOKEN],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["session_id"],
                "properties": {"session_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}}}}},
            "responses": {"201": _json(_ref("Enrolment"), "Enrolled or waitlisted"),
                          "400": _error("Bad body"), "404": not_found, "409": _error("A rule said no"),
                          "410": _error("Registration cancelled"), "413": _error("Body too large"),
                          "415": _error("Not JSON"), "422": _error("Validation failed")}}},
        "/api/v1/registrations/{token}/enrolments/{session_id}": {"delete": {
            "operationId": "deleteEnrolment", "summary": "Drop a session; the first in line gets the seat",
            "parameters": [_TOKEN, {"name": "session_id", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 0}}],
            "responses": {"204": {"description": "Dropped"}, "404": not_found}}},
        "/api/v1/registrations/{token}/cancel": {"post": {
            "operationId": "cancelRegistration", "summary": "Cancel the registration",
            "parameters": [_TOKEN],
            "responses": {"200": _json(_ref("Registration"), "Cancelled"), "404": not_found}}},
    }
    from badges.door.openapi import SECURITY_SCHEMES, checkin_paths, checkin_schemas  # the scanner check-in API
    paths.update(checkin_paths())
    schemas.update(checkin_schemas())
    return {
        "openapi": "3.1.0",
        "info": {"title": "welcomeday API", "version": "1.0.0",
                 "description": "Welcome days for international talent: programme, seats and registration."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }
