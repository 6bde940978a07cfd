"""The migration that scopes nonces to their device keeps every scan log row and gives each its device's scope.

Runs the real migrations (flask db upgrade / downgrade) on a fresh database: SQLite, or PostgreSQL with
TEST_DATABASE_URL.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from tests.test_migrations import _flask, _fresh_database

BEFORE = "49be751781eb"  # the revision before this migration
AT = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)

pytestmark = pytest.mark.slow


def _engine(url: str):
    from app.config import normalise_database_url
    return create_engine(normalise_database_url(url))


def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT id, scope, nonce, device_id, user_id, result FROM scan_log ORDER BY id"))]


def _log(conn, event_id, nonce, *, device_id=None, user_id=None, scope=None):
    columns = "event_id, nonce, door, station, device_id, user_id, result, reason, scanned_at, received_at, " \
              "offline, conflict" + (", scope" if scope is not None else "")
    values = ":event_id, :nonce, 'main', 'Door 1', :device_id, :user_id, 'ok', '', :at, :at, false, false" + (
        ", :scope" if scope is not None else "")
    conn.execute(text(f"INSERT INTO scan_log ({columns}) VALUES ({values})"),
                 {"event_id": event_id, "nonce": nonce, "device_id": device_id, "user_id": user_id, "at": AT,
                  "scope": scope})


def test_scopes_are_filled_in_and_every_row_is_kept(database_url):
    url, drop = _fresh_database(database_url)
    engine = None
    try:
        step = _flask(url, "db", "upgrade", BEFORE)
        assert step.returncode == 0, step.stderr
        engine = _engine(url)
        with engine.begin() as conn:
            event_id = conn.execute(text(
                "INSERT INTO event (slug, title, description, venue, address, timezone, starts_at, ends_at, status,"
                " languages, contact_email, privacy_notice, created_at, updated_at) VALUES ('day', 'Day', '', 'Hall',"
                " 'Street 1', 'Europe/Berlin', :at, :at, 'published', '[\"en\"]', 'a@example.org', '', :at, :at)"
                " RETURNING id"), {"at": AT}).scalar()
            user_id = conn.execute(text(
                "INSERT INTO user_account (email, name, password_hash, is_admin, active, locale, created_at) VALUES"
                " ('door@example.org', 'Door', 'x', false, true, 'en', :at) RETURNING id"), {"at": AT}).scalar()
            device_id = conn.execute(text(
                "INSERT INTO checkin_device (event_id, name, token_hash, created_at) "
                "VALUES (:e, 'Scanner 1', :h, :at) RETURNING id"), {"e": event_id, "h": "f" * 64, "at": AT}).scalar()
            _log(conn, event_id, "legacy-device-nonce-1", device_id=device_id)
            _log(conn, event_id, "legacy-user-nonce-0001", user_id=user_id)
            _log(conn, event_id, "legacy-nobody-nonce-01")
            _log(conn, event_id, None, device_id=device_id)
            _log(conn, event_id, None, device_id=device_id)
            _log(conn, event_id, "short-01", device_id=device_id)  # nonces used to be 8 characters or more
        step = _flask(url, "db", "upgrade")
        assert step.returncode == 0, step.stderr
        rows = _rows(engine)
        assert [(scope, nonce) for _id, scope, nonce, *_ in rows] == [
            (f"device-{device_id}", "legacy-device-nonce-1"), (f"user-{user_id}", "legacy-user-nonce-0001"),
            ("", "legacy-nobody-nonce-01"), (f"device-{device_id}", None), (f"device-{device_id}", None),
            (f"device-{device_id}", "short-01")]
        # the key is (event, scope, nonce) now: another device may use a nonce, the same one may not
        with engine.begin() as conn:
            _log(conn, event_id, "legacy-device-nonce-1", user_id=user_id, scope=f"user-{user_id}")
        with pytest.raises(IntegrityError), engine.begin() as conn:
            _log(conn, event_id, "legacy-device-nonce-1", device_id=device_id, scope=f"device-{device_id}")
        assert len(_rows(engine)) == 7
        # down again: every row stays; the later of two rows with one nonce keeps everything but its nonce
        engine.dispose()
        step = _flask(url, "db", "downgrade", BEFORE)  # later migrations too, then this one
        assert step.returncode == 0, step.stderr
        with engine.connect() as conn:
            down = [tuple(r) for r in conn.execute(text("SELECT id, nonce FROM scan_log ORDER BY id"))]
        assert [nonce for _id, nonce in down] == [
            "legacy-device-nonce-1", "legacy-user-nonce-0001", "legacy-nobody-nonce-01", None, None, "short-01", None]
        engine.dispose()
        step = _flask(url, "db", "upgrade")
        assert step.returncode == 0, step.stderr
        assert len(_rows(engine)) == 7
    finally:
        if engine is not None:
            engine.dispose()
        drop()
