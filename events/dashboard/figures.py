"""The dashboard's figures: plain numbers and series, turned into SVG by events.dashboard.charts in the view."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from babel import Locale
from flask_babel import get_locale
from sqlalchemy import func, select

from app.console.plugins import figure
from app.extensions import db, utcnow
from events.registration.models import (HOLDS_PLACE, Attendee, Enrolment, EnrolmentStatus, Registration,
                                        RegistrationStatus)
from events.programme.models import Event, Session, SessionStatus
from events.registration.queries import SessionSeats, session_seats


@dataclass
class Dashboard:
    counts: dict[str, int]
    capacity: int | None
    this_year: list[tuple[int, int]]  # (days before the event, registrations so far), ascending days
    last_year: list[tuple[int, int]]
    last_year_event: Event | None
    sessions: list[SessionSeats]
    countries: list[tuple[str, int]]
    universities: list[tuple[str, int]]
    arrivals: list[tuple[str, int]] | None  # ("09:10", n) per 10 minutes; None: no check-in data yet
    checked_in: int | None
    meetings: dict | None
    waiting_for_sessions: int = 0  # people holding a place who wait for a seat in at least one session
    walk_ins: int = 0  # places taken by people registered on the spot at the door (counted in ``holding`` too)
    extra: dict = field(default_factory=dict)

    @property
    def holding(self) -> int:
        return self.counts.get("pending", 0) + self.counts.get("confirmed", 0)

    @property
    def session_waiting_places(self) -> int:
        """Places on the sessions' waiting lists (one person may wait for several sessions)."""
        return sum(s.waiting for s in self.sessions)

    @property
    def overbooked(self) -> list[SessionSeats]:
        return [s for s in self.sessions if s.overbooked]

    @property
    def checkin_rate(self) -> float | None:
        if self.checked_in is None or not self.holding:
            return None
        return self.checked_in / self.holding


def _counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(select(Registration.status, func.count()).where(Registration.event_id == event.id)
                              .group_by(Registration.status)).all()
    return {status.value: n for status, n in rows}


def cumulative_by_days_before(event: Event, until: datetime | None = None) -> list[tuple[int, int]]:
    """Registrations made so far, by whole days before the event's local start (sign-ups, cancelled too)."""
    created = db.session.scalars(select(Registration.created_at).where(Registration.event_id == event.id)).all()
    if not created:
        return []
    tz = event.tz
    start_day = event.starts_at.astimezone(tz).date()
    per_day = Counter((start_day - c.astimezone(tz).date()).days for c in created)
    first = max(per_day)
    last = 0
    if until is not None:
        last = max((start_day - until.astimezone(tz).date()).days, 0)
    series, total = [], 0
    for days in range(first, last - 1, -1):
        total += per_day.get(days, 0)
        series.append((days, total))
    return series


def _top(column, event: Event, limit: int = 10) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(column, func.count()).join(Registration, Registration.attendee_id == Attendee.id)
        .where(Registration.event_id == event.id, Registration.status.in_(HOLDS_PLACE), column != "")
        .group_by(column).order_by(func.count().desc(), column).limit(limit)).all()
    return [(value, n) for value, n in rows]


def degree_levels(event: Event) -> list[tuple[str, int]]:
    """People holding a place by degree level (the value, e.g. "master"), most first; the funders' report."""
    rows = db.session.execute(
        select(Attendee.degree_level, func.count()).join(Registration, Registration.attendee_id == Attendee.id)
        .where(Registration.event_id == event.id, Registration.status.in_(HOLDS_PLACE),
               Attendee.degree_level.is_not(None))
        .group_by(Attendee.degree_level).order_by(func.count().desc())).all()
    return [(level.value, n) for level, n in rows]


def waiting_for_sessions(event: Event) -> int:
    """People with a place at the day who are on the waiting list of at least one session."""
    return db.session.scalar(
        select(func.count(func.distinct(Enrolment.registration_id)))
        .join(Registration, Registration.id == Enrolment.registration_id)
        .join(Session, Session.id == Enrolment.session_id)
        .where(Registration.event_id == event.id, Registration.status.in_(HOLDS_PLACE),
               Enrolment.status == EnrolmentStatus.WAITLISTED, Session.status != SessionStatus.CANCELLED)) or 0


def walk_ins(event: Event) -> int:
    """People registered at the door who hold a place."""
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.walk_in.is_(True),
        Registration.status.in_(HOLDS_PLACE))) or 0


def country_name(code: str) -> str:
    return Locale.parse(str(get_locale() or "en")).territories.get(code, code)


def arrivals_per_10_minutes(event: Event, times: list[datetime]) -> list[tuple[str, int]]:
    """Check-ins per 10 minutes in the event's time zone, from the first arrival (or the start) to the last."""
    if not times:
        return []
    tz = event.tz
    local = sorted(t.astimezone(tz) for t in times)
    start = min(local[0], event.starts_at.astimezone(tz) - timedelta(minutes=30))
    start = start.replace(minute=start.minute - start.minute % 10, second=0, microsecond=0)
    end = local[-1]
    buckets = Counter(int((t - start).total_seconds() // 600) for t in local)
    slots = int((end - start).total_seconds() // 600) + 1
    return [((start + timedelta(minutes=10 * i)).strftime("%H:%M"), buckets.get(i, 0)) for i in range(slots)]


def build(event: Event) -> Dashboard:
    now = utcnow()
    previous = db.session.get(Event, event.previous_event_id) if event.previous_event_id else None
    checkins = figure("checkins")(event) if figure("checkins") else None
    meetings = figure("meetings")(event) if figure("meetings") else None
    return Dashboard(
        counts=_counts(event), capacity=event.capacity,
        this_year=cumulative_by_days_before(event, until=min(now, event.starts_at)),
        last_year=cumulative_by_days_before(previous) if previous else [],
        last_year_event=previous,
        sessions=[s for s in session_seats(event) if s.session.needs_seat and not s.session.is_cancelled],
        countries=[(country_name(c), n) for c, n in _top(Attendee.country, event)],
        universities=_top(Attendee.university, event),
        arrivals=arrivals_per_10_minutes(event, list(checkins.values())) if checkins is not None else None,
        checked_in=len(checkins) if checkins is not None else None,
        meetings=meetings, waiting_for_sessions=waiting_for_sessions(event), walk_ins=walk_ins(event))


def no_show_ids(event: Event) -> set[int] | None:
    """Registrations holding a place that never checked in (None while there is no check-in data)."""
    provider = figure("checkins")
    if provider is None:
        return None
    arrived = set(provider(event))
    holding = db.session.scalars(select(Registration.id).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).all()
    return {rid for rid in holding if rid not in arrived}
