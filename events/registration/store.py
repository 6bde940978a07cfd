"""The one write path of attendees, registrations and enrolments.

Every insert and update of these rows goes through this module, in one style: SQLAlchemy Core statements on the
session's connection, so the transaction is the caller's. Core, not the ORM, because the registration path is the
hot one (thousands at once when a day opens): a handful of prepared statements and no unit of work keep it fast,
and the other writes, being few, lose nothing by the same style. After a write, instances of the rows it changed
that the session holds are expired, so code reading them afterwards sees the new values.

Callers hold the locks the writes need (events/registration/locking.py). An enrolment's calendar SEQUENCE grows
with each change of its status, in one place: ``_status_change``.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.util import identity_key

from app.extensions import db
from app.text import search_key
from events.registration import links
from events.registration.models import Attendee, Enrolment, EnrolmentStatus, Registration, RegistrationStatus

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
    return registration_id


def update_registration(registration_id: int, **values) -> None:
    _execute(update(Registration.__table__).where(_r.id == registration_id).values(**values))
    _forget(Registration, [registration_id])


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
    return enrolment_id


def set_enrolment_status(enrolment_ids: list[int], status: EnrolmentStatus, now: datetime, *,
                         queue_seq: int | None = None) -> None:
    """Give the enrolments a new status (and, for a place on a waiting list, its number)."""
    if not enrolment_ids:
        return
    values = _status_change(status, now)
    if queue_seq is not None:
        values["queue_seq"] = queue_seq
    _execute(update(Enrolment.__table__).where(_en.id.in_(enrolment_ids)).values(**values))
    _forget(Enrolment, enrolment_ids)


def drop_enrolments(enrolment_ids: list[int], now: datetime) -> None:
    """Give up seats and waiting-list places (kept as DROPPED, so calendars show the items as cancelled)."""
    set_enrolment_status(enrolment_ids, EnrolmentStatus.DROPPED, now)
