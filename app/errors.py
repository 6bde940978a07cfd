"""Error pages and JSON errors: every failure a person can cause is a clear 4xx, never a 500; the database or
Redis out of reach (a restart) is a 503 that asks to try again in a moment."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from app.extensions import db

RETRY_AFTER_SECONDS = 5


def out_of_reach(exc: Exception) -> bool:
    """The database or Redis could not be reached (restarting, or the connection dropped): not a bug; the pool
    reconnects on the next request (app/pool.py), so the person only has to try again."""
    if isinstance(exc, (RedisConnectionError, RedisTimeoutError)):
        return True
    if isinstance(exc, DBAPIError):
        # psycopg's OperationalError: refused, closed or cut connections (SQLite's also means a wrong statement).
        return exc.connection_invalidated or type(exc.orig).__module__.startswith("psycopg") and \
            type(exc.orig).__name__ == "OperationalError"
    return False


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def json_error(status: int, reason: str, message: str, **extra):
    payload = {"error": {"status": status, "reason": reason, "message": message, **extra}}
    return jsonify(payload), status


def init_app(app) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        # Keep what the exception says in headers, e.g. Allow on 405 and Retry-After on 429.
        headers = [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]
        if wants_json():
            reason = (exc.name or "error").lower().replace(" ", "_")
            response, status = json_error(exc.code or 500, reason, exc.description or exc.name)
            return response, status, headers
        # A view's own description is ours (and translated); Werkzeug's default one is English.
        message = exc.description if exc.description != type(exc).description else None
        return render_template("errors/error.html", error=exc, message=message), exc.code, headers

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):  # pragma: no cover - a bug, logged with its traceback
        # The route, not the path: a path can hold a secret link's token, which must never reach a log.
        route = request.url_rule.rule if request.url_rule else request.path
        if out_of_reach(exc):
            app.logger.warning("database or Redis out of reach on %s %s: %s", request.method, route,
                               type(exc).__name__)
            try:
                db.session.rollback()
            except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
                pass
            unavailable = ServiceUnavailable(_("This service is briefly unavailable. Please try again in a few "
                                               "seconds."), retry_after=RETRY_AFTER_SECONDS)
            return handle_http(unavailable)
        app.logger.exception("unhandled error on %s %s", request.method, route)
        db.session.rollback()
        if wants_json():
            return json_error(500, "internal_error", "Something went wrong on our side.")
        return render_template("errors/error.html", error=None), 500
