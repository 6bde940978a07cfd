"""Check-in nonces: one nonce is one scan of one device (a scanner's token, or a signed-in door user).

The same nonce from another device is another scan; the same nonce again from the same device is a retry of the
same scan (the first answer again) when it carries the same badge at the same door, and a 409 ``nonce_reused``
otherwise, never another person's verdict. Every test runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL
(where the same statements run under real concurrency).
"""
from __future__ import annotations

import re
import threading
from datetime import timedelta

from sqlalchemy import func, select

from app.accounts.models import EventRoleKind
from app.extensions import db as _db
from badges.door import checkin, devices
from badges.door.inputs import CheckinError
from badges import services, tokens
from badges.models import CheckIn, ScanLog
from tests.badges.helpers import api_scan, device_token, live_event, staff_user
from tests.factories import make_session, register

NONCE = "shared-nonce-0001"  # 17 characters of [A-Za-z0-9_-]


def _token(registration) -> str:
    return tokens.token_for(services.badge_for_registration(registration))


def _badge_id(registration) -> int:
    return services.badge_for_registration(registration).id


class DoorLaptop:
    """A door page's browser: its own cookies, signed in as its own new door user of the event.

    Each request runs in an application context of its own, as in a server: inside the test's context, requests
    of two clients would share ``flask.g`` and with it the signed-in user."""

    def __init__(self, app, email: str, event):
        self.app, self.user = app, staff_user(event, email, EventRoleKind.DOOR)
        self.client = app.test_client()
        response = self.post("/account/login", data={"email": email, "password": "door-password-123"})
        assert response.status_code in (302, 303)

    def post(self, url, **kwargs):
        _db.session.commit()  # end the test's transaction: on SQLite each one holds the write lock
        with self.app.app_context():
            return self.client.post(url, **kwargs)


def _checked_in(registration) -> bool:
    return _db.session.scalar(select(func.count(CheckIn.id)).where(
        CheckIn.holder == f"r{registration.id}")) == 1


def _logs() -> list[ScanLog]:
    _db.session.expire_all()
    return _db.session.scalars(select(ScanLog).order_by(ScanLog.id)).all()


# ------------------------------------------------------------------------------------------------ scanner API

def test_two_devices_may_use_the_same_nonce(client, db):
    """The finding: door B scanning badge 2 with door A's nonce for badge 1 got "ok" with badge 1's name."""
    event = live_event()
    ana, ben = register(event, name="Ana Alpha"), register(event, name="Ben Beta")
    door_a, door_b = device_token(event, "Door A"), device_token(event, "Door B")
    first = api_scan(client, door_a, _token(ana), nonce=NONCE)
    second = api_scan(client, door_b, _token(ben), nonce=NONCE)
    assert first.status_code == 200 and first.json["status"] == "ok" and first.json["full_name"] == "Ana Alpha"
    assert second.status_code == 200, second.json
    assert second.json["status"] == "ok" and second.json["full_name"] == "Ben Beta"
    assert second.json["replayed"] is False
    assert _checked_in(ana) and _checked_in(ben)
    logs = _logs()
    assert [(log.nonce, log.badge_id, log.result.value) for log in logs] == [
        (NONCE, _badge_id(ana), "ok"), (NONCE, _badge_id(ben), "ok")]
    assert {log.scope for log in logs} == {f"device-{log.device_id}" for log in logs} and len({
        log.scope for log in logs}) == 2


def test_a_reused_nonce_for_another_badge_is_409_and_logged(client, db):
    event = live_event()
    ana, ben = register(event, name="Ana Alpha"), register(event, name="Ben Beta")
    door_a = device_token(event, "Door A")
    assert api_scan(client, door_a, _token(ana), nonce=NONCE).json["status"] == "ok"
    reused = api_scan(client, door_a, _token(ben), nonce=NONCE)
    assert reused.status_code == 409
    error = reused.json["error"]
    assert error["reason"] == "nonce_reused" and error["status"] == 409
    assert "nonce" in error["message"] and "Ana" not in str(reused.json)
    assert not _checked_in(ben)
    # the attempt is logged (rejected, with the badge it carried), beside the first scan's row
    logs = _logs()
    assert len(logs) == 2
    attempt = logs[1]
    assert (attempt.result.value, attempt.reason, attempt.badge_id) == ("rejected", "nonce_reused", _badge_id(ben))
    assert attempt.nonce is None and attempt.scope == logs[0].scope and attempt.device_id == logs[0].device_id
    # ... and so is a second attempt (the log keeps every one; the unique constraint still holds)
    assert api_scan(client, door_a, _token(ben), nonce=NONCE).status_code == 409
    assert len(_logs()) == 3
    # the same nonce with the same badge is still the retry of the first scan: its answer again
    retry = api_scan(client, door_a, _token(ana), nonce=NONCE)
    assert retry.status_code == 200 and retry.json["status"] == "ok" and retry.json["replayed"] is True
    assert retry.json["full_name"] == "Ana Alpha" and len(_logs()) == 3
    # Ben's own scan with a fresh nonce admits him
    assert api_scan(client, door_a, _token(ben), nonce="fresh-nonce-00001").json["status"] == "ok"


def test_a_reused_nonce_at_another_door_is_409(client, db):
    event = live_event()
    workshop = make_session(event, offset_minutes=30, capacity=5)
    ana = register(event, sessions=[workshop], name="Ana Alpha")
    door_a = device_token(event, "Door A")
    assert api_scan(client, door_a, _token(ana), nonce=NONCE).json["status"] == "ok"
    other_door = api_scan(client, door_a, _token(ana), door=f"session-{workshop.id}", nonce=NONCE)
    assert other_door.status_code == 409 and other_door.json["error"]["reason"] == "nonce_reused"
    assert _db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.door != "main")) == 0


def test_a_rejected_scan_replays_and_its_nonce_stays_its_own(client, db):
    """A garbled code and its retry: the same "invalid" again; a real badge with that nonce is another scan."""
    event = live_event()
    ana = register(event, name="Ana Alpha")
    secret = device_token(event)
    first = api_scan(client, secret, "NOT-A-BADGE", nonce=NONCE)
    again = api_scan(client, secret, "NOT-A-BADGE", nonce=NONCE)
    assert first.json["reason"] == "invalid" and again.json["reason"] == "invalid" and again.json["replayed"]
    reused = api_scan(client, secret, _token(ana), nonce=NONCE)
    assert reused.status_code == 409 and not _checked_in(ana)


NONCES = [("a" * 15, False), ("a" * 16, True), ("A-z_0-9" * 9 + "x", True), ("n" * 64, True), ("n" * 65, False),
          ("nonce-0001", False), ("nonce with spaces!", False), ("nönce-ünicode-0001", False),
          ("0123456789abcdef\n", False), ("0123456789abcdef/", False), ("٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥", False),
          ("ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰ", False), ("", False)]


def test_nonces_are_16_to_64_url_safe_characters(client, db):
    event = live_event()
    secret = device_token(event)
    for nonce, ok in NONCES:
        response = api_scan(client, secret, _token(register(event)), nonce=nonce)
        if ok:
            assert response.status_code == 200 and response.json["status"] == "ok", nonce
        else:
            assert response.status_code == 422 and set(response.json["error"]["fields"]) == {"nonce"}, nonce
    assert len(_logs()) == sum(ok for _nonce, ok in NONCES)


def test_same_nonce_twice_at_once_admits_one_badge(app, db):
    """A device that sends one nonce with two badges at the same moment: one scan wins, the other is a 409, and
    the loser's badge is not checked in (on PostgreSQL both scans run at once, each in its own transaction)."""
    event = live_event()
    people = [register(event, name="Ana Alpha"), register(event, name="Ben Beta")]
    tokens_ = [_token(p) for p in people]
    event_id = event.id
    device = devices.device_for_token(device_token(event))
    _db.session.commit()  # on SQLite every transaction holds the write lock (BEGIN IMMEDIATE)

    def scan(token, nonce, barrier, results):
        with app.app_context():
            barrier.wait()
            try:
                verdict = checkin.check_in(devices.event_info(event_id), "main", token=token, device=device,
                                           nonce=nonce)
                results.append((verdict.status, verdict.full_name))
            except CheckinError as exc:
                results.append((exc.reason, None))
            except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
                results.append((repr(exc), None))
            finally:
                _db.session.remove()

    for round_ in range(20):
        results, barrier = [], threading.Barrier(2)
        threads = [threading.Thread(target=scan, args=(t, f"race-nonce-{round_:06d}", barrier, results))
                   for t in tokens_]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(r[0] for r in results) == ["nonce_reused", "ok"], results
        admitted = _db.session.scalars(select(CheckIn.holder)).all()
        assert admitted and len(admitted) == 1
        winner = next(name for status, name in results if status == "ok")
        assert admitted[0] == f"r{people[0].id if winner == 'Ana Alpha' else people[1].id}"
        _db.session.execute(_db.delete(CheckIn))
        _db.session.commit()
    logs = _logs()
    assert [(log.result.value, log.reason) for log in logs].count(("rejected", "nonce_reused")) == 20
    assert len(logs) == 40


# ------------------------------------------------------------------------------------------------ door page

def test_door_page_nonces_belong_to_the_signed_in_user(app, db):
    event = live_event()
    ana, ben = register(event, name="Ana Alpha"), register(event, name="Ben Beta")
    first, second = DoorLaptop(app, "door-one@example.org", event), DoorLaptop(app, "door-two@example.org", event)
    first_client, first_user, second_client, second_user = first, first.user.id, second, second.user.id
    url = f"/console/e/{event.slug}/door/main/scan"
    assert first_client.post(url, json={"token": _token(ana), "nonce": NONCE}).json["full_name"] == "Ana Alpha"
    other = second_client.post(url, json={"token": _token(ben), "nonce": NONCE})
    assert other.status_code == 200 and other.json["status"] == "ok" and other.json["full_name"] == "Ben Beta"
    # a scanner device with the same nonce is a third scope
    carla = register(event, name="Carla Gamma")
    assert api_scan(app.test_client(), device_token(event), _token(carla), nonce=NONCE).json["status"] == "ok"
    assert _checked_in(ana) and _checked_in(ben) and _checked_in(carla)
    assert {log.scope for log in _logs()} == {f"user-{first_user}", f"user-{second_user}",
                                              f"device-{_logs()[2].device_id}"}
    # the same user reusing it for another badge: 409, with a search hash as with a token
    dan = register(event, name="Dan Delta")
    reused = first_client.post(url, json={"hash": services.badge_for_registration(dan).token_hash, "nonce": NONCE})
    assert reused.status_code == 409 and reused.json["error"]["reason"] == "nonce_reused"
    assert not _checked_in(dan)
    retry = first_client.post(url, json={"hash": services.badge_for_registration(ana).token_hash, "nonce": NONCE})
    assert retry.status_code == 200 and retry.json["replayed"] and retry.json["full_name"] == "Ana Alpha"


def test_offline_queue_upload_with_nonces(app, db):
    """What checkin.js sends when the network is back: every queued scan with its nonce, scan time and local
    verdict, perhaps twice (the answer to the first upload got lost), from two door laptops whose nonces happen
    to be equal; the server counts each scan once, per door user, and flags the badge both admitted offline."""
    event = live_event()
    ana, ben = register(event, name="Ana Alpha"), register(event, name="Ben Beta")
    laptop_1, laptop_2 = DoorLaptop(app, "door-one@example.org", event), DoorLaptop(app, "door-two@example.org", event)
    url = f"/console/e/{event.slug}/door/main/scan"
    at = (event.starts_at + timedelta(minutes=50)).isoformat()
    queue_1 = [{"token": _token(ana), "nonce": "0" * 32, "station": "Door 1", "scanned_at": at,
                "offline_status": "ok"},
               {"token": _token(ben), "nonce": "1" * 32, "station": "Door 1", "scanned_at": at,
                "offline_status": "ok"}]
    queue_2 = [{"token": _token(ana), "nonce": "1" * 32, "station": "Door 2", "scanned_at": at,
                "offline_status": "ok"}]
    answers = [laptop_1.post(url, json=item) for item in queue_1]
    assert [(a.status_code, a.json["status"], a.json["full_name"]) for a in answers] == [
        (200, "ok", "Ana Alpha"), (200, "ok", "Ben Beta")]
    again = laptop_1.post(url, json=queue_1[1])  # uploaded twice
    assert again.status_code == 200 and again.json["replayed"] and again.json["full_name"] == "Ben Beta"
    second = laptop_2.post(url, json=queue_2[0])  # laptop 2 admitted Ana offline too, with laptop 1's nonce for Ben
    assert second.status_code == 200 and second.json["status"] == "already"
    assert second.json["full_name"] == "Ana Alpha" and second.json["station"] == "Door 1"
    logs = _logs()
    assert len(logs) == 3 and all(log.offline for log in logs)
    assert [log.conflict for log in logs] == [False, False, True]
    assert _db.session.scalar(select(func.count(CheckIn.id))) == 2


def test_the_api_description_states_the_nonce_rules(client, db):
    """What /api/openapi.json tells scanner apps is what the server does: the same nonces are refused and taken,
    and a reused nonce is a documented 409."""
    document = client.get("/api/openapi.json").json
    nonce = document["components"]["schemas"]["CheckinRequest"]["properties"]["nonce"]
    for value, ok in NONCES:
        assert bool(re.fullmatch(nonce["pattern"], value)) is ok, value
        assert (nonce["minLength"] <= len(value) <= nonce["maxLength"]) or not ok
    responses = document["paths"]["/api/v1/checkin"]["post"]["responses"]
    assert "nonce_reused" in responses["409"]["description"]
    assert "invalid_json" in responses["400"]["description"]
