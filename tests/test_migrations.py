"""The schema comes from the Alembic migrations, and the migrations match the models (no drift)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


def _fresh_database(database_url: str):
    if database_url.startswith("postgresql"):
        name = f"wd_migrations_{uuid.uuid4().hex[:10]}"
        admin = create_engine(database_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = database_url.rsplit("/", 1)[0] + "/" + name

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return url, drop
    handle, path = tempfile.mkstemp(suffix=".db")
    os.close(handle)
    return f"sqlite:///{path}", lambda: os.unlink(path)


def _counts(url: str) -> dict[str, int]:
    from app.config import normalise_database_url
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
                    for t in ("event", "session", "registration", "enrolment", "attendee")}
    finally:
        engine.dispose()


def _flask(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "MAIL_BACKEND": "memory", "PYTHONPATH": str(ROOT),
           "APP_ENV": "development"}  # the demo loads only in development
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_migrations_build_the_schema_and_match_the_models(database_url):
    url, drop = _fresh_database(database_url)
    try:
        upgrade = _flask(url, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr
        check = _flask(url, "db", "check")
        assert check.returncode == 0, check.stdout + check.stderr
        assert "No new upgrade operations detected" in check.stdout + check.stderr
        demo = _flask(url, "demo", "--attendees", "30")
        assert demo.returncode == 0, demo.stderr
        again = _flask(url, "demo", "--attendees", "30")
        assert "0 new attendees" in again.stdout  # idempotent
        before = _counts(url)
        assert before["enrolment"] > 0
        # Down and up again with data in place: SQLite's batch table copies must not cascade-delete rows.
        assert _flask(url, "db", "downgrade", "--", "-1").returncode == 0
        assert _flask(url, "db", "upgrade").returncode == 0
        assert _counts(url) == before
    finally:
        drop()
