"""Flask extensions, created once here and bound to the app in ``create_app`` (no circular imports)."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import wraps

from flask.globals import request_ctx
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so that Alembic migrations can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored in UTC on every backend (SQLite has no time zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def str_enum(cls, name: str, length: int = 32) -> Enum:
    """An enum column stored as its plain string values with a CHECK constraint: readable in SQL, portable."""
    return Enum(cls, name=name, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_limiter(app) -> None:
    """The rate limiter, checking the limits on views only.

    Every limit of ours is on its view (``@limiter.limit``), whose wrapper checks it. The limiter's app-wide check
    before every request is for default and application limits, of which we have none; it resolved every limit
    on every request (a scan too: about 5 % of a scan's instructions), so it goes. Its hooks after the request
    (the X-RateLimit headers, releasing its state) run only for a request whose view checked a limit: for the
    others they made that state only to throw it away (2.5 % of a scan's instructions)."""
    limiter.init_app(app)
    before = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in before:  # not there when RATELIMIT_ENABLED is off
        before.remove(limiter._check_request_limit)
    for hooks in (app.after_request_funcs.get(None, []), app.teardown_request_funcs.get(None, [])):
        hooks[:] = [_when_limited(hook) if _of_limiter(hook) else hook for hook in hooks]


def _of_limiter(hook) -> bool:
    return getattr(getattr(hook, "func", hook), "__self__", None) is limiter or getattr(hook, "args", ()) == (limiter,)


def _when_limited(hook):
    """``hook`` (an after-request or teardown function of the limiter) for requests that checked a limit: the
    limiter keeps its state on the request context as ``_limiter_request_context``, made when a limit is checked."""
    @wraps(getattr(hook, "func", hook))
    def wrapper(response_or_error):
        if hasattr(request_ctx._get_current_object(), "_limiter_request_context"):
            return hook(response_or_error)
        return response_or_error  # after_request: the response; teardown: ignored
    return wrapper


def init_engines(app) -> None:
    """Attach what SQLite needs to this application's engines (after ``db.init_app``); other engines in the
    process (a test's own, another application's) are left as they are."""
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", sqlite_connect):
            event.listen(engine, "connect", sqlite_connect)
            event.listen(engine, "begin", sqlite_begin)


def sqlite_connect(dbapi_connection, connection_record):
    """SQLite: WAL, a busy timeout, foreign keys, and transactions we begin ourselves (see sqlite_begin)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def sqlite_begin(conn):
    """SQLite has no SELECT … FOR UPDATE: BEGIN IMMEDIATE takes the write lock up front, so that
    "is there a seat?" and "take it" happen under one lock, as FOR UPDATE does on PostgreSQL."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")
