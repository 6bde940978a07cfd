"""The JSON API: every endpoint, and every way it says no ({"error": {status, reason, message}})."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import utcnow
from app.forms import unstorable_character
from app.mail import OutboxMessage
from events.registration.models import Attendee, Enrolment, Registration, RegistrationStatus
from events.programme.models import EventStatus, SessionKind
from tests.factories import make_event, make_session, register

API = "/api/v1"


def body(**overrides) -> dict:
    data = {"email": "ana@example.org", "full_name": "Ana Pérez", "country": "MX", "university": "HHU Düsseldorf",
            "degree_level": "master", "field_of_study": "Chemistry", "consent_processing": True,
            "languages": [{"code": "en", "level": "C1"}, {"code": "de", "level": "A2"}], "seeking": ["job"]}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def counts(db) -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Attendee, Registration, Enrolment, OutboxMessage))


def error_of(response, status: int, reason: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"]
    if reason is not None:
        assert error["reason"] == reason
    return error


def test_openapi_document_names_every_operation(client, app):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert all(op.get("operationId") for op in operations)
    api_rules = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")}
    documented = {p.replace("{", "<").replace("}", ">") for p in document["paths"]}
    assert {re.sub(r"<[^:>]+:", "<", r) for r in api_rules} == documented  # <string(maxlength=80):slug>: <slug>


def test_events_and_sessions(client, db):
    event = make_event(capacity=100)
    workshop = make_session(event, capacity=2, title="CV clinic", room="Room 1")
    talk = make_session(event, offset_minutes=90, capacity=None, kind=SessionKind.TALK, language="de")
    make_event(status=EventStatus.DRAFT)
    register(event, sessions=[workshop])

    events = client.get(f"{API}/events").get_json()["events"]
    assert [e["slug"] for e in events] == [event.slug]
    one = client.get(f"{API}/events/{event.slug}").get_json()
    assert one["places_taken"] == 1 and one["registration_open"] is True and one["timezone"] == "Europe/Berlin"

    sessions = client.get(f"{API}/events/{event.slug}/sessions").get_json()["sessions"]
    assert [(s["id"], s["seats_left"], s["seats_taken"]) for s in sessions] == [(workshop.id, 1, 1),
                                                                               (talk.id, None, 0)]
    assert sessions[0]["room"] == "Room 1"
    talks = client.get(f"{API}/events/{event.slug}/sessions?kind=talk&language=de").get_json()["sessions"]
    assert [s["id"] for s in talks] == [talk.id]
    assert client.get(f"{API}/sessions/{workshop.id}").get_json()["title"] == "CV clinic"

    assert error_of(client.get(f"{API}/events/{event.slug}/sessions?kind=party"), 400,
                    "invalid_parameter")["field"] == "kind"
    assert error_of(client.get(f"{API}/events/{event.slug}/sessions?language=e1"), 400,
                    "invalid_parameter")["field"] == "language"
    assert error_of(client.get(f"{API}/events/{event.slug}/sessions?knd=talk"), 400,
                    "invalid_parameter")["field"] == "knd"


@pytest.mark.parametrize("path", [
    "/events/nope", "/events/nope/sessions", "/sessions/999999", "/sessions/99999999999999999999",
    "/registrations/nope", "/registrations/" + "t" * 65, "/nothing-here",
])
def test_unknown_things_are_404_json(client, db, path):
    error_of(client.get(API + path), 404, "not_found")


def test_draft_events_and_their_sessions_are_404(client, db):
    draft = make_event(status=EventStatus.DRAFT)
    session = make_session(draft)
    error_of(client.get(f"{API}/events/{draft.slug}"), 404, "not_found")
    error_of(client.get(f"{API}/sessions/{session.id}"), 404, "not_found")
    error_of(client.post(f"{API}/events/{draft.slug}/registrations", json=body()), 404, "not_found")


def test_wrong_method_is_405_with_allow(client, db):
    response = client.delete(f"{API}/events")
    error_of(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


# ------------------------------------------------------------------------------------------ registering


def test_register_and_the_registration_lifecycle(client, db):
    event = make_event()
    a = make_session(event, capacity=1, title="CV clinic")
    b = make_session(event, offset_minutes=30, title="Interview training")
    c = make_session(event, offset_minutes=120, title="Networking")
    response = client.post(f"{API}/events/{event.slug}/registrations", json=body(sessions=[a.id]))
    assert response.status_code == 202
    assert response.get_json() == {"status": "accepted", "email": "ana@example.org",
                                   "message": "Check your e-mail: the link in it confirms your registration."}
    registration = db.session.scalars(select(Registration)).one()
    token = registration.token
    assert registration.attendee.languages == {"en": "C1", "de": "A2"}

    data = client.get(f"{API}/registrations/{token}").get_json()
    assert data["status"] == "pending" and data["email_confirmed"] is False
    assert data["enrolments"] == [{"session_id": a.id, "title": "CV clinic", "status": "confirmed",
                                   "waiting_list_position": None}]
    data = client.post(f"{API}/registrations/{token}/confirm").get_json()
    assert data["status"] == "confirmed" and data["email_confirmed"] is True

    url = f"{API}/registrations/{token}/enrolments"
    error_of(client.post(url, json={"session_id": b.id}), 409, "sessions_overlap")
    error_of(client.post(url, json={"session_id": a.id}), 409, "already_enrolled")
    error_of(client.post(url, json={"session_id": 999999}), 422, "session_not_found")
    assert error_of(client.post(url, json={}), 422, "validation_failed")["fields"] == {
        "session_id": ["This field is required."]}
    assert "session_id" in error_of(client.post(url, json={"session_id": 2**40}), 422)["fields"]
    error_of(client.post(url, data="session_id=3"), 415, "unsupported_media_type")
    error_of(client.post(url, data="{", content_type="application/json"), 400, "bad_request")
    error_of(client.post(url, json=[1]), 400, "bad_request")
    assert error_of(client.post(url, json={"session_id": {"id": 1}}), 422, "validation_failed")["fields"] == {
        "session_id": ["An integer."]}
    assert error_of(client.post(url, json={"session_id": True}), 422)["fields"] == {"session_id": ["An integer."]}
    # Keys the API does not read are ignored, whatever they hold.
    assert client.post(url, json={"session_id": c.id, "note": {"any": ["thing"]}}).status_code == 201
    assert client.delete(f"{url}/{c.id}").status_code == 204

    response = client.post(url, json={"session_id": c.id})
    assert response.status_code == 201 and response.get_json()["status"] == "confirmed"
    assert client.delete(f"{url}/{c.id}").status_code == 204
    error_of(client.delete(f"{url}/{c.id}"), 404, "not_enrolled")
    error_of(client.delete(f"{url}/99999999999999999999"), 404, "not_found")  # no such id: matches no route

    data = client.post(f"{API}/registrations/{token}/cancel").get_json()
    assert data["status"] == "cancelled" and data["enrolments"] == []
    error_of(client.post(f"{API}/registrations/{token}/confirm"), 410, "registration_cancelled")
    error_of(client.post(url, json={"session_id": c.id}), 410, "registration_cancelled")
    assert client.post(f"{API}/registrations/{token}/cancel").status_code == 200


def test_waiting_list_positions_in_the_api(client, db):
    event = make_event(capacity=1)
    session = make_session(event, capacity=1)
    register(event, sessions=[session])
    client.post(f"{API}/events/{event.slug}/registrations", json=body(sessions=[session.id]))
    token = db.session.scalars(select(Registration).where(
        Registration.status == RegistrationStatus.WAITLISTED)).one().token
    data = client.get(f"{API}/registrations/{token}").get_json()
    assert data["status"] == "waitlisted" and data["waiting_list_position"] == 1


@pytest.mark.parametrize("overrides,fields", [
    ({"email": "nope"}, {"email"}),
    ({"email": ...}, {"email"}),
    ({"full_name": "", "university": " "}, {"full_name", "university"}),
    ({"full_name": "Ana\x00"}, {"full_name"}),
    ({"full_name": "\ud800"}, {"full_name"}),
    ({"country": "Mexico"}, {"country"}),
    ({"degree_level": "wizard"}, {"degree_level"}),
    ({"graduation_date": "31.07.2026"}, {"graduation_date"}),
    ({"languages": [{"code": "en", "level": "C1"}, {"code": "en", "level": "B1"}]}, {"languages"}),
    ({"languages": [{"code": "en"}]}, {"languages-0-level"}),
    ({"languages": [{"code": "xx", "level": "C1"}]}, {"languages-0-code"}),
    ({"seeking": ["fame"]}, {"seeking"}),
    ({"consent_processing": False}, {"consent_processing"}),
    ({"sessions": ["one"]}, {"sessions"}),
    ({"locale": "fr"}, {"locale"}),
])
def test_invalid_registration_is_422_with_fields_and_writes_nothing(client, db, overrides, fields):
    event = make_event()
    response = client.post(f"{API}/events/{event.slug}/registrations", json=body(**overrides))
    error = error_of(response, 422, "validation_failed")
    assert set(error["fields"]) == fields
    assert all(messages and all(isinstance(m, str) and m for m in messages)
               for messages in error["fields"].values())
    assert counts(db) == (0, 0, 0, 0)


@pytest.mark.parametrize("raw,content_type,status,reason", [
    (b"{not json", "application/json", 400, "bad_request"),
    (b"[]", "application/json", 400, "bad_request"),
    (b'"text"', "application/json", 400, "bad_request"),
    (b"null", "application/json", 400, "bad_request"),
    (b"\xff\xfe\x00", "application/json", 400, "bad_request"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "bad_request"),
    (b'{"email": {"a": 1}}', "application/json", 422, "validation_failed"),
    (b'{"sessions": [[1]]}', "application/json", 422, "validation_failed"),
    # JSON types are checked, never read as text: true used to be stored as the name "y"
    (b'{"full_name": true}', "application/json", 422, "validation_failed"),
    (b'{"full_name": 42, "email": "a@b.org"}', "application/json", 422, "validation_failed"),
    (b'{"consent_processing": "yes"}', "application/json", 422, "validation_failed"),
    (b'{"languages": "de"}', "application/json", 422, "validation_failed"),
    (b'{"languages": [{"code": 1, "level": "B2"}]}', "application/json", 422, "validation_failed"),
    (b'{"email": "a@b.org"}', "text/plain", 415, "unsupported_media_type"),
    (b"email=a@b.org", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
])
def test_bad_bodies(client, db, raw, content_type, status, reason):
    event = make_event()
    response = client.post(f"{API}/events/{event.slug}/registrations", data=raw, content_type=content_type)
    error_of(response, status, reason)
    assert counts(db) == (0, 0, 0, 0)


def test_rule_errors_have_a_reason(client, db):
    event = make_event()
    a = make_session(event, title="CV clinic")
    b = make_session(event, offset_minutes=15, title="Interview training")
    url = f"{API}/events/{event.slug}/registrations"
    error = error_of(client.post(url, json=body(sessions=[a.id, b.id])), 422, "sessions_overlap")
    assert error["field"] == "sessions"
    for unknown in (123456, 2**40, 0):
        error = error_of(client.post(url, json=body(sessions=[a.id, unknown])), 422, "session_not_found")
        assert error["field"] == "sessions"
    closed = make_event(registration_closes_at=utcnow() - timedelta(minutes=1))
    error_of(client.post(f"{API}/events/{closed.slug}/registrations", json=body()), 409, "registration_closed")
    later = make_event(registration_opens_at=utcnow() + timedelta(days=1))
    error_of(client.post(f"{API}/events/{later.slug}/registrations", json=body()), 409,
             "registration_not_open_yet")
    assert counts(db) == (0, 0, 0, 0)


def test_same_email_gives_the_same_answer_and_no_second_registration(client, db):
    event = make_event()
    url = f"{API}/events/{event.slug}/registrations"
    first = client.post(url, json=body())
    second = client.post(url, json=body(email="ANA@example.org", full_name="Someone else"))
    assert first.status_code == second.status_code == 202
    assert first.get_json() == second.get_json()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_oversize_body_is_413_json(client, db, app):
    event = make_event()
    big = body(full_name="x" * app.config["MAX_CONTENT_LENGTH"])
    error_of(client.post(f"{API}/events/{event.slug}/registrations", json=big), 413, "request_entity_too_large")
    registration = register(event)
    error_of(client.post(f"{API}/registrations/{registration.token}/enrolments",
                         json={"session_id": 1, "pad": "x" * app.config["MAX_CONTENT_LENGTH"]}), 413)


# ------------------------------------------------------------------------------------------ the models' rules


def test_the_documented_text_pattern_is_the_storable_text_check(client):
    """Clients (and schemathesis) read the pattern; the server checks with app.forms.unstorable_character."""
    document = client.get("/api/openapi.json").get_json()
    full_name = document["components"]["schemas"]["RegistrationRequest"]["properties"]["full_name"]
    any_text = re.compile(full_name["pattern"].replace("[^\\s", "[^").replace("\\s]", "]"))
    pattern = re.compile(full_name["pattern"])
    assert pattern.fullmatch("Lý Thường Kiệt") and not pattern.fullmatch("   ")
    surrogates = range(0xD800, 0xE000)
    differ = [hex(code) for code in range(0x110000) if code not in surrogates
              and (unstorable_character(chr(code)) is None) != bool(any_text.fullmatch("x" + chr(code)))]
    assert not differ


def test_optional_members_may_be_null_or_left_out(client, db):
    event = make_event()
    url = f"{API}/events/{event.slug}/registrations"
    nulls = body(badge_name=None, graduation_date=None, languages=None, seeking=None, locale=None,
                 consent_sharing=None, sessions=None)
    assert client.post(url, json=nulls).status_code == 202
    assert client.post(url, json=body(email="bo@example.org", badge_name="", graduation_date="")).status_code == 202
    attendees = db.session.scalars(select(Attendee).order_by(Attendee.id)).all()
    assert [a.badge_name for a in attendees] == ["Ana Pérez", "Ana Pérez"] and attendees[0].locale == "en"


def test_the_models_refuse_what_the_form_refuses(client, db):
    event = make_event()
    url = f"{API}/events/{event.slug}/registrations"
    nine = [{"code": code, "level": "B1"} for code in ("en", "de", "nl", "fr", "es", "it", "pt", "pl", "tr")]
    cases = [({"languages": nine}, "languages"), ({"full_name": "x" * 201}, "full_name"),
             ({"graduation_date": "1900-01-01"}, "graduation_date"), ({"email": "ana@example.test"}, "email"),
             ({"consent_processing": None}, "consent_processing"), ({"sessions": [True]}, "sessions"),
             ({"full_name": None}, "full_name")]
    for overrides, field in cases:
        error = error_of(client.post(url, json=body(**overrides)), 422, "validation_failed")
        assert list(error["fields"]) == [field], overrides
    assert counts(db) == (0, 0, 0, 0)


def test_refusals_say_the_web_forms_messages_in_the_requests_language(client, db):
    # The first request of the test: Flask-Babel keeps the locale for the application context, which the test
    # client shares across requests.
    event = make_event()
    url = f"{API}/events/{event.slug}/registrations"
    error = error_of(client.post(url, json=body(full_name=" "), headers={"Accept-Language": "de"}), 422)
    assert error["fields"]["full_name"] == ["Bitte sagen Sie uns Ihren Namen."]
