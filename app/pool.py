"""The database pool checks a connection before handing it out only when it has been idle a while.

SQLAlchemy's ``pool_pre_ping`` sends a round trip (``SELECT 1``) before every checkout: on a door scan, which is
three short statements, that was a fourth round trip on every request. Pooled connections die while they rest
(the database server restarted, a firewall or PgBouncer dropped an idle connection), so this pings only a
connection that rested longer than PING_AFTER_IDLE_SECONDS; one handed back a moment ago by the previous request
is used as it is. Should it have died in that moment anyway, its first statement fails with a disconnect error,
SQLAlchemy invalidates the whole pool (every connection older than the error), and the next checkout connects
afresh; the scanner API retries such a scan once (badges/door/checkin.py), so a door never sees it.
``pool_recycle`` (app/config.py) replaces connections older than an hour, before idle limits elsewhere bite.
"""
from __future__ import annotations

import time

from sqlalchemy import event, exc

PING_AFTER_IDLE_SECONDS = 2.0


def ping_idle_connections(engine) -> None:
    """Attach the check to ``engine``'s pool (every app's engine, in create_app)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _rested_from(dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_rested(dbapi_connection, record, proxy):
        idle_since = record.info.get("idle_since")  # None: a new connection, nothing to check
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as err:
            if dialect.is_disconnect(err, dbapi_connection, None):
                # as pool_pre_ping does: every connection as old as this one is suspect; the pool reconnects
                raise exc.InvalidatePoolError() from err
            raise
