"""The pool pings a connection only when it rested (app/pool.py): a dead one is replaced before it is used."""
from __future__ import annotations

from sqlalchemy import text

from app import pool


def test_a_rested_connection_that_died_is_replaced(app, db, monkeypatch):
    engine = db.engine
    dialect = engine.dialect
    with engine.connect() as connection:
        first = connection.connection.driver_connection
    pings = []

    def dead(dbapi_connection):
        pings.append(dbapi_connection)
        raise dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(dialect, "do_ping", dead)
    monkeypatch.setattr(dialect, "is_disconnect", lambda err, dbapi_connection, cursor: True)
    monkeypatch.setattr(pool, "PING_AFTER_IDLE_SECONDS", 60.0)
    with engine.connect() as connection:  # handed back a moment ago: taken as it is, no ping
        assert connection.scalar(text("SELECT 1")) == 1
    assert pings == []
    monkeypatch.setattr(pool, "PING_AFTER_IDLE_SECONDS", 0.0)
    with engine.connect() as connection:  # rested: pinged, found dead, replaced by a new connection
        assert connection.scalar(text("SELECT 1")) == 1
        assert connection.connection.driver_connection is not first
    assert pings
