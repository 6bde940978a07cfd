"""What is meant for development exists only in development: the mail outbox page and the demo data.

The outbox shows every mail the application wrote, each person's secret link included, so in production its
URLs must not exist at all (whatever the mail settings), and in development only staff may read it.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.config import TestConfig
from app.mail import OutboxMessage
from tests.factories import make_event, register
from tests.roles import PASSWORD, make_user, team_for

ROOT = Path(__file__).resolve().parent.parent


def _login(client, email: str) -> None:
    response = client.post("/account/login", data={"email": email, "password": PASSWORD})
    assert response.status_code in (302, 303)


def _app(database_url, tmp_path, **config):
    return create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                       "SQLALCHEMY_DATABASE_URI": database_url, "CACHE_DIR": str(tmp_path), **config})


def _run(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("APP_ENV", "MAIL_BACKEND", "TEST_DATABASE_URL")}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True,
                          text=True, timeout=120)


def test_production_as_readme_configures_it_has_no_outbox(tmp_path):
    """SECRET_KEY and MAIL_SERVER set, MAIL_BACKEND and APP_ENV unset: the review's set-up, where /dev/outbox (now /console/dev/outbox)
    answered 200 to anyone with every attendee's secret link."""
    result = _run(
        "from app import create_app\n"
        "app = create_app()\n"
        "print(app.config['APP_ENV'], app.config['MAIL_BACKEND'])\n"
        "print(sorted(r.rule for r in app.url_map.iter_rules() if r.rule.startswith(('/dev', '/console/dev'))))\n"
        "print(app.test_client().get('/console/dev/outbox').status_code)\n",
        SECRET_KEY="a-production-secret", MAIL_SERVER="smtp.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.db'}", CACHE_DIR=str(tmp_path / "cache"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["production smtp", "[]", "404"]


def test_the_demo_refuses_to_run_outside_development(tmp_path):
    """The demo accounts' passwords are in the README: loading them in production would open the console."""
    env = dict(SECRET_KEY="a-production-secret", DATABASE_URL=f"sqlite:///{tmp_path / 'prod.db'}",
               CACHE_DIR=str(tmp_path / "cache"))
    flask = str(Path(sys.executable).with_name("flask"))
    clean = {k: v for k, v in os.environ.items() if k not in ("APP_ENV", "TEST_DATABASE_URL")}
    upgrade = subprocess.run([flask, "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env={**clean, **env},
                             capture_output=True, text=True, timeout=180)
    assert upgrade.returncode == 0, upgrade.stderr
    demo = subprocess.run([flask, "--app", "wsgi", "demo", "--attendees", "1"], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=180)
    assert demo.returncode != 0
    assert "only in development" in demo.stderr
    assert "admin@welcomeday.local" not in _run(
        "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('select email from user_account')"
        ".fetchall())", **env).stdout


@pytest.mark.parametrize("env", ["production", "test"])
def test_outside_development_the_outbox_is_not_even_a_route(database_url, tmp_path, env, db):
    app = _app(database_url, tmp_path, APP_ENV=env, MAIL_BACKEND="log")
    assert not [r for r in app.url_map.iter_rules() if r.rule.startswith(("/dev", "/console/dev"))]
    admin = team_for(make_event())["admin"].email
    db.session.close()  # SQLite: the other app's requests need the write lock
    client = app.test_client()
    assert client.get("/console/dev/outbox").status_code == 404
    _login(client, admin)
    for url in ("/console/dev/outbox", "/console/dev/outbox/1", "/dev/outbox", "/dev/outbox/1"):
        assert client.get(url).status_code == 404


def test_in_development_only_staff_read_the_outbox(database_url, tmp_path, db):
    app = _app(database_url, tmp_path, APP_ENV="development")
    event = make_event()
    emails = {who: user.email for who, user in team_for(event).items()}
    emails["outsider"] = make_user("someone@example.org").email
    link = f"/r/{register(event, confirm=False).token}/confirm"
    message_id = db.session.scalar(db.select(db.func.max(OutboxMessage.id)))
    db.session.close()  # SQLite: the other app's requests need the write lock
    cases = {None: 302, "employer": 403, "outsider": 403, "door": 403, "staff": 200, "admin": 200}
    for who, expected in cases.items():
        client = app.test_client()
        if who is not None:
            _login(client, emails[who])
        for old in ("/dev/outbox", f"/dev/outbox/{message_id}"):
            assert client.get(old).status_code == 308 and client.get(old).location.endswith("/console" + old)
        for url in ("/console/dev/outbox", f"/console/dev/outbox/{message_id}"):
            response = client.get(url)
            assert response.status_code == expected, (who, url)
            if expected == 302:
                assert "/account/login" in response.location
            if expected == 200 and url != "/console/dev/outbox":
                assert link in response.get_data(as_text=True)
            elif expected != 200:
                assert link not in response.get_data(as_text=True)
