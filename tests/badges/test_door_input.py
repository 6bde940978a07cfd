"""Never a 500 at the door: whatever a scanner or a door page sends, the answer is a verdict or a clear 4xx.

Through the scanner API (POST /api/v1/checkin, the routes of badges/door/api.py) and the door page's own JSON
endpoints (scan, undo, search), on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (whose text columns refuse
NUL characters, whose integers stop at 2^31 - 1, and whose driver refuses lone surrogates).
"""
from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.accounts.models import EventRoleKind
from badges import services, tokens
from badges.models import CheckIn, ScanLog
from tests.badges.helpers import api_scan, device_token, live_event, staff_user
from tests.factories import register

NUL, SURROGATE = "\x00", "\ud800"
DEEP = "[" * 100_000 + "]" * 100_000


def _token(registration) -> str:
    return tokens.token_for(services.badge_for_registration(registration))


def _sign_in(client, event):
    staff_user(event, "door-input@example.org", EventRoleKind.DOOR)
    assert client.post("/account/login", data={"email": "door-input@example.org",
                                               "password": "door-password-123"}).status_code in (302, 303)


def _post_json(client, url, payload, **headers):
    """The body as JSON text with \\u escapes (what any JSON encoder sends for NUL and lone surrogates)."""
    return client.post(url, data=json.dumps(payload), headers={"Content-Type": "application/json", **headers})


def _nothing_logged(db):
    return db.session.scalar(select(func.count(ScanLog.id))) == 0


def _bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


# ------------------------------------------------------------------------------------------------ bad characters

BAD_TEXT = {"NUL": NUL, "lone high surrogate": SURROGATE, "lone low surrogate": "\udfff", "escape": "\x1b"}


def test_api_refuses_nul_and_lone_surrogates(client, db):
    event = live_event()
    secret = device_token(event)
    token = _token(register(event))
    for field in ("nonce", "station", "token", "door"):
        for what, bad in BAD_TEXT.items():
            payload = {"token": token, "door": "main", "nonce": "n" * 32, "station": "Door 1"}
            payload[field] = payload[field][:10] + bad + payload[field][10:]
            response = _post_json(client, "/api/v1/checkin", payload, **_bearer(secret))
            assert response.status_code == 422, (field, what, response.text)
            assert response.json["error"]["reason"] == "validation_failed"
            assert list(response.json["error"]["fields"]) == [field], (field, what)
    assert _nothing_logged(db) and db.session.scalar(select(func.count(CheckIn.id))) == 0


def test_door_page_refuses_nul_and_lone_surrogates(client, db):
    event = live_event()
    registration = register(event)
    token, token_hash = _token(registration), services.badge_for_registration(registration).token_hash
    _sign_in(client, event)
    for field in ("nonce", "station", "token", "hash"):
        for what, bad in BAD_TEXT.items():
            payload = {"nonce": "n" * 32, "station": "Door 1", **({"hash": token_hash} if field == "hash"
                                                                  else {"token": token})}
            payload[field] = payload[field][:10] + bad + payload[field][11 if field == "hash" else 10:]
            response = _post_json(client, f"/console/e/{event.slug}/door/main/scan", payload)
            assert response.status_code == 422, (field, what, response.text)
            assert list(response.json["error"]["fields"]) == [field], (field, what)
    assert _nothing_logged(db)


def test_door_page_urls_with_bad_characters_are_unknown_doors(client, db):
    """On the door page the door is part of the URL: an unknown address, 404 (400 for NUL), never a 500."""
    event = live_event()
    _sign_in(client, event)
    for door in ("main\x00", "session-1\x00", "\ud800", "session-\ud800", "main\x1b"):
        raw = door.encode("utf-8", "surrogatepass").hex()
        path = f"/console/e/{event.slug}/door/" + "".join(f"%{raw[i:i + 2]}" for i in range(0, len(raw), 2))
        response = client.post(path + "/scan", json={"token": "A" * 22, "nonce": "n" * 32})
        if "\x00" in door:  # NUL in a URL is refused before any view (app.inputs), with its reason
            assert response.status_code == 400 and "U+0000" in response.text, door
            assert client.get(path).status_code == 400
            continue
        assert response.status_code == 404 and response.json["error"]["reason"] == "unknown_door", door
        assert client.get(path).status_code == 404
    assert _nothing_logged(db)


# ------------------------------------------------------------------------------------------------ doors

UNKNOWN_DOORS = ["session-2147483648", "session-9223372036854775808", "session-" + "9" * 40, "session-0",
                 "session-²", "session-١", "session-007", "session--1", "session-+1", "session- 1", "main ",
                 "MAIN", "session-", "session-1x", ""]


def test_unknown_doors_are_404(client, db):
    """Session ids past PostgreSQL's integer (2^31 - 1), digits that are not ASCII, other spellings."""
    event = live_event()
    secret = device_token(event)
    token = _token(register(event))
    _sign_in(client, event)
    for door in UNKNOWN_DOORS:
        response = api_scan(client, secret, token, door=door)
        assert response.status_code == 404 and response.json["error"]["reason"] == "unknown_door", door
        if door:  # on the door page the door is a part of the URL
            response = client.post(f"/console/e/{event.slug}/door/{door}/scan", json={"token": token,
                                                                                       "nonce": "n" * 32})
            assert response.status_code == 404 and response.json["error"]["reason"] == "unknown_door", door
            assert client.get(f"/console/e/{event.slug}/door/{door}").status_code == 404, door
    assert _nothing_logged(db)


def test_a_session_door_in_canonical_form_admits(client, db):
    """The digits of a session door are ASCII and without leading zeros: one door, one spelling (another
    spelling of the same session would be a second door at which the same holder could check in again)."""
    from tests.factories import make_session
    event = live_event()
    workshop = make_session(event, offset_minutes=30, capacity=5)
    registration = register(event, sessions=[workshop])
    secret = device_token(event)
    assert api_scan(client, secret, _token(registration), door=f"session-{workshop.id}").json["status"] == "ok"
    arabic = "".join(chr(0x660 + int(d)) for d in str(workshop.id))
    assert api_scan(client, secret, _token(registration), door=f"session-{arabic}").status_code == 404
    assert api_scan(client, secret, _token(registration), door=f"session-0{workshop.id}").status_code == 404
    assert db.session.scalar(select(func.count(CheckIn.id))) == 1


# ------------------------------------------------------------------------------------------------ JSON shapes

def test_deeply_nested_json_is_400(client, db):
    event = live_event()
    secret = device_token(event)
    headers = {"Content-Type": "application/json"}
    response = client.post("/api/v1/checkin", data=DEEP, headers={**headers, **_bearer(secret)})
    assert response.status_code == 400 and response.json["error"]["reason"] == "invalid_json"
    assert "nested" in response.json["error"]["message"]
    _sign_in(client, event)
    for endpoint in ("scan", "undo"):
        response = client.post(f"/console/e/{event.slug}/door/main/{endpoint}", data=DEEP, headers=headers)
        assert response.status_code == 400 and response.json["error"]["reason"] == "invalid_json", endpoint
    # a nested object deep inside a field is a wrong type, not a crash
    nested = '{"token": ' + DEEP + ', "door": "main", "nonce": "' + "n" * 32 + '"}'
    response = client.post("/api/v1/checkin", data=nested, headers={**headers, **_bearer(secret)})
    assert response.status_code == 400 and response.json["error"]["reason"] == "invalid_json"


MALFORMED = ['{"token": ', "not json", '{"token": "A", "door": "main", "nonce": NaN', '{"n": ' + "1" * 5000 + "}",
             "\xff\xfe", ""]


def test_malformed_json_is_400(client, db):
    event = live_event()
    secret = device_token(event)
    headers = {"Content-Type": "application/json"}
    _sign_in(client, event)
    for body in MALFORMED:
        response = client.post("/api/v1/checkin", data=body.encode("latin-1"), headers={**headers,
                                                                                      **_bearer(secret)})
        assert response.status_code == 400 and response.json["error"]["reason"] == "invalid_json", body[:20]
        for endpoint in ("scan", "undo"):
            response = client.post(f"/console/e/{event.slug}/door/main/{endpoint}", data=body.encode("latin-1"),
                                   headers=headers)
            assert response.status_code == 400 and response.json["error"]["reason"] == "invalid_json", body[:20]


WRONG_TYPES = [
    ("token", 5), ("token", True), ("token", ["A"]), ("token", {"a": 1}), ("token", "A" * 65), ("station", True),
    ("station", 1.5), ("station", "S" * 61), ("nonce", 12345678901234567890), ("nonce", None), ("door", 5),
    ("door", None), ("door", ["main"]), ("door", {"main": True}), ("scanned_at", 5), ("scanned_at", "yesterday"),
    ("scanned_at", "2026-01-01T10:00:00"), ("offline_status", True), ("offline_status", ["ok"]),
    ("offline_status", "maybe"),
]


def test_api_wrong_types_are_422(client, db):
    event = live_event()
    secret = device_token(event)
    token = _token(register(event))
    for field, value in WRONG_TYPES:
        payload = {"token": token, "door": "main", "nonce": "n" * 32, field: value}
        response = client.post("/api/v1/checkin", json=payload, headers=_bearer(secret))
        assert response.status_code == 422, (field, value, response.text)
        assert list(response.json["error"]["fields"]) == [field], (field, value)
    # what is left out is named too
    response = client.post("/api/v1/checkin", json={"station": "Door 1"}, headers=_bearer(secret))
    assert response.status_code == 422 and set(response.json["error"]["fields"]) == {"token", "door", "nonce"}
    assert _nothing_logged(db)


def test_door_page_wrong_types_are_422(client, db):
    event = live_event()
    token = _token(register(event))
    _sign_in(client, event)
    for field, value in WRONG_TYPES + [("hash", 5), ("hash", "0" * 63), ("hash", "g" * 64)]:
        if field == "door":
            continue  # the URL names the door
        payload = {"token": token, "nonce": "n" * 32, field: value}
        response = client.post(f"/console/e/{event.slug}/door/main/scan", json=payload)
        assert response.status_code == 422, (field, value, response.text)
        assert list(response.json["error"]["fields"]) == [field], (field, value)
    assert _nothing_logged(db)


def test_bodies_must_be_objects(client, db):
    event = live_event()
    secret = device_token(event)
    _sign_in(client, event)
    for payload in ([], ["main"], "text", 5, None, True):
        response = _post_json(client, "/api/v1/checkin", payload, **_bearer(secret))
        assert response.status_code == 400 and response.json["error"]["reason"] == "validation_failed", payload
        for endpoint in ("scan", "undo"):
            response = _post_json(client, f"/console/e/{event.slug}/door/main/{endpoint}", payload)
            assert response.status_code == 400 and response.json["error"]["reason"] == "validation_failed"


UNDO_IDS = [("x", 422), ("1", 422), (True, 422), (False, 422), (1.5, 422), (None, 422), ([1], 422),
            ({"id": 1}, 422), (2 ** 31, 404), (2 ** 63, 404), (10 ** 30, 404), (0, 404), (-1, 404),
            (-(2 ** 31) - 1, 404), (2 ** 31 - 1, 404)]


def test_undo_check_in_id_types(client, db):
    event = live_event()
    _sign_in(client, event)
    for value, status in UNDO_IDS:
        response = client.post(f"/console/e/{event.slug}/door/main/undo", json={"check_in_id": value})
        assert response.status_code == status, (value, response.text)
        if status == 422:
            assert list(response.json["error"]["fields"]) == ["check_in_id"]
        else:
            assert response.json["error"]["reason"] == "not_found"


def test_undo_with_a_true_id_undoes_nothing(client, db):
    """``True == 1`` in Python: a boolean must not undo check-in number 1."""
    event = live_event()
    registration = register(event)
    _sign_in(client, event)
    scan = client.post(f"/console/e/{event.slug}/door/main/scan", json={"token": _token(registration),
                                                                        "nonce": "n" * 32})
    assert scan.json["check_in_id"] == 1
    response = client.post(f"/console/e/{event.slug}/door/main/undo", json={"check_in_id": True})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(CheckIn.id))) == 1


# ------------------------------------------------------------------------------------------------ search

def test_door_search_with_nul_is_400(client, db):
    event = live_event()
    register(event, name="Rosa Roster")
    services.issue_event_badges(event)
    _sign_in(client, event)
    for q in ("ro\x00", "\x00\x00", "a\x00%"):  # NUL in any query string is refused before the view
        response = client.get(f"/console/e/{event.slug}/door/main/search", query_string={"q": q})
        assert response.status_code == 400 and "U+0000" in response.text, q
    response = client.get(f"/console/e/{event.slug}/door/main/search", query_string={"q": "ro\x1bsa"})
    assert response.status_code == 400 and response.json["error"]["reason"] == "validation_failed"
    assert list(response.json["error"]["fields"]) == ["q"]
    assert client.get(f"/console/e/{event.slug}/door/main/search", query_string={"q": "ro"}).json["results"]


def test_staff_badge_search_with_unreadable_text_finds_nobody(client, db):
    """The staff badge page shares the door's search (badges/door/devices.py search_holders)."""
    event = live_event()
    register(event, name="Rosa Roster")
    services.issue_event_badges(event)
    staff_user(event, "staff-input@example.org", EventRoleKind.STAFF)
    client.post("/account/login", data={"email": "staff-input@example.org", "password": "door-password-123"})
    assert "Rosa Roster" in client.get(f"/console/e/{event.slug}/badges", query_string={"q": "rosa"}).text
    page = client.get(f"/console/e/{event.slug}/badges", query_string={"q": "ro\x00sa"})
    assert page.status_code == 400 and "Rosa Roster" not in page.text  # NUL: refused before the view
    page = client.get(f"/console/e/{event.slug}/badges", query_string={"q": "ro\x1bsa"})
    assert page.status_code == 200 and "Rosa Roster" not in page.text


def test_a_device_name_with_nul_is_refused(client, db):
    """A device's name is the station of its scans: it must be text the database stores."""
    from badges.models import CheckinDevice
    event = live_event()
    staff_user(event, "staff-device@example.org", EventRoleKind.STAFF)
    client.post("/account/login", data={"email": "staff-device@example.org", "password": "door-password-123"})
    for name in ("Door\x00 1", "Door\x1b 1"):
        response = client.post(f"/console/e/{event.slug}/door/devices", data={"name": name})
        assert response.status_code == 303, name
    assert db.session.scalar(select(func.count(CheckinDevice.id))) == 0
    assert "wdd_" in client.post(f"/console/e/{event.slug}/door/devices", data={"name": "Door 1"}).text


def test_door_search_treats_wildcards_as_text(client, db):
    event = live_event()
    register(event, name="Rosa Roster")
    register(event, name="Per Cent 100%")
    services.issue_event_badges(event)
    _sign_in(client, event)
    found = client.get(f"/console/e/{event.slug}/door/main/search", query_string={"q": "%%"}).json["results"]
    assert found == []
    found = client.get(f"/console/e/{event.slug}/door/main/search", query_string={"q": "0%"}).json["results"]
    assert [r["name"] for r in found] == ["Per Cent 100%"]
    found = client.get(f"/console/e/{event.slug}/door/main/search", query_string={"q": "r_sa"}).json["results"]
    assert found == []


def test_a_station_with_control_characters_in_the_door_page_url_is_cleaned(client, db):
    """``?station=`` is what the door page sends with every scan: a NUL there would make every scan a 422."""
    event = live_event()
    _sign_in(client, event)
    page = client.get(f"/console/e/{event.slug}/door/main", query_string={"station": "Door\x07 2\x1b"})
    assert page.status_code == 200
    assert 'data-station="Door 2"' in page.text
    assert client.get(f"/console/e/{event.slug}/door/main", query_string={"station": "Door\x00"}).status_code == 400


# ------------------------------------------------------------------------------------------------ any input

JSON_TEXT = st.text(st.characters(codec="utf-8") | st.sampled_from([NUL, SURROGATE, "\udc80", "\u202e"]),
                    max_size=70)
JSON_VALUE = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | JSON_TEXT,
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(JSON_TEXT, inner, max_size=3),
                          max_leaves=8)
FIELDS = ["token", "hash", "door", "nonce", "station", "scanned_at", "offline_status", "check_in_id"]


def test_any_json_gets_a_verdict_or_a_4xx(app, db):
    """Arbitrary JSON (NUL, lone surrogates, huge numbers, nesting, wrong types, and valid values among them) to
    the API and to the door page's scan and undo: a 200 verdict or a 4xx JSON error, never a 5xx."""
    event = live_event()
    registration = register(event)
    staff_user(event, "door-any@example.org", EventRoleKind.DOOR)
    secret = device_token(event)
    valid = ["main", "session-1", "session-2147483648", "n" * 32, _token(registration), "0" * 64,
             services.badge_for_registration(registration).token_hash, "ok", "already", 1, 2 ** 31,
             (event.starts_at + timedelta(minutes=5)).isoformat()]
    payloads = st.dictionaries(st.sampled_from(FIELDS), JSON_VALUE | st.sampled_from(valid),
                               max_size=len(FIELDS)) | JSON_VALUE
    client = app.test_client()
    client.post("/account/login", data={"email": "door-any@example.org", "password": "door-password-123"})
    endpoints = (("/api/v1/checkin", _bearer(secret)), (f"/console/e/{event.slug}/door/main/scan", {}),
                 (f"/console/e/{event.slug}/door/main/undo", {}))

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(payload=payloads)
    def post_anything(payload):
        body = json.dumps(payload)
        for url, headers in endpoints:
            response = client.post(url, data=body, headers={"Content-Type": "application/json", **headers})
            assert response.status_code < 500, (url, payload, response.text)
            assert response.status_code == 200 or response.json["error"]["status"] == response.status_code

    post_anything()
