"""Configuration, read from the environment only.

Every setting has a safe development default so that ``make run`` needs nothing; production sets at least
SECRET_KEY and DATABASE_URL (see README, "Configuration").
"""
from __future__ import annotations

import os

from app.keys import DEFAULT_SECRET_KEY
from app.paths import VAR_DIR


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _list(name: str) -> list[str]:
    """A comma-separated list (of keys: keys made by secrets.token_urlsafe hold no commas)."""
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` / ``postgresql://`` spellings and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


# "development" (make run: demo data, mail shown at /dev/outbox instead of sent) or "production" (the default:
# nothing meant for development is reachable). Never inferred from other settings.
APP_ENV = os.environ.get("APP_ENV", "production").strip().lower()
DEVELOPMENT = APP_ENV == "development"


class Config:
    APP_ENV = APP_ENV
    # Required outside development (create_app refuses the public default: app/keys.py).
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEFAULT_SECRET_KEY
    # Older keys still accepted, newest first: for session cookies (Flask), and for badge tokens, calendar links
    # and registration links that fall back on SECRET_KEY; those with keys of their own list theirs below.
    SECRET_KEY_FALLBACKS = _list("SECRET_KEY_FALLBACKS")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'welcomeday.db'}")
    )
    # No pool_pre_ping (a round trip before every request): app/pool.py pings only connections that rested, and
    # pool_recycle replaces connections older than an hour.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_recycle": 3600}
    # Public base URL used in e-mails, calendar feeds and QR landing links.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # Keys for badge tokens and personal calendar links (default: SECRET_KEY). Rotation: the new key here, the
    # old one in *_FALLBACKS until everything it made may stop working (README, "Keys and their rotation").
    BADGE_SECRET = os.environ.get("BADGE_SECRET")
    BADGE_SECRET_FALLBACKS = _list("BADGE_SECRET_FALLBACKS")
    FEED_SECRET = os.environ.get("FEED_SECRET")
    FEED_SECRET_FALLBACKS = _list("FEED_SECRET_FALLBACKS")
    # Key of the secret "My registration" links, stored hashed (default: SECRET_KEY; events/registration/links.py). Changing it
    # invalidates every link but those from before hashing; the next mail (registering again) carries a new one.
    REGISTRATION_LINK_SECRET = os.environ.get("REGISTRATION_LINK_SECRET")
    REGISTRATION_LINK_SECRET_FALLBACKS = _list("REGISTRATION_LINK_SECRET_FALLBACKS")
    # The domain in calendar UIDs (default: BASE_URL's host); keep it fixed once calendars have subscribed.
    CALENDAR_UID_DOMAIN = os.environ.get("CALENDAR_UID_DOMAIN")
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    # How many proxies (load balancer, TLS terminator) stand in front of the app and set X-Forwarded-For/-Proto/
    # -Host: login limits count per client address, which only these headers tell. 0: the app faces clients.
    PROXY_HOPS = _int("PROXY_HOPS", 0)
    WTF_CSRF_TIME_LIMIT = None  # a form left open all morning at the welcome desk must still submit

    # Operations (app/logs.py, app/metrics.py): LOG_FORMAT=json writes one JSON line per record and per request;
    # /metrics answers only with METRICS_TOKEN set and given as a bearer token; `flask metrics serve` listens on
    # METRICS_PORT.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    METRICS_PORT = _int("METRICS_PORT", 9100)

    # Registration
    PENDING_REGISTRATION_HOURS = _int("PENDING_REGISTRATION_HOURS", 48)
    # How often a registration also looks for expired unconfirmed registrations of its event (0: every time).
    EXPIRY_CHECK_SECONDS = _int("EXPIRY_CHECK_SECONDS", 30)

    # Mail: MAIL_BACKEND is "smtp", "log" (development only: logged and shown at /dev/outbox) or "memory" (tests).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log" if DEVELOPMENT else "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "welcomeday <noreply@welcomeday.local>")
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    # Send the outbox right after a commit in a background thread (off in tests, which call send_pending()).
    MAIL_SEND_AFTER_COMMIT = _bool("MAIL_SEND_AFTER_COMMIT", True)

    # Background jobs: RQ on Redis when REDIS_URL is set, else a local worker thread.
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)  # off for load tests from one address (bench/)
    RATELIMIT_HEADERS_ENABLED = True
    # While Redis restarts the limits are counted in each process's memory, not turned into errors
    # (bench/restarts.py: without this every rate-limited request answered 500 while Redis was away).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Failed logins (and codes of two-step login) allowed per window, per account and per network address (one
    # office behind one NAT address shares it); counted in Redis when REDIS_URL is set, else in the database.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = _int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 10)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _int("LOGIN_MAX_FAILURES_PER_ADDRESS", 100)
    LOGIN_FAILURE_WINDOW_MINUTES = _int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
    # "Forgot your password?" requests per e-mail address and window (each may send a mail).
    PASSWORD_RESET_REQUESTS_PER_ACCOUNT = _int("PASSWORD_RESET_REQUESTS_PER_ACCOUNT", 3)
    LOGIN_THROTTLE_KEY_PREFIX = os.environ.get("LOGIN_THROTTLE_KEY_PREFIX", "welcomeday:login:")

    # Languages
    LANGUAGES = ["en", "de", "nl"]
    # Languages event texts (titles, descriptions, rooms, partner texts) can be entered in: app/content.py.
    CONTENT_LANGUAGES = _list("CONTENT_LANGUAGES") or ["en", "de", "nl"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Check-in opens this long before the event (and before a session) starts; it closes when it ends.
    CHECKIN_OPENS_MINUTES = _int("CHECKIN_OPENS_MINUTES", 180)
    CHECKIN_SESSION_OPENS_MINUTES = _int("CHECKIN_SESSION_OPENS_MINUTES", 30)
    # Scans on PostgreSQL wait for the WAL flush, as every other write does. Off: a database crash may forget the
    # last fraction of a second of scans (never corrupt them); doors retry with the same nonce. See fastpath.py.
    CHECKIN_SYNCHRONOUS_COMMIT = _bool("CHECKIN_SYNCHRONOUS_COMMIT", True)
    # Processes that render a big badge sheet (one document per process, joined with pypdf).
    BADGE_RENDER_PROCESSES = _int("BADGE_RENDER_PROCESSES", min(2, os.cpu_count() or 1))
    # Privacy: `flask purge` erases attendees' personal data this many days after their last welcome day.
    PURGE_AFTER_DAYS = _int("PURGE_AFTER_DAYS", 180)

    # Where rendered PDFs and other cached artefacts are kept (app/storage.py): unset, the database unless it is
    # SQLite (then files under CACHE_DIR); "database", "local", "file:///folder" or "s3://bucket/prefix".
    CACHE_DIR = os.environ.get("CACHE_DIR", str(VAR_DIR / "cache"))
    DOCUMENT_STORAGE_URL = os.environ.get("DOCUMENT_STORAGE_URL")
    DOCUMENT_STORAGE_ENDPOINT = os.environ.get("DOCUMENT_STORAGE_ENDPOINT")  # S3-compatible services other than AWS
    DOCUMENT_STORAGE_REGION = os.environ.get("DOCUMENT_STORAGE_REGION")
    DOCUMENT_LIFETIME_DAYS = _int("DOCUMENT_LIFETIME_DAYS", 30)
    # A queued or running job whose process has not written its heartbeat for this long is reported failed.
    JOB_LEASE_SECONDS = _int("JOB_LEASE_SECONDS", 60)
    RQ_QUEUE = os.environ.get("RQ_QUEUE", "welcomeday")


class TestConfig(Config):
    TESTING = True
    APP_ENV = "test"
    EXPIRY_CHECK_SECONDS = 0
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite:///:memory:")
    )
    WTF_CSRF_ENABLED = False
    MAIL_BACKEND = "memory"
    MAIL_SEND_AFTER_COMMIT = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = None
    SERVER_NAME = None
    BASE_URL = "http://localhost"
