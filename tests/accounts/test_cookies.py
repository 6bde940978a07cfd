"""The session cookie: HttpOnly and SameSite=Lax always, Secure when the site is served over HTTPS."""
from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db as _db
from tests.roles import PASSWORD, make_user


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, response.headers
    return cookies[0]


def _attributes(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


@pytest.fixture
def https_app(app):
    """The application as production runs it: BASE_URL on https."""
    https = create_app({**app.config, "BASE_URL": "https://welcome.example.org"})
    yield https
    with https.app_context():
        _db.engine.dispose()


def test_the_session_cookie_is_httponly_lax_and_secure_on_an_https_site(https_app, db):
    make_user("secure@example.org")
    db.session.commit()  # no transaction left open here (SQLite: the other application's login must write)
    client = https_app.test_client()
    response = client.post("/account/login", data={"email": "secure@example.org", "password": PASSWORD},
                           base_url="https://welcome.example.org")
    assert response.status_code == 302
    attributes = _attributes(_session_cookie(response))
    assert {"httponly", "secure", "samesite=lax"} <= attributes
    assert https_app.config["REMEMBER_COOKIE_SECURE"] is True
    assert https_app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert https_app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_the_session_cookie_is_httponly_and_lax_but_not_secure_on_an_http_site(client, app):
    user = make_user("plain@example.org")
    assert app.config["BASE_URL"].startswith("http://")
    response = client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    attributes = _attributes(_session_cookie(response))
    assert {"httponly", "samesite=lax"} <= attributes
    assert "secure" not in attributes  # it would never come back over plain http
    assert app.config["REMEMBER_COOKIE_SECURE"] is False


def test_any_cookie_that_carries_a_session_has_the_flags(client):
    # Not only the login: the first page that writes the session (here the language choice) sets them too.
    response = client.get("/?lang=de")
    assert {"httponly", "samesite=lax"} <= _attributes(_session_cookie(response))
