"""Redis for the tests of more than one machine: database 13 of TEST_REDIS_URL's server (default the local one),
emptied before and after each test, so that other tests and a development server never share its keys."""
from __future__ import annotations

import os

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def redis_or_skip():
    from redis import Redis
    from redis.exceptions import RedisError
    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except RedisError:
        pytest.skip(f"no Redis at {REDIS_URL} (set TEST_REDIS_URL)")
    return connection


@pytest.fixture
def on_redis(app):
    """The session's application with REDIS_URL set for one test (jobs and mail go through RQ)."""
    connection = redis_or_skip()
    connection.flushdb()
    before = {k: app.config.get(k) for k in ("REDIS_URL", "RQ_QUEUE", "MAIL_SEND_AFTER_COMMIT")}
    app.config.update(REDIS_URL=REDIS_URL, RQ_QUEUE="welcomeday-tests")
    app.extensions.pop("welcomeday.redis", None)
    yield connection
    app.config.update(before)
    app.extensions.pop("welcomeday.redis", None)
    connection.flushdb()
