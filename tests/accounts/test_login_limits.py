"""Login attempts are limited per account and per network address, with the same numbers in every process:
counted in Redis when REDIS_URL is set, else in the database. Every test runs with both."""
from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from app.accounts.models import LoginThrottle
from app.extensions import db as _db
from app.extensions import utcnow
from app.mail import OutboxMessage
from tests.accounts.conftest import Browser
from tests.live import live_server
from tests.roles import PASSWORD, make_user

WRONG = "not the password at all"
LOCKED = "Too many failed attempts."


@pytest.fixture
def alice(db):
    return make_user("alice@example.org")


@pytest.fixture
def bob(db):
    return make_user("bob@example.org")


def _assert_locked(response, message: str = LOCKED) -> int:
    assert response.status_code == 429
    assert message in response.get_data(as_text=True)
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60
    return retry_after


def test_the_defaults_are_ten_per_account_and_a_hundred_per_address_in_fifteen_minutes(app):
    assert (app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
            app.config["LOGIN_FAILURE_WINDOW_MINUTES"]) == (10, 100, 15)


def test_ten_failures_lock_the_account_but_not_the_colleagues_behind_the_same_address(limits, make_server,
                                                                                       alice, bob):
    server = make_server(**limits.config)
    office = Browser(server, "198.51.100.7")  # one NAT address for the whole office
    for _ in range(10):
        response = office.login(alice.email, WRONG)
        assert response.status_code == 200 and "E-mail address or password is wrong." in response.get_data(True)
    _assert_locked(office.login(alice.email, PASSWORD))  # the right password is refused during the lock
    _assert_locked(Browser(server, "203.0.113.9").login(alice.email, PASSWORD))  # from anywhere
    assert Browser(server, "198.51.100.7").login(bob.email, PASSWORD).status_code == 302  # a colleague: fine


def test_the_lock_ends_with_its_window(limits, make_server, alice):
    server = make_server(**limits.config, LOGIN_MAX_FAILURES_PER_ACCOUNT=2)
    browser = Browser(server)
    browser.login(alice.email, WRONG)
    browser.login(alice.email, WRONG)
    _assert_locked(browser.login(alice.email, PASSWORD))
    if limits.backend == "redis":  # each counter is a key that expires with its window
        ttls = [limits.redis.pttl(key) for key in limits.redis_keys()]
        assert ttls and all(0 < ttl <= 15 * 60 * 1000 for ttl in ttls)
        for key in limits.redis_keys():
            limits.redis.delete(key)  # as Redis does when they expire
    else:
        _db.session.execute(update(LoginThrottle).values(window_ends_at=utcnow() - timedelta(seconds=1)))
    assert browser.login(alice.email, PASSWORD).status_code == 302


def test_a_success_clears_the_accounts_failures(limits, make_server, alice):
    server = make_server(**limits.config, LOGIN_MAX_FAILURES_PER_ACCOUNT=3)
    browser = Browser(server)
    browser.login(alice.email, WRONG)
    browser.login(alice.email, WRONG)
    assert browser.login(alice.email, PASSWORD).status_code == 302
    for _ in range(3):  # three more, not one
        assert Browser(server).login(alice.email, WRONG).status_code == 200
    _assert_locked(Browser(server).login(alice.email, PASSWORD))


def test_the_address_limit_holds_across_accounts(limits, make_server, alice):
    server = make_server(**limits.config, LOGIN_MAX_FAILURES_PER_ADDRESS=4)
    for n in range(4):  # spraying: one attempt at each of many accounts, existing or not
        assert Browser(server, "192.0.2.1").login(f"someone{n}@example.org", WRONG).status_code == 200
    _assert_locked(Browser(server, "192.0.2.1").login(alice.email, PASSWORD))
    # refused attempts count nothing: alice's own counter did not grow while her address was locked
    assert Browser(server, "192.0.2.2").login(alice.email, PASSWORD).status_code == 302


def test_an_ipv6_network_counts_as_one_address(limits, make_server, alice):
    server = make_server(**limits.config, LOGIN_MAX_FAILURES_PER_ADDRESS=2)
    Browser(server, "2001:db8:1:2::1").login("x@example.org", WRONG)
    Browser(server, "2001:db8:1:2::ffff").login("y@example.org", WRONG)  # the same /64
    _assert_locked(Browser(server, "2001:db8:1:2:abcd::3").login(alice.email, PASSWORD))
    assert Browser(server, "2001:db8:1:3::1").login(alice.email, PASSWORD).status_code == 302  # another /64


def test_all_workers_share_the_counts(limits, make_server, alice):
    # Two instances of the application (two gunicorn workers) with nothing in common but the database and Redis.
    workers = [make_server(**limits.config, LOGIN_MAX_FAILURES_PER_ACCOUNT=4) for _ in range(2)]
    for n in range(4):
        assert Browser(workers[n % 2]).login(alice.email, WRONG).status_code == 200
    _assert_locked(Browser(workers[0]).login(alice.email, PASSWORD))
    _assert_locked(Browser(workers[1]).login(alice.email, PASSWORD))


def test_parallel_attempts_cannot_slip_past_the_limit(limits, make_server, alice):
    # Counted before the password is checked: of eight attempts at the same moment, three are checked.
    import concurrent.futures

    import requests
    server = make_server(**limits.config, LOGIN_MAX_FAILURES_PER_ACCOUNT=3)
    email = alice.email
    _db.session.commit()
    with live_server(server) as base_url:
        def attempt(_):
            return requests.post(f"{base_url}/account/login", data={"email": email, "password": WRONG},
                                 timeout=120).status_code
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(attempt, range(8)))
    # the first three counts are 1, 2 and 3 whatever the order, and a checked wrong password keeps its count
    assert sorted(codes) == [200] * 3 + [429] * 5, codes


def test_the_code_step_of_two_step_login_is_limited_too(limits, make_server, db):
    admin = make_user("admin@example.org", admin=True)
    secret = pyotp.random_base32()
    admin.totp_secret = secret
    db.session.commit()
    server = make_server(**limits.config, LOGIN_MAX_FAILURES_PER_ACCOUNT=3)
    browser = Browser(server)
    assert browser.login(admin.email, PASSWORD).status_code == 303
    right = pyotp.TOTP(secret).now()
    wrong = f"{(int(right) + 500000) % 1000000:06d}"
    for _ in range(3):
        assert browser.post("/account/login/code", data={"code": wrong}).status_code == 422
    _assert_locked(browser.post("/account/login/code", data={"code": right}))
    # a second browser that knows the password gets no fresh tries at the code
    other = Browser(server)
    assert other.login(admin.email, PASSWORD).status_code == 303
    _assert_locked(other.post("/account/login/code", data={"code": right}))


def test_the_lock_message_is_translated(limits, make_server, alice):
    server = make_server(**limits.config, LOGIN_MAX_FAILURES_PER_ACCOUNT=1)
    Browser(server).login(alice.email, WRONG)
    response = Browser(server).post("/account/login?lang=de", data={"email": alice.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Versuche" in response.get_data(as_text=True)


def test_password_reset_requests_are_limited_per_address_typed(limits, make_server, alice):
    server = make_server(**limits.config)
    for _ in range(3):
        response = Browser(server).post("/account/password/forgot", data={"email": alice.email})
        assert response.status_code == 200
    _assert_locked(Browser(server).post("/account/password/forgot", data={"email": alice.email}),
                   "Too many requests for a new password.")
    # the same for an address without an account: the limit tells nothing about who has one
    for _ in range(3):
        Browser(server).post("/account/password/forgot", data={"email": "nobody@example.org"})
    _assert_locked(Browser(server).post("/account/password/forgot", data={"email": "nobody@example.org"}),
                   "Too many requests for a new password.")
    sent = _db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "password_reset")).all()
    assert [m.to for m in sent] == [alice.email] * 3


def test_counters_keep_no_address_in_clear(limits, make_server):
    server = make_server(**limits.config)
    Browser(server, "198.51.100.99").login("private.person@example.org", WRONG)
    keys = ([k.decode() for k in limits.redis_keys()] if limits.backend == "redis"
            else list(_db.session.scalars(select(LoginThrottle.key))))
    assert len(keys) == 2
    assert not [k for k in keys if "private.person" in k or "198.51.100.99" in k]


def test_without_limits_nothing_is_counted(make_server, alice, db):
    server = make_server(RATELIMIT_ENABLED=False)
    for _ in range(12):
        Browser(server).login(alice.email, WRONG)
    assert Browser(server).login(alice.email, PASSWORD).status_code == 302
    assert db.session.scalars(select(LoginThrottle)).all() == []


def test_behind_a_proxy_the_limit_counts_the_client_not_the_proxy(database_url, tmp_path, db):
    """With PROXY_HOPS=1 the per-address limit reads X-Forwarded-For: one office failing does not lock the
    other offices out just because every request comes through the same load balancer."""
    from app import create_app
    from app.config import TestConfig
    from tests.roles import make_user
    app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                      "SQLALCHEMY_DATABASE_URI": database_url, "CACHE_DIR": str(tmp_path), "PROXY_HOPS": 1,
                      "RATELIMIT_ENABLED": True, "LOGIN_MAX_FAILURES_PER_ADDRESS": 3,
                      "LOGIN_THROTTLE_KEY_PREFIX": f"test-proxy-{tmp_path.name}:"})
    email = make_user("proxied@example.org").email
    db.session.close()
    client = app.test_client()
    office = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for n in range(3):
        client.post("/account/login", data={"email": f"nobody{n}@example.org", "password": "wrong-password"},
                    environ_base=office)
    locked = client.post("/account/login", data={"email": email, "password": "wrong-password"},
                         environ_base=office)
    assert locked.status_code == 429
    elsewhere = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    response = client.post("/account/login", data={"email": email, "password": "correct horse battery"},
                           environ_base=elsewhere)
    assert response.status_code in (302, 303)
