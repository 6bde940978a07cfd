"""The check-in hot path on PostgreSQL: two statements in autocommit instead of a seven-step transaction.

A busy entrance sends hundreds of scans a minute, and each round trip to the database costs more than the rest
of the request. Here a scan is:

1. one SELECT: the badge, its holder, their sessions, whether they hold a seat at this door's session, and
   their existing check-in at this door (if any);
2. the decision in Python (the same ``_decide`` as everywhere);
3. one INSERT statement: the check-in (``ON CONFLICT DO NOTHING``) and the scan log in a single statement,
   which is atomic on its own, so no BEGIN/COMMIT round trips. Two doors scanning the same badge at once: the
   second insert waits for the first and inserts nothing, and that scan is logged "already".

A nonce is unique per event and scope (the device that scanned). One seen before from this device makes the
log insert do nothing (and the check-in insert is skipped by its NOT EXISTS); the caller then answers as the
first time for a retry of that scan, or refuses a nonce reused for another badge or door and logs the attempt
without a nonce. SQLite takes the general path in checkin.py.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager

from app.extensions import db

HOLDER = """
SELECT b.id, b.event_id, b.status, b.registration_id, b.user_id, b.role,
       r.status AS registration_status, a.badge_name, a.full_name, a.university,
       u.name AS user_name, u.email AS user_email, o.name AS organisation,
       c.id AS ci_id, c.checked_in_at AS ci_at, c.station AS ci_station,
       (SELECT string_agg(s.title, E'\\x1f' ORDER BY s.starts_at, s.id)
          FROM enrolment e JOIN "session" s ON s.id = e.session_id
         WHERE e.registration_id = b.registration_id AND e.status = 'confirmed') AS titles,
       EXISTS (SELECT 1 FROM enrolment e WHERE e.registration_id = b.registration_id
                  AND e.session_id = %(session_id)s AND e.status = 'confirmed') AS enrolled
  FROM badge b
  LEFT JOIN registration r ON r.id = b.registration_id
  LEFT JOIN attendee a ON a.id = r.attendee_id
  LEFT JOIN user_account u ON u.id = b.user_id
  LEFT JOIN organisation o ON o.id = u.organisation_id
  -- A lateral probe with the holder's key already known: one look into check_in's unique index. (A plain join,
  -- planned while check_in's statistics are an empty table's, read every check-in at the door for each scan;
  -- LIMIT keeps the planner from folding the probe back into such a join.)
  LEFT JOIN LATERAL (
       SELECT c.id, c.checked_in_at, c.station FROM check_in c
        WHERE c.event_id = %(event_id)s AND c.door = %(door)s
          AND c.holder = CASE WHEN b.registration_id IS NOT NULL THEN 'r' || b.registration_id
                              ELSE 'u' || b.user_id END
        LIMIT 1) c ON true
 WHERE b.token_hash = %(token_hash)s
"""

ADMIT = """
WITH ci AS (
  INSERT INTO check_in (event_id, holder, door, badge_id, station, checked_in_at, user_id, device_id)
  SELECT %(event_id)s::int, %(holder)s::varchar, %(door)s::varchar, %(badge_id)s::int, %(station)s::varchar,
         %(moment)s::timestamptz, %(user_id)s::int, %(device_id)s::int
   WHERE NOT EXISTS (SELECT 1 FROM scan_log WHERE event_id = %(event_id)s AND scope = %(scope)s
                       AND nonce = %(nonce)s)
  ON CONFLICT (event_id, holder, door) DO NOTHING
  RETURNING id),
log AS (
  INSERT INTO scan_log (event_id, scope, nonce, door, station, device_id, user_id, badge_id, result, reason,
                        scanned_at, received_at, offline, conflict)
  SELECT %(event_id)s::int, %(scope)s::varchar, %(nonce)s::varchar, %(door)s::varchar, %(station)s::varchar,
         %(device_id)s::int, %(user_id)s::int, %(badge_id)s::int, CASE WHEN EXISTS (SELECT 1 FROM ci) THEN 'ok' ELSE 'already' END, '',
         %(moment)s::timestamptz, %(now)s::timestamptz, %(offline)s::boolean,
         %(maybe_conflict)s::boolean AND NOT EXISTS (SELECT 1 FROM ci)
  ON CONFLICT (event_id, scope, nonce) DO NOTHING
  RETURNING id)
SELECT (SELECT id FROM ci) AS ci_id, (SELECT id FROM log) AS log_id
"""

LOG_ONLY = """
INSERT INTO scan_log (event_id, scope, nonce, door, station, device_id, user_id, badge_id, result, reason,
                      scanned_at, received_at, offline, conflict)
VALUES (%(event_id)s, %(scope)s, %(nonce)s, %(door)s, %(station)s, %(device_id)s, %(user_id)s, %(badge_id)s,
        %(result)s, %(reason)s, %(moment)s, %(now)s, %(offline)s, %(conflict)s)
ON CONFLICT (event_id, scope, nonce) DO NOTHING
RETURNING id
"""


def holder_row(conn, token_hash: str, event_id: int, door: str, session_id: int | None):
    return conn.execute(HOLDER, {"token_hash": token_hash, "event_id": event_id, "door": door,
                                 "session_id": session_id}).fetchone()


def admit(conn, params: dict) -> tuple[int | None, int | None]:
    """(check-in id or None if someone was first, scan log id or None if the nonce was seen before)."""
    row = conn.execute(ADMIT, params).fetchone()
    return row.ci_id, row.log_id


def log_only(conn, params: dict) -> int | None:
    row = conn.execute(LOG_ONLY, params).fetchone()
    return row.id if row is not None else None


FIRST = """
SELECT id, checked_in_at, station FROM check_in WHERE event_id = %(event_id)s AND holder = %(holder)s
   AND door = %(door)s
"""


def first_check_in(conn, event_id: int, holder: str, door: str):
    return conn.execute(FIRST, {"event_id": event_id, "holder": holder, "door": door}).fetchone()


SEEN = """
SELECT id, badge_id, door FROM scan_log WHERE event_id = %(event_id)s AND scope = %(scope)s AND nonce = %(nonce)s
"""


def seen_scan(conn, event_id: int, scope: str, nonce: str):
    """The scan that holds this nonce: (id, badge_id, door)."""
    return conn.execute(SEEN, {"event_id": event_id, "scope": scope, "nonce": nonce}).fetchone()


def forget_check_in(conn, check_in_id: int) -> None:
    conn.execute("DELETE FROM check_in WHERE id = %(id)s", {"id": check_in_id})


def touch_device(conn, device_id: int, now) -> None:
    conn.execute("UPDATE checkin_device SET last_seen_at = %(now)s WHERE id = %(id)s", {"now": now, "id": device_id})


_local = threading.local()


@contextmanager
def autocommit_connection():
    """This thread's own psycopg connection for scans (no ORM, no pool round trips), in autocommit.

    With CHECKIN_SYNCHRONOUS_COMMIT off, ``synchronous_commit=off``: a scan does not wait for its WAL flush; a
    crash of the database server may forget the last fraction of a second of scans (never corrupt them), and a
    door that got no answer retries with the same nonce. A broken connection is dropped and the scan fails with
    a 5xx; the door retries."""
    import psycopg
    from psycopg.rows import namedtuple_row
    from flask import current_app
    url = db.engine.url
    key = (os.getpid(), str(url))
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed or getattr(_local, "key", None) != key:
        options = "" if current_app.config.get("CHECKIN_SYNCHRONOUS_COMMIT") else "-c synchronous_commit=off"
        conn = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False),
                               autocommit=True, options=options, row_factory=namedtuple_row)
        _local.conn, _local.key = conn, key
    try:
        yield conn
    except psycopg.OperationalError:
        conn.close()
        raise


def titles(row) -> list[str]:
    return row.titles.split("\x1f") if row is not None and row.titles else []
