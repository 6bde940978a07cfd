"""Limits on failed logins, per account and per network address, counted where every process sees them.

A counter counts failed attempts in a fixed window (``LOGIN_FAILURE_WINDOW_MINUTES``) that starts with the first
one. An attempt is counted *before* the password is checked, so that parallel requests cannot slip past a limit;
an attempt refused by a lock is given back at once (it checked nothing), and one that turns out right gives its
count back and clears the account's counter. While any counter is over its limit, every attempt is refused, the
right password too, until that counter's window ends.

Counters live in Redis when ``REDIS_URL`` is set, else in the database (table ``login_throttle``): never in one
process's memory, so four gunicorn workers allow exactly what one does. Keys are HMACs (with ``SECRET_KEY``) of
the e-mail address or network address, never the addresses themselves.

Off with ``RATELIMIT_ENABLED`` (load tests from one address).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass, field
from datetime import timedelta

import redis
from flask import current_app
from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.models import LoginThrottle
from app.extensions import UTCDateTime, db, utcnow


@dataclass(frozen=True)
class Counter:
    scope: str                 # what is counted, e.g. "login-account"
    value: str                 # whose attempts: an e-mail address, a network address, a user id
    limit: int                 # attempts allowed per window
    clear_on_success: bool     # a success forgets the earlier failures (accounts), or only gives its own back

    @property
    def key(self) -> str:
        secret = (current_app.config["SECRET_KEY"] or "").encode()
        digest = hmac.new(secret, f"{self.scope}\0{self.value}".encode(), hashlib.sha256).hexdigest()
        return f"{self.scope}:{digest[:40]}"


@dataclass
class Attempt:
    counters: list[Counter] = field(default_factory=list)
    retry_after: int = 0  # seconds until the lock ends; 0: allowed

    @property
    def refused(self) -> bool:
        return self.retry_after > 0

    def succeeded(self) -> None:
        """The attempt was right: clear the account's counter, give the address its count back."""
        store = _store()
        for counter in self.counters:
            if counter.clear_on_success:
                store.clear(counter.key)
            else:
                store.give_back(counter.key)
        store.done()


def begin(counters: list[Counter]) -> Attempt:
    """Count one attempt against every counter; refused (and not counted) while any is over its limit."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return Attempt()
    store = _store()
    window = timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    retry_after = 0
    for counter in counters:
        count, seconds_left = store.hit(counter.key, window)
        if count > counter.limit:
            retry_after = max(retry_after, max(1, math.ceil(seconds_left)))
    if retry_after:
        for counter in counters:
            store.give_back(counter.key)
    store.done()
    return Attempt(counters=[] if retry_after else counters, retry_after=retry_after)


def network(address: str | None) -> str:
    """The network address that counts: the IPv4 address, or the /64 of an IPv6 address (one household or office
    gets a whole /64, and could otherwise take a fresh address for every attempt)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 address
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def login_counters(email: str, address: str | None) -> list[Counter]:
    """The password step: per account (the address typed, whether or not it has an account) and per network."""
    config = current_app.config
    return [Counter("login-account", email.strip().lower(), config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], True),
            Counter("login-address", network(address), config["LOGIN_MAX_FAILURES_PER_ADDRESS"], False)]


def code_counters(user_id: int, address: str | None) -> list[Counter]:
    """The code step of two-step login: the same numbers, counted apart from the password step."""
    config = current_app.config
    return [Counter("code-account", str(user_id), config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], True),
            Counter("code-address", network(address), config["LOGIN_MAX_FAILURES_PER_ADDRESS"], False)]


def reset_counters(email: str, address: str | None) -> list[Counter]:
    """"Forgot your password?": every request counts (each may send a mail)."""
    config = current_app.config
    return [Counter("reset-account", email.strip().lower(), config["PASSWORD_RESET_REQUESTS_PER_ACCOUNT"], False),
            Counter("reset-address", network(address), config["LOGIN_MAX_FAILURES_PER_ADDRESS"], False)]


# ------------------------------------------------------------------------------------------- where counts live


def _store():
    url = current_app.config.get("REDIS_URL")
    if url:
        return _RedisStore(url, current_app.config["LOGIN_THROTTLE_KEY_PREFIX"])
    return _DatabaseStore()


class _DatabaseStore:
    """Counters in the login_throttle table, on the request's database session (committed by done())."""

    def hit(self, key: str, window: timedelta) -> tuple[int, float]:
        now = utcnow()
        table = LoginThrottle.__table__
        insert = _insert_for(db.session.get_bind().dialect.name)
        ended = table.c.window_ends_at <= literal(now, UTCDateTime())
        new_end = literal(now + window, UTCDateTime())
        statement = insert(table).values(key=key, count=1, window_ends_at=now + window)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"count": case((ended, 1), else_=table.c.count + 1),
                  "window_ends_at": case((ended, new_end), else_=table.c.window_ends_at)},
        ).returning(table.c.count, table.c.window_ends_at)
        count, ends_at = db.session.execute(statement).one()
        return count, (ends_at - now).total_seconds()

    def give_back(self, key: str) -> None:
        table = LoginThrottle.__table__
        db.session.execute(update(table).where(table.c.key == key, table.c.count > 0)
                           .values(count=table.c.count - 1))

    def clear(self, key: str) -> None:
        db.session.execute(delete(LoginThrottle.__table__).where(LoginThrottle.__table__.c.key == key))

    def done(self) -> None:
        db.session.commit()
        self._forget_ended()

    @staticmethod
    def _forget_ended() -> None:
        """Rows whose window has ended count nothing: delete them, in a transaction of their own that waits for
        no other (on PostgreSQL it skips rows another login holds; waiting there could deadlock with it)."""
        table = LoginThrottle.__table__
        ended = select(table.c.key).where(table.c.window_ends_at <= literal(utcnow(), UTCDateTime()))
        if db.session.get_bind().dialect.name == "postgresql":
            ended = ended.with_for_update(skip_locked=True)
        db.session.execute(delete(table).where(table.c.key.in_(ended)))
        db.session.commit()


def _insert_for(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


# INCR and its expiry in one step: a key never outlives its window, whatever happens between two commands.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
"""
# DECR only an existing, positive counter (a DECR on a missing key would create one without expiry).
_GIVE_BACK = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


class _RedisStore:
    """Counters in Redis, one key per counter that expires with its window."""

    def __init__(self, url: str, prefix: str):
        clients = current_app.extensions.setdefault("welcomeday_throttle_redis", {})
        if url not in clients:
            clients[url] = redis.Redis.from_url(url)
        self.redis = clients[url]
        self.prefix = prefix

    def hit(self, key: str, window: timedelta) -> tuple[int, float]:
        count, ttl_ms = self.redis.eval(_HIT, 1, self.prefix + key, int(window.total_seconds() * 1000))
        return int(count), max(int(ttl_ms), 0) / 1000

    def give_back(self, key: str) -> None:
        self.redis.eval(_GIVE_BACK, 1, self.prefix + key)

    def clear(self, key: str) -> None:
        self.redis.delete(self.prefix + key)

    def done(self) -> None:
        pass
