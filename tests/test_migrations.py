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


@pytest.mark.slow
def test_sessions_that_end_before_they_start_are_repaired_before_the_constraint(database_url):
    """b7e4d2a91c3f: rows saved before the session form checked local times (issue 14) get a length, then the
    database refuses a session that does not end after it starts."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import MetaData, insert, select
    from sqlalchemy.exc import IntegrityError

    from app.config import normalise_database_url

    url, drop = _fresh_database(database_url)
    try:
        assert _flask(url, "db", "upgrade", "b7e4d2a91c3f-1").returncode == 0
        engine = create_engine(normalise_database_url(url))
        meta = MetaData()
        meta.reflect(engine, only=["event", "session"])
        event_t, session_t = meta.tables["event"], meta.tables["session"]
        start = datetime(2027, 3, 28, 0, 0)  # naive UTC is what SQLite keeps; PostgreSQL takes it as UTC too
        if not url.startswith("sqlite"):
            start = start.replace(tzinfo=timezone.utc)
        with engine.begin() as conn:
            event_id = conn.execute(insert(event_t).values(
                slug="night", title="Night", description="", venue="", address="", timezone="Europe/Berlin",
                starts_at=start, ends_at=start + timedelta(hours=8), status="draft", languages=["en"],
                contact_email="", queue_counter=0, privacy_notice="", created_at=start, updated_at=start)
                                    .returning(event_t.c.id)).scalar_one()
            common = dict(event_id=event_id, kind="workshop", abstract="", language="en", speakers="",
                          needs_seat=True, status="scheduled", sequence=3, queue_counter=0, created_at=start,
                          updated_at=start)
            # 02:30–03:00 on the spring-forward night, as it used to be saved: ends 30 minutes before it starts.
            conn.execute(insert(session_t).values(title="bad", starts_at=start + timedelta(minutes=90),
                                                  ends_at=start + timedelta(minutes=60), **common))
            conn.execute(insert(session_t).values(title="zero", starts_at=start, ends_at=start, **common))
            conn.execute(insert(session_t).values(title="fine", starts_at=start, ends_at=start + timedelta(hours=1),
                                                  **common))
        engine.dispose()
        upgrade = _flask(url, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr
        assert "check them:" in upgrade.stderr
        engine = create_engine(normalise_database_url(url))
        meta = MetaData()
        meta.reflect(engine, only=["session"])
        session_t = meta.tables["session"]
        with engine.connect() as conn:
            rows = {r.title: r for r in conn.execute(select(session_t))}
        length = {t: (r.ends_at - r.starts_at) for t, r in rows.items()}
        assert length == {"bad": timedelta(minutes=30), "zero": timedelta(minutes=30), "fine": timedelta(hours=1)}
        assert (rows["bad"].sequence, rows["zero"].sequence, rows["fine"].sequence) == (4, 4, 3)
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(session_t.update().where(session_t.c.title == "fine")
                         .values(ends_at=rows["fine"].starts_at))
        engine.dispose()
    finally:
        drop()
