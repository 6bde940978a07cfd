"""The one write path of attendees, registrations and enrolments.

Every insert and update of these rows goes through this module, in one style: SQLAlchemy Core statements on the
session's connection, so the transaction is the caller's. Core, not the ORM, because the registration path is the
hot one (thousands at once when a day opens): a handful of prepared statements and no unit of work keep it fast,
and the other writes, being few, lose nothing by the same style. After a write, instances of the rows it changed
that the session holds are expired, so code reading them afterwards sees the new values.

Callers hold the locks the writes need (events/registration/locking.py). An enrolment's calendar SEQUENCE grows
with each change of its status, in one place: ``_status_change``.

The counters that spare every reader a count (``Session.seats_taken``, ``Session.seats_waiting``, the event's
``PlaceCount`` rows) change here, in the same transaction and under the same locks as the rows they count: each
write that changes an enrolment's status, or whether a registration holds a place, adds what it changed
(``_count_seats``, ``_count_place``). ``recount`` compares them with a count (``flask registrations recount``).
"""
from __future__ import annotations

from datetime import datetime

from collections import Counter

from sqlalchemy import bindparam, case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.util import identity_key

from app.extensions import db
from app.text import search_key
from events.programme.models import Session
from events.registration import links
from events.registration.models import (HOLDS_PLACE, PLACE_SHARDS, Attendee, Enrolment, EnrolmentStatus,
                                        PlaceCount, Registration, RegistrationStatus)

_a, _r, _en = Attendee.__table__.c, Registration.__table__.c, Enrolment.__table__.c
_ADD_ATTENDEE = {dialect: module.insert(Attendee.__table__).on_conflict_do_nothing(index_elements=["email"])
                 .returning(_a.id) for dialect, module in (("postgresql", postgresql), ("sqlite", sqlite))}
_ADD_REGISTRATION = insert(Registration.__table__).returning(_r.id)
_ADD_ENROLMENTS = insert(Enrolment.__table__)
_ADD_ENROLMENT = insert(Enrolment.__table__).returning(_en.id)


def _forget(model, ids) -> None:
    """Expire the session's instances of rows just written, so that they load again when read."""
    identity_map = db.session.identity_map
    for row_id in ids:
        instance = identity_map.get(identity_key(model, row_id))
        if instance is not None:
            db.session.expire(instance)


def _execute(statement, params=None):
    # Pending ORM changes (of other rows) go first, so that the order of writes is the order of the code.
    db.session.flush()
    return db.session.execute(statement, params)


# ----------------------------------------------------------------------------------------------- counters

_s, _pc = Session.__table__.c, PlaceCount.__table__.c
_COUNT_SEATS = (update(Session.__table__).where(_s.id == bindparam("session"))
                .values(seats_taken=_s.seats_taken + bindparam("taken_by"),
                        seats_waiting=_s.seats_waiting + bindparam("waiting_by"),
                        updated_at=_s.updated_at))  # not an edit of the session
_COUNT_PLACE = {dialect: module.insert(PlaceCount.__table__).values(
    event_id=bindparam("event"), shard=bindparam("shard"), taken=bindparam("by")).on_conflict_do_update(
    index_elements=["event_id", "shard"], set_={"taken": _pc.taken + bindparam("by")})
    for dialect, module in (("postgresql", postgresql), ("sqlite", sqlite))}


def seat_effect(status: EnrolmentStatus, holds_place: bool) -> tuple[int, int]:
    """What one enrolment adds to its session's (seats taken, waiting list): only registrations that hold a place
    count."""
    if not holds_place:
        return 0, 0
    return {EnrolmentStatus.CONFIRMED: (1, 0), EnrolmentStatus.WAITLISTED: (0, 1)}.get(status, (0, 0))


def _count_seats(conn, changes: list[tuple[int, tuple[int, int], tuple[int, int]]]) -> None:
    """Add to the sessions' counters what changed: (session id, effect before, effect after) per enrolment."""
    by_session: dict[int, Counter] = {}
    for session_id, before, after in changes:
        counter = by_session.setdefault(session_id, Counter())
        counter["taken_by"] += after[0] - before[0]
        counter["waiting_by"] += after[1] - before[1]
    rows = [{"session": sid, "taken_by": c["taken_by"], "waiting_by": c["waiting_by"]}
            for sid, c in sorted(by_session.items()) if c["taken_by"] or c["waiting_by"]]
    if rows:
        conn.execute(_COUNT_SEATS, rows)
        _forget(Session, [row["session"] for row in rows])


def _count_place(conn, event_id: int, registration_id: int, by: int) -> None:
    """A registration took (1) or gave back (-1) a place at the event: its shard of the event's count."""
    conn.execute(_COUNT_PLACE[conn.dialect.name],
                 {"event": event_id, "shard": registration_id % PLACE_SHARDS, "by": by})


def _status_change(status: EnrolmentStatus, now: datetime) -> dict:
    """The columns an enrolment's change of status sets. The calendar SEQUENCE grows here and only here: calendar
    apps replace an item they hold only when it grows (events/agendas/models.py)."""
    return {"status": status, "updated_at": now,
            "sequence": _en.sequence + case((_en.status != status, 1), else_=0)}


# ----------------------------------------------------------------------------------------------- attendees

# The columns an attendee is found by (the door, the staff desk), in the order of their search key.
SEARCHED = ("full_name", "badge_name", "email", "university")


def attendee_search_key(values: dict) -> str:
    return search_key(*(values.get(name) or "" for name in SEARCHED))


def add_attendee(conn, email: str, columns: dict, now: datetime) -> int | None:
    """A new attendee's row, or None when the address is known (one INSERT … ON CONFLICT DO NOTHING, which also
    waits for, and then yields to, the same new address arriving at the same time)."""
    values = dict(columns, email=email)
    return conn.execute(_ADD_ATTENDEE[conn.dialect.name],
                        dict(values, created_at=now, updated_at=now, search_key=attendee_search_key(values))).scalar()


def update_attendee(attendee_id: int, **columns) -> None:
    """Change an attendee's columns; the search key follows the names, e-mail and university."""
    if any(name in columns for name in SEARCHED):
        values = dict(columns)
        missing = [name for name in SEARCHED if name not in values]
        if missing:
            row = _execute(select(*(_a[name] for name in missing)).where(_a.id == attendee_id)).one()
            values.update(zip(missing, row))
        columns = dict(columns, search_key=attendee_search_key(values))
    _execute(update(Attendee.__table__).where(_a.id == attendee_id).values(**columns))
    _forget(Attendee, [attendee_id])


# ----------------------------------------------------------------------------------------------- registrations


def write_registration(conn, event_id: int, attendee_id: int, previous_id: int | None, sessions: list,
                       places: dict[int, tuple[EnrolmentStatus, int]], *, now: datetime, **columns) -> int:
    """Write a registration and its enrolments; returns its id. The caller holds the locks.

    ``columns`` set the registration's status, consents, dates and ``queue_seq``; ``places`` give each chosen
    session's enrolment (status, waiting-list number). ``previous_id``: a cancelled registration of the same
    person, which is reused (one row per person and event) with a new link."""
    values = {"created_at": now, "updated_at": now, "cancelled_at": None, "cancel_reason": "", "walk_in": False,
              **links.new_link(), **columns}
    existing: dict[int, int] = {}
    if previous_id is None:
        registration_id = conn.execute(_ADD_REGISTRATION,
                                       dict(values, event_id=event_id, attendee_id=attendee_id)).scalar()
    else:
        registration_id = previous_id
        update_registration(previous_id, **values)
        existing = {e.session_id: e.id for e in conn.execute(
            Enrolment.__table__.select().where(_en.registration_id == previous_id))}
    rows = []
    for session in sessions:
        status, number = places[session.id]
        if session.id in existing:
            set_enrolment_status([existing[session.id]], status, now, queue_seq=number)
        else:
            rows.append({"status": status, "queue_seq": number, "updated_at": now, "registration_id": registration_id,
                         "session_id": session.id, "created_at": now, "sequence": 0})
    if rows:
        conn.execute(_ADD_ENROLMENTS, rows)
        holds_place = values.get("status") in HOLDS_PLACE
        _count_seats(conn, [(row["session_id"], (0, 0), seat_effect(row["status"], holds_place)) for row in rows])
    if previous_id is None and values.get("status") in HOLDS_PLACE:
        _count_place(conn, event_id, registration_id, 1)  # last: the shard's row is locked until the commit
    return registration_id


def update_registration(registration_id: int, **values) -> None:
    """Change a registration's columns; a change of whether it holds a place moves the counters of the event and
    of the sessions it is down for."""
    before = _execute(select(_r.status, _r.event_id).where(_r.id == registration_id)).first() \
        if "status" in values else None
    _execute(update(Registration.__table__).where(_r.id == registration_id).values(**values))
    _forget(Registration, [registration_id])
    if before is None:
        return
    held, holds = before.status in HOLDS_PLACE, values["status"] in HOLDS_PLACE
    if held != holds:
        conn = db.session.connection()
        _count_place(conn, before.event_id, registration_id, 1 if holds else -1)
        enrolments = conn.execute(select(_en.session_id, _en.status).where(
            _en.registration_id == registration_id, _en.status != EnrolmentStatus.DROPPED)).all()
        _count_seats(conn, [(e.session_id, seat_effect(e.status, held), seat_effect(e.status, holds))
                            for e in enrolments])


def cancel_registration(registration_id: int, now: datetime, reason: str) -> None:
    """Mark the registration cancelled (its enrolments are dropped by the caller, who refills what they held)."""
    update_registration(registration_id, status=RegistrationStatus.CANCELLED, cancelled_at=now,
                        cancel_reason=reason, expires_at=None, updated_at=now)


def reinstate_registration(registration_id: int, now: datetime, status: RegistrationStatus, **values) -> None:
    """Undo a cancellation: the registration holds ``status`` again (its enrolments are placed by the caller)."""
    update_registration(registration_id, status=status, cancelled_at=None, cancel_reason="", updated_at=now,
                        **values)


def renew_link(registration_id: int) -> None:
    """A new secret link; every earlier one stops working (see events/registration/links.py)."""
    update_registration(registration_id, **links.new_link())


# ----------------------------------------------------------------------------------------------- enrolments


def add_enrolment(registration_id: int, session_id: int, status: EnrolmentStatus, queue_seq: int,
                  now: datetime) -> int:
    enrolment_id = _execute(_ADD_ENROLMENT, {
        "registration_id": registration_id, "session_id": session_id, "status": status, "queue_seq": queue_seq,
        "created_at": now, "updated_at": now, "sequence": 0}).scalar_one()
    _forget(Registration, [registration_id])  # its list of enrolments grew
    conn = db.session.connection()
    holds_place = conn.execute(select(_r.status).where(_r.id == registration_id)).scalar_one() in HOLDS_PLACE
    _count_seats(conn, [(session_id, (0, 0), seat_effect(status, holds_place))])
    return enrolment_id


def set_enrolment_status(enrolment_ids: list[int], status: EnrolmentStatus, now: datetime, *,
                         queue_seq: int | None = None) -> None:
    """Give the enrolments a new status (and, for a place on a waiting list, its number)."""
    if not enrolment_ids:
        return
    values = _status_change(status, now)
    if queue_seq is not None:
        values["queue_seq"] = queue_seq
    before = _execute(select(_en.session_id, _en.status, _r.status.label("registration_status"))
                      .join_from(Enrolment.__table__, Registration.__table__, _r.id == _en.registration_id)
                      .where(_en.id.in_(enrolment_ids))).all()
    _execute(update(Enrolment.__table__).where(_en.id.in_(enrolment_ids)).values(**values))
    _forget(Enrolment, enrolment_ids)
    _count_seats(db.session.connection(), [
        (e.session_id, seat_effect(e.status, e.registration_status in HOLDS_PLACE),
         seat_effect(status, e.registration_status in HOLDS_PLACE)) for e in before])


def drop_enrolments(enrolment_ids: list[int], now: datetime) -> None:
    """Give up seats and waiting-list places (kept as DROPPED, so calendars show the items as cancelled)."""
    set_enrolment_status(enrolment_ids, EnrolmentStatus.DROPPED, now)


def reset_counts(event_id: int, places: int, seats: dict[int, tuple[int, int]]) -> None:
    """Set the event's counters to a count (``recount --fix``; the caller holds the event's lock alone):
    ``places`` held, and per session id (seats taken, waiting list)."""
    conn = db.session.connection()
    conn.execute(PlaceCount.__table__.delete().where(_pc.event_id == event_id))
    conn.execute(_COUNT_PLACE[conn.dialect.name], {"event": event_id, "shard": 0, "by": places})
    if seats:
        conn.execute(update(Session.__table__).where(_s.id == bindparam("session")).values(
            seats_taken=bindparam("taken"), seats_waiting=bindparam("waiting"), updated_at=_s.updated_at),
            [{"session": sid, "taken": taken, "waiting": waiting} for sid, (taken, waiting) in sorted(seats.items())])
        _forget(Session, list(seats))
