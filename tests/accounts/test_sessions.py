"""Signed-in sessions live on the server too: logging out, a new password or a deactivated account end them,
whatever the browser kept of its cookie."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import event, select

from app.accounts.models import UserSession
from app.extensions import db as _db
from app.extensions import utcnow
from tests.accounts.conftest import Browser
from tests.roles import PASSWORD, make_user


def _session_data(server, browser: Browser) -> dict:
    return server.session_interface.get_signing_serializer(server).loads(browser.cookie())


def _sessions() -> list[UserSession]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(UserSession).order_by(UserSession.id)))


@pytest.fixture
def admin(db):
    return make_user("admin@example.org", admin=True)


def _login(browser: Browser, user) -> None:
    assert browser.login(user.email, PASSWORD).status_code == 302


def test_a_cookie_saved_before_logging_out_does_not_work_afterwards(server, admin):
    browser = Browser(server)
    _login(browser, admin)
    saved = browser.cookie()
    assert browser.signed_in()
    browser.post("/account/logout")
    assert not browser.signed_in()
    browser.set_cookie(saved)  # replayed, e.g. copied from the browser before logging out
    assert not browser.signed_in()
    assert [s.ended_at is not None for s in _sessions()] == [True]


def test_logging_out_ends_only_that_session(server, admin):
    laptop, phone = Browser(server), Browser(server)
    _login(laptop, admin)
    _login(phone, admin)
    laptop.post("/account/logout")
    assert not laptop.signed_in()
    assert phone.signed_in()
    assert [s.ended_at is not None for s in _sessions()] == [True, False]


def test_the_cookie_carries_a_random_token_and_the_table_only_its_hash(server, admin):
    browser = Browser(server)
    _login(browser, admin)
    token = _session_data(server, browser)["_user_id"]
    assert token != str(admin.id) and len(token) >= 40
    [record] = _sessions()
    assert record.user_id == admin.id
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_logging_in_again_in_the_same_browser_ends_the_session_it_had(server, admin):
    browser = Browser(server)
    _login(browser, admin)
    _login(browser, admin)
    assert [s.ended_at is not None for s in _sessions()] == [True, False]
    assert browser.signed_in()


def test_a_cookie_from_before_server_side_sessions_is_not_accepted(server, admin):
    # Until now the cookie carried the user's id; such a cookie (from before the upgrade, or a stolen one that
    # was never logged out) must not sign anyone in.
    browser = Browser(server)
    serializer = server.session_interface.get_signing_serializer(server)
    browser.set_cookie(serializer.dumps({"_user_id": str(admin.id), "_fresh": True}))
    assert not browser.signed_in()
    assert "_user_id" not in _session_data(server, browser)  # dropped, not looked up on every request


def test_a_deactivated_account_is_signed_out(server, admin, db):
    browser = Browser(server)
    _login(browser, admin)
    admin.active = False
    db.session.commit()
    assert not browser.signed_in()


def test_two_step_login_starts_a_session_only_with_the_code_and_logging_out_ends_it(server, admin, db):
    secret = pyotp.random_base32()
    admin.totp_secret = secret
    db.session.commit()
    browser = Browser(server)
    response = browser.login(admin.email, PASSWORD)
    assert response.location.endswith("/account/login/code")
    assert not browser.signed_in()
    assert _sessions() == []  # nothing until the code is right
    assert browser.post("/account/login/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert browser.signed_in()
    saved = browser.cookie()
    browser.post("/account/logout")
    browser.set_cookie(saved)
    assert not browser.signed_in()


def test_the_code_step_waits_only_ten_minutes_after_the_password(server, admin, db):
    secret = pyotp.random_base32()
    admin.totp_secret = secret
    db.session.commit()
    browser = Browser(server)
    browser.login(admin.email, PASSWORD)
    with browser.client.session_transaction() as s:
        s["totp_until"] -= 11 * 60  # the password was typed eleven minutes ago
    response = browser.post("/account/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.location.endswith("/account/login")
    assert not browser.signed_in()


def test_login_user_anywhere_starts_a_server_side_session(server, db):
    # The employer invitation (events/employers) logs in with login_user() itself: LoginManager.id_attribute
    # makes that a server-side session too.
    from flask_login import login_user

    from app.accounts.models import User
    user_id = make_user("contact@example.org").id
    db.session.commit()
    with server.test_request_context():
        login_user(_db.session.get(User, user_id))
    assert [(s.user_id, s.ended_at) for s in _sessions()] == [(user_id, None)]


class _Statements:
    """The SQL statements one engine runs while listening."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append(" ".join(statement.split()).lower())

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def on(self, table: str) -> list[str]:
        return [s for s in self.seen if table in s]


def _engine(server):
    with server.app_context():
        return _db.engine


def test_each_request_costs_one_indexed_lookup_of_the_session_record(server, admin):
    browser = Browser(server)
    _login(browser, admin)
    with _Statements(_engine(server)) as statements:
        assert browser.signed_in()
    on_sessions = statements.on("user_session")
    assert len(on_sessions) == 1, on_sessions
    assert on_sessions[0].startswith("select") and "where user_session.token_hash = " in on_sessions[0]
    # the account comes in the same statement: no second lookup of the user
    assert not [s for s in statements.seen if s.startswith("select") and "from user_account" in s
                and "user_session" not in s and "event_role" not in s]


def test_last_seen_is_written_at_most_every_five_minutes(server, admin, db):
    browser = Browser(server)
    _login(browser, admin)
    [record] = _sessions()
    long_ago = utcnow() - timedelta(minutes=10)
    record.last_seen_at = long_ago
    db.session.commit()
    with _Statements(_engine(server)) as statements:
        assert browser.signed_in()  # seen ten minutes ago: written now
        assert browser.signed_in()  # seen a moment ago: not written again
    updates = [s for s in statements.on("user_session") if s.startswith("update")]
    assert len(updates) == 1, updates
    [record] = _sessions()
    assert record.last_seen_at > long_ago + timedelta(minutes=9)
