"""Where a scan is read and written: SQLAlchemy Core statements on a connection of the engine's own pool, in
one transaction, the same on SQLite and PostgreSQL.

A scan is one SELECT (the badge, its holder's standing and seats, their earlier admission at this door, an
earlier use of the scan's nonce), then one write. An admission is one statement on PostgreSQL: the check-in
(``ON CONFLICT DO NOTHING``: two doors scanning the same badge at once admit it once, the second is logged
"already") and its scan log (``ON CONFLICT DO NOTHING`` on the device's nonce) in two data-modifying CTEs, atomic
on their own, so the scan needs no BEGIN and COMMIT round trips: two round trips in all, where a transaction
around three statements took five (measured in bench/checkin.py). SQLite has no data-modifying CTEs; there the
same two rows are written by two statements inside the scan's transaction, which holds the write lock (BEGIN
IMMEDIATE), so the races above cannot happen there. ``admit_and_log`` is that one write, spelled per dialect as
``ON CONFLICT`` already is, and both spellings run the whole check-in suite (SQLite in ``make test``,
PostgreSQL in CI). Of the same nonce twice at once with two different badges (a misbehaving device), the second
scan's check-in is written and then deleted again by the caller (``forget_check_in``): on PostgreSQL that is a
second statement, so such a check-in stands for a moment without its own log. Every probe is a look into a
unique index ((event, holder, door), (event, scope, nonce)); tests/badges/test_checkin.py checks the plans.

The statements are built once, with bound parameters, compiled once per process and run on the connection's
driver cursor (``Prepared``, badges/door/prepared.py: what ``Connection.execute`` adds around each call cost
three times what the driver spends).
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from flask import current_app
from sqlalchemy import String, and_, bindparam, case, cast, delete, exists, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from app.accounts.models import User
from app.extensions import db
from badges.door.prepared import Prepared
from badges.models import Badge, CheckIn, CheckinDevice, ScanLog, ScanResult
from events.employers.models import Organisation
from events.registration.models import Attendee, Enrolment, EnrolmentStatus, Registration

SEPARATOR = ","


class joined_ids(GenericFunction):  # noqa: N801 - a SQL function's name
    """The ids of a group as one text "3,7,12" (PostgreSQL's string_agg, SQLite's group_concat)."""
    type = String()
    inherit_cache = True


@compiles(joined_ids, "postgresql")
def _joined_ids_postgresql(element, compiler, **kw):
    return f"string_agg(CAST({compiler.process(element.clauses, **kw)} AS TEXT), '{SEPARATOR}')"


@compiles(joined_ids, "sqlite")
def _joined_ids_sqlite(element, compiler, **kw):
    return f"group_concat({compiler.process(element.clauses, **kw)}, '{SEPARATOR}')"


# "r<registration id>" or "u<user id>": one person is one holder, whichever of their badges they bring.
HOLDER_KEY = case((Badge.registration_id.is_not(None), literal("r") + cast(Badge.registration_id, String)),
                  else_=literal("u") + cast(Badge.user_id, String))

_SEATS = (select(joined_ids(Enrolment.session_id))
          .where(Enrolment.registration_id == Badge.registration_id, Enrolment.status == EnrolmentStatus.CONFIRMED)
          .scalar_subquery())
_ADMITTED = (select(CheckIn.id).where(CheckIn.event_id == bindparam("event_id"), CheckIn.door == bindparam("door"),
                                      CheckIn.holder == HOLDER_KEY).limit(1).scalar_subquery())
_NONCE_USED = (select(ScanLog.id).where(ScanLog.event_id == bindparam("event_id"),
                                        ScanLog.scope == bindparam("scope"), ScanLog.nonce == bindparam("nonce"))
               .scalar_subquery())

# One round trip for the badge, everything the verdict shows about its holder, and what came before.
HOLDER = (
    select(Badge.id, Badge.event_id, Badge.status, Badge.registration_id, Badge.user_id, Badge.role,
           Badge.version,
           Registration.status.label("registration_status"), Attendee.badge_name, Attendee.full_name,
           Attendee.university, User.name.label("user_name"), User.email.label("user_email"),
           Organisation.name.label("organisation"), _SEATS.label("seats"), _ADMITTED.label("admitted_id"),
           _NONCE_USED.label("nonce_log_id"), HOLDER_KEY.label("holder"))
    .select_from(Badge)
    .outerjoin(Registration, Registration.id == Badge.registration_id)
    .outerjoin(Attendee, Attendee.id == Registration.attendee_id)
    .outerjoin(User, User.id == Badge.user_id)
    .outerjoin(Organisation, Organisation.id == User.organisation_id))
HOLDER_BY_HASH = Prepared(HOLDER.where(Badge.token_hash == bindparam("token_hash")))
HOLDER_BY_ID = Prepared(HOLDER.where(Badge.id == bindparam("badge_id")))

FIRST_CHECK_IN = Prepared(select(CheckIn.id, CheckIn.checked_in_at, CheckIn.station).where(
    CheckIn.event_id == bindparam("event_id"), CheckIn.holder == bindparam("holder"),
    CheckIn.door == bindparam("door")))
NONCE_USE = Prepared(select(ScanLog.id, ScanLog.badge_id, ScanLog.door).where(
    ScanLog.event_id == bindparam("event_id"), ScanLog.scope == bindparam("scope"),
    ScanLog.nonce == bindparam("nonce")))


def seats(text: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(SEPARATOR)) if text else frozenset()


def _inserts(table, columns, *conflict_columns) -> dict:
    """INSERT (columns) … ON CONFLICT DO NOTHING RETURNING id, per dialect (both spell it alike), every column a
    parameter."""
    return {name: Prepared(dialect.insert(table).values({column: bindparam(column) for column in columns})
                           .on_conflict_do_nothing(index_elements=list(conflict_columns)).returning(table.c.id))
            for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}


_CHECK_IN_COLUMNS = ("event_id", "holder", "door", "badge_id", "station", "checked_in_at", "user_id", "device_id")
_SCAN_LOG_COLUMNS = ("event_id", "scope", "nonce", "door", "station", "user_id", "device_id", "badge_id",
                     "scanned_at", "received_at", "offline", "result", "reason", "conflict", "undone_at")
ADMIT = _inserts(CheckIn.__table__, _CHECK_IN_COLUMNS, "event_id", "holder", "door")
LOG_SCAN = _inserts(ScanLog.__table__, _SCAN_LOG_COLUMNS, "event_id", "scope", "nonce")


def _admit_and_log_postgresql():
    """WITH admitted AS (INSERT check_in … RETURNING id), logged AS (INSERT scan_log …, result ok when admitted
    else already … RETURNING id) SELECT both ids: one statement, atomic on its own."""
    check_in, scan_log = CheckIn.__table__, ScanLog.__table__
    admitted = (postgresql.insert(check_in).values({name: bindparam(name) for name in _CHECK_IN_COLUMNS})
                .on_conflict_do_nothing(index_elements=["event_id", "holder", "door"])
                .returning(check_in.c.id).cte("admitted"))
    was_admitted = exists(select(admitted.c.id))
    result_type = scan_log.c.result.type
    logged = (postgresql.insert(scan_log).values(
        event_id=bindparam("event_id"), scope=bindparam("scope"), nonce=bindparam("nonce"), door=bindparam("door"),
        station=bindparam("station"), user_id=bindparam("user_id"), device_id=bindparam("device_id"),
        badge_id=bindparam("badge_id"), scanned_at=bindparam("checked_in_at"), received_at=bindparam("received_at"),
        offline=bindparam("offline"), reason="", undone_at=None,
        result=case((was_admitted, literal(ScanResult.OK, result_type)),
                    else_=literal(ScanResult.ALREADY, result_type)),
        conflict=and_(bindparam("maybe_conflict"), ~was_admitted))
        .on_conflict_do_nothing(index_elements=["event_id", "scope", "nonce"])
        .returning(scan_log.c.id).cte("logged"))
    return select(select(admitted.c.id).scalar_subquery(), select(logged.c.id).scalar_subquery())


ADMIT_AND_LOG = Prepared(_admit_and_log_postgresql())
TOUCH_DEVICE = Prepared(update(CheckinDevice).where(CheckinDevice.id == bindparam("device_id")).values(
    last_seen_at=bindparam("now")))
FORGET_CHECK_IN = Prepared(delete(CheckIn).where(CheckIn.id == bindparam("check_in_id")))
SCAN = Prepared(select(ScanLog.result, ScanLog.reason, ScanLog.badge_id, ScanLog.event_id, ScanLog.door).where(
    ScanLog.id == bindparam("log_id")))
SYNCHRONOUS_COMMIT_OFF = text("SET LOCAL synchronous_commit TO OFF")


@contextmanager
def scan_transaction():
    """(connection, commit) for one scan: a connection of the engine's pool.

    On PostgreSQL the connection is in autocommit: each of the scan's statements is atomic on its own (see
    above), and a transaction would only add a BEGIN and a COMMIT round trip. On SQLite it is a transaction
    (BEGIN IMMEDIATE: the write lock, which makes the scan's statements one step).

    A request that read through the ORM session first (a door page's event and user, a device looked up) joins
    the session's transaction: on SQLite it holds the write lock (BEGIN IMMEDIATE), and the user's attributes
    may still load through it. Otherwise (a scanner's request, almost always) a plain Core connection: the
    session's bookkeeping around a connection cost as much Python as two of the scan's statements.

    With CHECKIN_SYNCHRONOUS_COMMIT off, the scan's commit does not wait for PostgreSQL's WAL flush: a crash of
    the database server may forget the last fraction of a second of scans (never corrupt them), and a door that
    got no answer retries with the same nonce."""
    relaxed = not current_app.config.get("CHECKIN_SYNCHRONOUS_COMMIT", True)
    if db.session.registry.has() and db.session().in_transaction():  # has(): no session made just to ask
        connection = db.session.connection()
        if relaxed and connection.dialect.name == "postgresql":
            connection.execute(SYNCHRONOUS_COMMIT_OFF)
        yield connection, db.session.commit
        return
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql" and not relaxed:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection, _committed  # no BEGIN and COMMIT: each statement commits itself
            return
        connection.begin()
        if relaxed and connection.dialect.name == "postgresql":
            connection.execute(SYNCHRONOUS_COMMIT_OFF)  # SET LOCAL: this needs the transaction
        yield connection, connection.commit


def _committed() -> None:
    """The commit of a scan in autocommit: its statements have committed themselves."""


def holder(connection, token_hash: str, event_id: int, door: str, scope: str, nonce: str | None):
    """The badge with this token hash (None if there is none), with ``admitted_id`` and ``nonce_log_id``."""
    return HOLDER_BY_HASH.first(connection, {"token_hash": token_hash, "event_id": event_id, "door": door,
                                             "scope": scope, "nonce": nonce})


def holder_of_badge(connection, badge_id: int, event_id: int, door: str):
    return HOLDER_BY_ID.first(connection, {"badge_id": badge_id, "event_id": event_id, "door": door,
                                           "scope": "", "nonce": None})


def nonce_use(connection, event_id: int, scope: str, nonce: str):
    """The scan that holds this nonce: (id, badge_id, door), or None."""
    return NONCE_USE.first(connection, {"event_id": event_id, "scope": scope, "nonce": nonce})


def scan(connection, log_id: int):
    """(result, reason, badge_id, event_id, door) of a logged scan."""
    return SCAN.first(connection, {"log_id": log_id})


def first_check_in(connection, event_id: int, holder_key: str, door: str):
    """(id, checked_in_at, station) of the holder's admission at this door, or None."""
    return FIRST_CHECK_IN.first(connection, {"event_id": event_id, "holder": holder_key, "door": door})


def admit(connection, **values) -> int | None:
    """The new check-in's id, or None when this holder was admitted at this door first (perhaps this instant)."""
    row = ADMIT[connection.dialect.name].first(connection, values)
    return row[0] if row is not None else None


def admit_and_log(connection, *, maybe_conflict: bool, **values) -> tuple[int | None, int | None]:
    """Admit the holder and log the scan as "ok", or, when another door admitted them first (perhaps this
    instant), log it as "already" (with ``conflict`` when ``maybe_conflict``: an offline door had let them in).

    Returns (check-in id or None, scan log id or None when the device's nonce was taken meanwhile). ``values``:
    the check-in's columns and the log's scope, nonce and received_at."""
    if connection.dialect.name == "postgresql":
        return tuple(ADMIT_AND_LOG.first(connection, {"maybe_conflict": maybe_conflict, **values}))
    check_in_id = admit(connection, **{name: values[name] for name in _CHECK_IN_COLUMNS})
    log_id = log_scan(
        connection, event_id=values["event_id"], scope=values["scope"], nonce=values["nonce"], door=values["door"],
        station=values["station"], user_id=values["user_id"], device_id=values["device_id"],
        badge_id=values["badge_id"], scanned_at=values["checked_in_at"], received_at=values["received_at"],
        offline=values["offline"], reason="", result=ScanResult.OK if check_in_id is not None else ScanResult.ALREADY,
        conflict=maybe_conflict and check_in_id is None)
    return check_in_id, log_id


def log_scan(connection, **values) -> int | None:
    """The scan log's id, or None when the device's nonce is taken (by a scan committed meanwhile)."""
    row = LOG_SCAN[connection.dialect.name].first(connection, {"undone_at": None, **values})
    return row[0] if row is not None else None


def touch_device(connection, device_id: int, now: datetime) -> None:
    TOUCH_DEVICE.run(connection, {"device_id": device_id, "now": now})


def forget_check_in(connection, check_in_id: int) -> None:
    """Take back an admission whose scan lost its nonce to another scan at the same instant."""
    FORGET_CHECK_IN.run(connection, {"check_in_id": check_in_id})
