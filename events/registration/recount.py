"""Counting again what the counters say: seats taken and waiting lists of sessions, places held at events.

The counters (``Session.seats_taken``, ``Session.seats_waiting``, ``PlaceCount``; events/registration/store.py)
spare every registration, check-in and programme view a count. This compares them with a count, event by event
under the event's lock, and with ``fix`` sets them to it: ``flask --app wsgi registrations recount [--fix]``.
"""
from __future__ import annotations

from dataclasses import dataclass

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.extensions import db
from events.programme.models import Event, Session
from events.registration import locking, queries, store
from events.registration.models import HOLDS_PLACE, Enrolment, EnrolmentStatus, Registration


@dataclass(frozen=True)
class Drift:
    """A counter that differs from the count: ``what`` is "places", "seats_taken" or "seats_waiting"."""
    event_id: int
    session_id: int | None
    what: str
    counter: int
    count: int

    def __str__(self) -> str:
        where = f"event {self.event_id}" + (f" session {self.session_id}" if self.session_id else "")
        return f"{where}: {self.what} is {self.counter}, counted {self.count}"


def counted_seats(event_id: int) -> dict[int, tuple[int, int]]:
    """Per session of the event: (seats taken, waiting list), counted (registrations that hold a place)."""
    rows = db.session.execute(
        select(Enrolment.session_id, Enrolment.status, func.count())
        .join(Registration, Registration.id == Enrolment.registration_id)
        .join(Session, Session.id == Enrolment.session_id)
        .where(Session.event_id == event_id, Enrolment.status != EnrolmentStatus.DROPPED,
               Registration.status.in_(HOLDS_PLACE))
        .group_by(Enrolment.session_id, Enrolment.status)).all()
    counts: dict[int, list[int]] = {}
    for session_id, status, n in rows:
        counts.setdefault(session_id, [0, 0])[0 if status == EnrolmentStatus.CONFIRMED else 1] = n
    return {sid: (taken, waiting) for sid, (taken, waiting) in counts.items()}


def counted_places(event_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status.in_(HOLDS_PLACE))) or 0


def recount_event(event_id: int, *, fix: bool = False) -> list[Drift]:
    """Compare the event's counters with a count under its lock (and set them to it with ``fix``); commits."""
    event = locking.lock_event(event_id)
    drifts = []
    places, counter = counted_places(event.id), queries.places_taken(event)
    if places != counter:
        drifts.append(Drift(event.id, None, "places", counter, places))
    seats = counted_seats(event.id)
    stored = db.session.execute(select(Session.id, Session.seats_taken, Session.seats_waiting)
                                .where(Session.event_id == event.id).order_by(Session.id)).all()
    for session_id, taken, waiting in stored:
        count_taken, count_waiting = seats.get(session_id, (0, 0))
        if taken != count_taken:
            drifts.append(Drift(event.id, session_id, "seats_taken", taken, count_taken))
        if waiting != count_waiting:
            drifts.append(Drift(event.id, session_id, "seats_waiting", waiting, count_waiting))
    if fix and drifts:
        store.reset_counts(event.id, places, {sid: seats.get(sid, (0, 0)) for sid, _, _ in stored})
    db.session.commit()
    return drifts


def recount(*, fix: bool = False) -> list[Drift]:
    """Every event's drifts (fixed with ``fix``)."""
    event_ids = db.session.scalars(select(Event.id).order_by(Event.id)).all()
    db.session.rollback()
    return [drift for event_id in event_ids for drift in recount_event(event_id, fix=fix)]


@click.group("registrations")
def registrations_cli() -> None:
    """Registrations: checks."""


@registrations_cli.command("recount")
@click.option("--fix", is_flag=True, help="Set the counters that differ to the count.")
@with_appcontext
def recount_command(fix: bool) -> None:
    """Compare seats taken, waiting lists and places held with a count; exit status 1 on a difference."""
    drifts = recount(fix=fix)
    for drift in drifts:
        click.echo(str(drift))
    click.echo(f"{len(drifts)} counters differ" + (" (set to the count)" if fix and drifts else ""))
    if drifts and not fix:
        raise SystemExit(1)
