"""Liveness and readiness for load balancers and orchestrators: ``/healthz`` and ``/readyz``, public, JSON.

``/healthz`` says the process answers and touches nothing else (a database outage must not get every web process
restarted). ``/readyz`` says whether this process can serve: the database answers, Redis answers when REDIS_URL is
set, and the database's schema is at the migrations' head (a node started before ``flask db upgrade`` ran, or
with newer code than the database, is kept out of the rotation). Each failing check is named, 503.
"""
from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from redis import Redis
from sqlalchemy import text

from app import paths
from app.extensions import csrf, db, limiter

bp = Blueprint("ops", __name__)
csrf.exempt(bp)
limiter.exempt(bp)
CHECK_TIMEOUT_SECONDS = 2


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {"database": _database(), "redis": _redis(), "migrations": _migrations()}
    ready = all(result in ("ok", "not configured") for result in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


def migration_heads() -> frozenset[str]:
    """The head revisions of the migrations this code carries (read once per process)."""
    cached = current_app.extensions.get("migration_heads")
    if cached is None:
        cached = current_app.extensions["migration_heads"] = frozenset(
            ScriptDirectory(str(paths.MIGRATIONS)).get_heads())
    return cached


# Both checks read through the request's own session (its connection of the pool), as every page does: a second
# connection of its own would wait on SQLite for the write lock that the request's session may hold already.
def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as error:  # any failure is an answer here, never a 500
        return f"failed: {type(error).__name__}"


def _redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    try:
        client = Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    except Exception as error:
        return f"failed: {type(error).__name__}"


def _migrations() -> str:
    try:
        current = frozenset(MigrationContext.configure(db.session.connection()).get_current_heads())
    except Exception as error:
        return f"failed: {type(error).__name__}"
    heads = migration_heads()
    if current == heads:
        return "ok"
    return f"not at head: database at {', '.join(sorted(current)) or 'nothing'}, code at {', '.join(sorted(heads))}"


def init_app(app) -> None:
    app.register_blueprint(bp)
