"""Fixtures for the accounts tests.

``make_server()`` builds an instance of the application that tests talk to through ``Browser``, as a gunicorn
worker would serve them: every request in an application context of its own (the ``app`` fixture's context, which
the ``db`` fixture keeps open for the whole test, would otherwise carry Flask-Login's signed-in user from one
request to the next), with its own database connections. Two servers are two workers: they share only the
database and Redis. ``limits`` switches the login limits on (TestConfig has them off), counted in the database or
in a real Redis under a key prefix of the test's own.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import delete

from app import create_app
from app.accounts.models import LoginThrottle
from app.extensions import db as _db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Browser:
    """A test client of one server. Before each request the test's own database session lets go of its
    transaction (on SQLite every transaction holds the write lock, which the server's request needs)."""

    def __init__(self, server, address: str = "127.0.0.1"):
        self.client = server.test_client()
        self.address = address

    def request(self, method: str, path: str, **kwargs):
        _db.session.commit()
        kwargs.setdefault("environ_base", {"REMOTE_ADDR": self.address})
        return self.client.open(path, method=method, **kwargs)

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.request("POST", path, **kwargs)

    def login(self, email: str, password: str):
        return self.post("/account/login", data={"email": email, "password": password})

    def signed_in(self) -> bool:
        # The console needs a login: 302 to the login page when not signed in; signed in, 200 for staff and 403
        # for an account without a role.
        response = self.get("/console/")
        assert response.status_code in (200, 302, 403), response.status_code
        if response.status_code == 302:
            assert "/account/login" in response.location
        return response.status_code != 302

    def cookie(self) -> str:
        return self.client.get_cookie("session").value

    def set_cookie(self, value: str) -> None:
        self.client.set_cookie("session", value)


@pytest.fixture
def make_server(app, db):
    made = []

    def make(**overrides):
        server = create_app({**app.config, **overrides})
        made.append(server)
        return server

    yield make
    for server in made:
        with server.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def server(make_server):
    return make_server()


@dataclass
class Limits:
    backend: str
    config: dict = field(default_factory=dict)
    redis: object = None  # redis.Redis for the "redis" backend

    def redis_keys(self) -> list[bytes]:
        return list(self.redis.scan_iter(self.config["LOGIN_THROTTLE_KEY_PREFIX"] + "*"))


@pytest.fixture(params=["database", "redis"])
def limits(request, db) -> Limits:
    """Login limits on, with the default numbers; ``limits.config`` goes into make_server()."""
    db.session.execute(delete(LoginThrottle))  # counters an earlier test may have left
    db.session.commit()
    if request.param == "database":
        yield Limits("database", {"RATELIMIT_ENABLED": True, "REDIS_URL": None})
        return
    import redis
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.skip(f"no Redis at {REDIS_URL} ({exc}); set TEST_REDIS_URL")
    prefix = f"welcomeday-test-{uuid.uuid4().hex}:"  # the Redis is shared: only our own keys, never FLUSHALL
    limits = Limits("redis", {"RATELIMIT_ENABLED": True, "REDIS_URL": REDIS_URL,
                              "LOGIN_THROTTLE_KEY_PREFIX": prefix}, client)
    yield limits
    for key in limits.redis_keys():
        client.delete(key)
    client.close()
