"""Check-in rules through the HTTP API and the door page's JSON endpoints."""
from __future__ import annotations

from urllib.parse import urlsplit

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event, func, select
from sqlalchemy.exc import DBAPIError

from app.accounts.models import EventRoleKind
from app.extensions import db as _db
from badges.door import checkin, devices, store
from badges.door.inputs import nonce_scope
from badges import services, tokens
from badges.models import CheckIn, ScanLog
from tests.badges.helpers import api_scan, device_token, live_event, staff_user
from tests.factories import make_event, make_session, register


def _token(registration) -> str:
    return tokens.token_for(services.badge_for_registration(registration))


def _login(client, db, role=EventRoleKind.DOOR, event=None, email="door@example.org"):
    user = staff_user(event, email, role)
    client.post("/account/login", data={"email": email, "password": "door-password-123"})
    return user


def test_device_token_required_and_revocable(client, db):
    event = live_event()
    token = _token(register(event))
    assert client.post("/api/v1/checkin", json={"token": token, "door": "main"}).status_code == 401
    secret = device_token(event)
    assert api_scan(client, secret, token).status_code == 200
    device = devices.device_for_token(secret)
    devices.revoke_device(event, device.id)
    response = api_scan(client, secret, token)
    assert response.status_code == 401 and response.json["error"]["reason"] == "unauthorized"


def test_nonce_counts_once_and_every_scan_is_logged(client, db):
    event = live_event()
    token = _token(register(event))
    secret = device_token(event)
    first = api_scan(client, secret, token, nonce="nonce-000000000001")
    retry = api_scan(client, secret, token, nonce="nonce-000000000001")
    assert first.json["status"] == "ok" and retry.json["status"] == "ok" and retry.json["replayed"] is True
    assert api_scan(client, secret, token, nonce="nonce-000000000002").json["status"] == "already"
    api_scan(client, secret, "NOT-A-TOKEN", nonce="nonce-000000000003")
    assert db.session.scalar(select(func.count(CheckIn.id))) == 1
    logs = db.session.scalars(select(ScanLog).order_by(ScanLog.id)).all()
    assert [(log.result.value, log.reason) for log in logs] == [("ok", ""), ("already", ""), ("rejected", "invalid")]
    assert all(log.device_id is not None and log.door == "main" for log in logs)


def test_bad_requests_are_clear_4xx(client, db):
    event = live_event()
    secret = device_token(event)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.post("/api/v1/checkin", data="x", headers=headers).status_code == 415
    response = client.post("/api/v1/checkin", json={"token": 5, "door": "main", "nonce": "x"}, headers=headers)
    assert response.status_code == 422 and set(response.json["error"]["fields"]) == {"token", "nonce"}
    response = client.post("/api/v1/checkin", json={"token": "ABC"}, headers=headers)
    assert response.status_code == 422 and "door" in response.json["error"]["fields"]
    response = api_scan(client, secret, "ABC", door="session-999999")
    assert response.status_code == 404 and response.json["error"]["reason"] == "unknown_door"
    response = client.post("/api/v1/checkin", json=["a"], headers=headers)
    assert response.status_code in (400, 422)


def test_session_doors_window_and_waitlist(client, db):
    event = live_event(capacity=1)
    workshop = make_session(event, offset_minutes=60, minutes=60, capacity=5, room="Room 2")
    other = make_session(event, offset_minutes=200, minutes=60, capacity=5)
    seated = register(event, sessions=[workshop], name="Seated Person")
    waiting = register(event, name="Waiting Person")
    assert waiting.status.value == "waitlisted"
    secret = device_token(event)
    token = _token(seated)
    assert api_scan(client, secret, token, door=f"session-{workshop.id}").json["status"] == "ok"
    assert api_scan(client, secret, token, door=f"session-{other.id}").json["reason"] == "outside_window"
    # the main entrance is its own door: admitted there too, once
    assert api_scan(client, secret, token).json["status"] == "ok"
    badge = tokens.ensure_badge(event.id, registration_id=waiting.id)
    assert api_scan(client, secret, tokens.token_for(badge)).json["reason"] == "waitlisted"
    # enrolled in the session only if holding a seat there
    later = make_session(event, offset_minutes=30, minutes=60, capacity=5)
    assert api_scan(client, secret, token, door=f"session-{later.id}").json["reason"] == "not_enrolled"


def test_outside_the_event_window(client, db):
    event = make_event()  # in 30 days
    token = _token(register(event))
    secret = device_token(event)
    assert api_scan(client, secret, token).json["reason"] == "outside_window"


def test_staff_and_employer_badges_admit(client, db):
    event = live_event()
    staff_user(event, "staff@example.org", EventRoleKind.STAFF, name="Sam Staff")
    assert services.issue_event_badges(event) == 1
    badge = services.select_badges(event, role="staff")[0]
    secret = device_token(event)
    result = api_scan(client, secret, tokens.token_for(badge)).json
    assert result["status"] == "ok" and result["role"] == "staff" and result["full_name"] == "Sam Staff"


def test_concurrent_scans_at_two_doors_check_in_once(app, db, database_url):
    """Two stations scan the same badge at the same moment: one admits, the other says "already".

    Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (where the unique constraint makes the second
    insert wait for the first transaction and then fail)."""
    event = live_event()
    token = _token(register(event))
    event_id = event.id
    results, barrier = [], threading.Barrier(2)

    def scan(station):
        with app.app_context():
            barrier.wait()
            verdict = checkin.check_in(_db.session.get(type(event), event_id), "main", token=token,
                                       station=station, nonce=f"nonce-{station.replace(' ', '_')}-000000")
            results.append(verdict.status)
            _db.session.remove()

    for _ in range(5):
        results.clear()
        _db.session.execute(_db.delete(CheckIn))
        _db.session.commit()
        threads = [threading.Thread(target=scan, args=(f"Door {i}-{_}",)) for i in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["already", "ok"]
        assert _db.session.scalar(select(func.count(CheckIn.id))) == 1


def test_offline_uploads_flag_conflicts_and_undo(client, db):
    event = live_event()
    registration = register(event, name="Olu Offline")
    token = _token(registration)
    _login(client, db, event=event)
    door = f"/console/e/{event.slug}/door/main"
    online = client.post(f"{door}/scan", json={"token": token, "nonce": "nonce-online-0001", "station": "Door 1"})
    assert online.json["status"] == "ok"
    # door 2 was offline, admitted the same badge from its roster, and uploads now
    scanned_at = (online.json and registration.event.starts_at + timedelta(hours=1)).isoformat()
    upload = {"token": token, "nonce": "nonce-offline-0001", "station": "Door 2", "scanned_at": scanned_at,
              "offline_status": "ok"}
    first = client.post(f"{door}/scan", json=upload)
    assert first.json["status"] == "already" and first.json["station"] == "Door 1"
    assert client.post(f"{door}/scan", json=upload).json["replayed"] is True  # uploaded twice, counted once
    conflicts = db.session.scalars(select(ScanLog).where(ScanLog.conflict.is_(True))).all()
    assert len(conflicts) == 1 and conflicts[0].station == "Door 2" and conflicts[0].offline
    page = client.get(f"/console/e/{event.slug}/door")
    assert page.status_code == 200 and "Door 2" in page.text and "another door" in page.text
    # undo, then the badge is admitted again
    assert client.post(f"{door}/undo", json={"check_in_id": online.json["check_in_id"]}).json["status"] == "undone"
    assert client.post(f"{door}/scan", json={"token": token, "nonce": "nonce-online-0002"}).json["status"] == "ok"
    assert client.post(f"{door}/undo", json={"check_in_id": 999999}).status_code == 404


def test_door_pages_need_a_role(client, db):
    event = live_event()
    other = live_event()
    registration = register(event, name="Rosa Roster")
    services.issue_event_badges(event)
    _login(client, db, event=event)
    assert client.get(f"/console/e/{event.slug}/door/main").status_code == 200
    assert client.get(f"/console/e/{other.slug}/door/main").status_code == 403
    assert client.get(f"/console/e/{event.slug}/door/nowhere").status_code == 404
    assert client.get(f"/console/e/{event.slug}/badges").status_code == 403  # door staff: no printing
    roster = client.get(f"/console/e/{event.slug}/door/roster.json").json
    entry = next(b for b in roster["badges"] if b["f"] == "Rosa Roster")
    assert entry["h"] == services.badge_for_registration(registration).token_hash and entry["s"] == "ok"
    assert "token" not in str(roster).lower().replace("token_hash", "")
    found = client.get(f"/console/e/{event.slug}/door/main/search?q=rosa").json["results"]
    assert found and found[0]["h"] == entry["h"]
    by_hash = client.post(f"/console/e/{event.slug}/door/main/scan",
                          json={"hash": entry["h"], "nonce": "nonce-search-0001"})
    assert by_hash.json["status"] == "ok"
    assert client.get(f"/console/e/{event.slug}/door/sw.js").status_code == 200


def test_live_numbers_page(client, db):
    event = live_event()
    workshop = make_session(event, offset_minutes=30, capacity=5)
    regs = [register(event, sessions=[workshop], name=f"Person {i}") for i in range(3)]
    secret = device_token(event)
    for r in regs[:2]:
        api_scan(client, secret, _token(r))
    api_scan(client, secret, _token(regs[0]), door=f"session-{workshop.id}")
    _login(client, db, event=event, role=EventRoleKind.STAFF, email="staff2@example.org")
    page = client.get(f"/console/e/{event.slug}/door")
    assert page.status_code == 200
    assert "2 / 3" in page.text and "1 / 3" in page.text and "<svg" in page.text and "<rect" in page.text
    created = client.post(f"/console/e/{event.slug}/door/devices", data={"name": "Scanner 9"})
    assert "wdd_" in created.text
    assert client.post(f"/console/e/{event.slug}/door/devices", data={"name": ""}).status_code == 303


def test_console_gets_check_in_figures(client, db):
    from app.console.plugins import figure
    event = live_event()
    registration = register(event)
    secret = device_token(event)
    api_scan(client, secret, _token(registration))
    assert set(figure("checkins")(event)) == {registration.id}
    header, rows = figure("checkin_rows")(event)
    assert header[0] == "holder" and rows[0][0] == f"r{registration.id}"
    _login(client, db, event=event)
    response = client.get(f"/staff/checkin/{event.slug}")
    assert response.status_code == 308 and _path(response.location) == f"/console/e/{event.slug}/door"


def test_scans_probe_the_unique_indexes_even_on_a_fresh_day(client, db, is_postgres):
    """Each scan looks its holder up in check_in's unique index and its nonce in scan_log's, never by reading
    every check-in at the door: at the start of a day the tables' statistics are an empty table's, and a second
    index on event_id won the planner's choice then (every scan grew slower as the door filled)."""
    if not is_postgres:
        pytest.skip("the plans checked here are PostgreSQL's (SQLite runs the same statements)")
    event = live_event()
    secret = device_token(event)
    tokens_ = [_token(register(event)) for _ in range(30)]
    for token in tokens_[:-1]:
        assert api_scan(client, secret, token).json["status"] == "ok"
    scope = nonce_scope(devices.device_for_token(secret))
    params = {"token_hash": tokens.hash_token(tokens.normalise(tokens_[-1])), "event_id": event.id, "door": "main",
              "scope": scope, "nonce": "fresh-nonce-00001"}

    def plan(statement, values):
        compiled = statement.statement.compile(dialect=_db.engine.dialect)  # a Prepared statement
        return json.dumps(_db.session.connection().exec_driver_sql(
            "EXPLAIN (FORMAT JSON) " + compiled.string, compiled.construct_params(values)).scalar())

    holder_plan = plan(store.HOLDER_BY_HASH, params)
    assert "uq_check_in_event_id_holder_door" in holder_plan and "holder" in holder_plan.split(
        "uq_check_in_event_id_holder_door")[1].split("}")[0]
    nonce_plans = (holder_plan, plan(store.NONCE_USE, {"event_id": event.id, "scope": scope,
                                                       "nonce": "fresh-nonce-00001"}))
    # the nonce probe (scope and nonce under this event) is one look into scan_log's unique index
    for nonce_plan in nonce_plans:
        probe = nonce_plan.split("uq_scan_log_event_id_scope_nonce")[1].split("}")[0]
        assert "scope" in probe and "nonce" in probe, nonce_plan
    for index in ("ix_check_in_event_time", "ix_scan_log_event_time"):
        assert index not in "".join(nonce_plans)


def test_scanner_api_answers_http_mistakes_in_json(client, db, app):
    """The scanner API's routes (badges/door/api.py): methods, sizes and unknown paths get the app's JSON errors
    with the usual headers; and a scan sets no cookie."""
    event = live_event()
    secret = device_token(event)
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.get("/api/v1/checkin", headers=headers)
    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    assert response.json["error"]["reason"] == "method_not_allowed"
    assert client.delete("/api/v1/checkin/roster", headers=headers).status_code == 405
    assert client.head("/api/v1/checkin/roster", headers=headers).status_code == 200
    assert client.get("/api/v1/checkin/roster").status_code == 401
    too_big = b'{"token": "' + b"A" * app.config["MAX_CONTENT_LENGTH"] + b'"}'
    response = client.post("/api/v1/checkin", data=too_big, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json["error"]["status"] == 413
    response = client.post("/api/v1/checkin/elsewhere", json={}, headers=headers)
    assert response.status_code == 404 and response.json["error"]["reason"] == "not_found"
    response = client.post("/api/v1/checkin", json={"token": 5, "door": "main"},
                           headers={**headers, "Accept-Language": "de"})
    assert response.status_code == 422 and response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.json["error"]["message"] != "Some fields are not valid."  # in German, as the scanner asked
    scanned = api_scan(client, secret, _token(register(event)))
    assert scanned.json["status"] == "ok"
    for answer in (scanned, response, client.get("/api/v1/checkin/roster", headers=headers)):
        assert "Set-Cookie" not in answer.headers


def test_scanner_api_needs_no_csrf_token(app, db):
    """Scanners send no CSRF token (the route is exempt, as it is from the per-address rate limit)."""
    event = live_event()
    secret = device_token(event)
    client = app.test_client()
    enabled = app.config.get("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for _ in range(3):
            assert api_scan(client, secret, _token(register(event))).json["status"] == "ok"
    finally:
        app.config["WTF_CSRF_ENABLED"] = enabled


def test_old_door_urls_redirect_to_the_console(client, db):
    event = live_event()
    old, new = f"/staff/events/{event.id}", f"/console/e/{event.slug}/door"
    for path, target in ((f"{old}/checkin", new), (f"{old}/door/main?station=Door%202", f"{new}/main?station=Door%202"),
                         (f"{old}/door/session-7", f"{new}/session-7"), (f"{old}/door/sw.js", f"{new}/sw.js"),
                         (f"{old}/door/main/search?q=ro", f"{new}/main/search?q=ro"),
                         (f"{old}/roster.json", f"{new}/roster.json"), ("/staff/checkin", "/console/door"),
                         (f"/staff/checkin/{event.slug}", new)):
        response = client.get(path)
        assert response.status_code == 308 and _path(response.location) == target, path
    for path, target in ((f"{old}/door/main/scan", f"{new}/main/scan"), (f"{old}/door/main/undo", f"{new}/main/undo"),
                         (f"{old}/devices", f"{new}/devices"), (f"{old}/devices/3/revoke", f"{new}/devices/3/revoke")):
        response = client.post(path, json={})
        assert response.status_code == 308 and _path(response.location) == target, path
    assert client.get("/staff/events/999999/checkin").status_code == 404
    _login(client, db, event=event)
    followed = client.post(f"{old}/door/main/scan", json={"token": "NOT-A-TOKEN", "nonce": "nonce-legacy-00001"},
                           follow_redirects=True)
    assert followed.json["reason"] == "invalid"


def test_scans_without_waiting_for_the_commit_flush(client, db, app):
    """CHECKIN_SYNCHRONOUS_COMMIT off: the same scan (on PostgreSQL its commit does not wait for the WAL flush)."""
    event = live_event()
    secret = device_token(event)
    app.config["CHECKIN_SYNCHRONOUS_COMMIT"] = False
    try:
        token = _token(register(event))
        assert api_scan(client, secret, token).json["status"] == "ok"
        assert api_scan(client, secret, token).json["status"] == "already"
    finally:
        app.config["CHECKIN_SYNCHRONOUS_COMMIT"] = True
    assert db.session.scalar(select(func.count(CheckIn.id))) == 1


def _path(location: str) -> str:
    """A redirect's path and query (Werkzeug's redirect rules answer with an absolute URL)."""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")
def test_a_scan_whose_pooled_connection_died_runs_once_more(client, db, monkeypatch):
    """The pool pings only connections that rested (app/pool.py): a scan whose connection died a moment before
    fails on its first statement with a disconnect, and runs again on a fresh connection; the door sees one
    answer and the badge is admitted once."""
    event = live_event()
    secret = device_token(event)
    token = _token(register(event))
    holder, failures = store.holder, []

    def dies_once(connection, *args):
        if not failures:
            failures.append(connection)
            raise DBAPIError("SELECT …", {}, Exception("server closed the connection unexpectedly"),
                             connection_invalidated=True)
        return holder(connection, *args)

    monkeypatch.setattr(store, "holder", dies_once)
    response = api_scan(client, secret, token)
    assert failures and response.status_code == 200 and response.json["status"] == "ok"
    assert db.session.scalar(select(func.count(CheckIn.id))) == 1
    assert db.session.scalar(select(func.count(ScanLog.id))) == 1
    # The door page reads its event and user through the ORM session first; the scan joins that transaction,
    # and after a dead connection runs again all the same.
    failures.clear()
    _login(client, db, event=event)
    second = _token(register(event, name="Second Person"))
    response = client.post(f"/console/e/{event.slug}/door/main/scan",
                           json={"token": second, "nonce": "nonce-door-page-retry-1"})
    assert failures and response.status_code == 200 and response.json["status"] == "ok", response.json
    assert db.session.scalar(select(func.count(CheckIn.id))) == 2


def test_a_first_scan_is_one_read_and_one_write(client, db, app, is_postgres):
    """On PostgreSQL a first scan is two statements in autocommit (the holder's SELECT; the check-in and its log
    in one INSERT with CTEs): no BEGIN and COMMIT round trips. SQLite writes the same two rows by two INSERTs in
    its transaction. Either way the check-in and its log are there, and the log says "ok"."""
    event = live_event()
    secret = device_token(event)
    token = _token(register(event))
    api_scan(client, secret, _token(register(event, name="Warm Up")))  # caches the device and the event
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement.split()[0], conn.connection.driver_connection.autocommit if is_postgres else None))

    sa_event.listen(_db.engine, "before_cursor_execute", seen)
    try:
        assert api_scan(client, secret, token).json["status"] == "ok"
    finally:
        sa_event.remove(_db.engine, "before_cursor_execute", seen)
    if is_postgres:
        assert [kind for kind, _ in statements] == ["SELECT", "WITH"]
        assert {autocommit for _, autocommit in statements} == {True}
    else:
        assert [kind for kind, _ in statements] == ["BEGIN", "SELECT", "INSERT", "INSERT"]  # BEGIN IMMEDIATE
    logs = db.session.execute(select(ScanLog.result, ScanLog.conflict).order_by(ScanLog.id)).all()
    assert [(result.value, conflict) for result, conflict in logs] == [("ok", False), ("ok", False)]
