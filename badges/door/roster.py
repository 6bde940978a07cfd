"""What door devices keep for offline decisions (the roster), and the live numbers for staff."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db, utcnow
from app.text import search_key
from badges.door.checkin import holder_key
from badges.door.decision import MAIN, holder_state
from badges.models import Badge, BadgeStatus, CheckIn, CheckinDevice, ScanLog, ScanResult
from events.registration.models import (
    HOLDS_PLACE,
    Attendee,
    Enrolment,
    EnrolmentStatus,
    Registration,
)
from events.dashboard import charts
from events.dashboard.figures import arrivals_per_10_minutes
from events.programme.models import Event, Session


def roster(event: Event) -> dict:
    """Token hashes (never tokens), names, status and seats of every badge of the event, and who is in."""
    rows = db.session.execute(
        select(Badge, Registration.status, Attendee.badge_name, Attendee.full_name, Attendee.email,
               Attendee.search_key)
        .outerjoin(Registration, Registration.id == Badge.registration_id)
        .outerjoin(Attendee, Attendee.id == Registration.attendee_id)
        .where(Badge.event_id == event.id)).all()
    seats: dict[int, list[int]] = {}
    for reg_id, session_id in db.session.execute(
            select(Enrolment.registration_id, Enrolment.session_id).join(Registration)
            .where(Registration.event_id == event.id, Enrolment.status == EnrolmentStatus.CONFIRMED)):
        seats.setdefault(reg_id, []).append(session_id)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        select(Badge.user_id).where(Badge.event_id == event.id, Badge.registration_id.is_(None)))))}
    entries = []
    for badge, reg_status, badge_name, full_name, email, key in rows:
        # the same standing as the server's decision (badges/door/decision.py) judges
        status = holder_state(badge.status == BadgeStatus.REVOKED,
                              reg_status.value if badge.registration_id and reg_status else None)
        if badge.registration_id:
            name, full = badge_name, full_name
        else:
            user = users.get(badge.user_id)
            full, email = (user.name or user.email) if user else "", user.email if user else ""
            name = full.split(" ")[0]
            key = search_key(full, email)
        entries.append({"h": badge.token_hash, "k": holder_key(badge), "n": name, "f": full, "e": email or "",
                        "q": key or "", "r": badge.role.value, "s": status,
                        "x": seats.get(badge.registration_id, []) if badge.registration_id else None})
    checked: dict[str, dict] = {}
    for c in db.session.scalars(select(CheckIn).where(CheckIn.event_id == event.id)):
        checked.setdefault(c.holder, {})[c.door] = [c.checked_in_at.isoformat(), c.station]
    cfg = current_app.config
    opens = timedelta(minutes=cfg["CHECKIN_OPENS_MINUTES"])
    session_opens = timedelta(minutes=cfg["CHECKIN_SESSION_OPENS_MINUTES"])
    return {
        "event": event.id, "generated_at": utcnow().isoformat(),
        "doors": {MAIN: [(event.starts_at - opens).isoformat(), event.ends_at.isoformat()],
                  **{f"session-{s.id}": [(s.starts_at - session_opens).isoformat(), s.ends_at.isoformat()]
                     for s in event.sessions}},
        "badges": entries, "checked_in": checked,
    }


@dataclass
class DoorCount:
    door: str
    label: str
    checked_in: int
    expected: int


def live_numbers(event: Event) -> dict:
    registered = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.status.in_(HOLDS_PLACE))) or 0
    by_door = dict(db.session.execute(select(CheckIn.door, func.count(CheckIn.id))
                                      .where(CheckIn.event_id == event.id).group_by(CheckIn.door)).all())
    main_attendees = db.session.scalar(select(func.count(CheckIn.id)).where(
        CheckIn.event_id == event.id, CheckIn.door == MAIN, CheckIn.holder.like("r%"))) or 0
    stations = db.session.execute(select(CheckIn.station, func.count(CheckIn.id)).where(
        CheckIn.event_id == event.id, CheckIn.door == MAIN).group_by(CheckIn.station)
        .order_by(CheckIn.station)).all()
    enrolled = dict(db.session.execute(
        select(Enrolment.session_id, func.count(Enrolment.id)).join(Session)
        .where(Session.event_id == event.id, Enrolment.status == EnrolmentStatus.CONFIRMED)
        .group_by(Enrolment.session_id)).all())
    sessions = [DoorCount(f"session-{s.id}", s.title, by_door.get(f"session-{s.id}", 0), enrolled.get(s.id, 0))
                for s in event.sessions if s.needs_seat]
    times = db.session.scalars(select(CheckIn.checked_in_at).where(
        CheckIn.event_id == event.id, CheckIn.door == MAIN)).all()
    return {"registered": registered, "checked_in": main_attendees, "everyone_in": by_door.get(MAIN, 0),
            "stations": [(name or "–", count) for name, count in stations], "sessions": sessions,
            "chart": arrivals_chart(event, times)}


def arrivals_chart(event: Event, times: list[datetime]) -> Markup | None:
    """Arrivals per 10 minutes in the event's local time: the dashboard's chart (a fixed 640 × 220 drawing that
    scales with the page, whatever the number of bars), or None before the first arrival."""
    columns = arrivals_per_10_minutes(event, times)
    if not columns:
        return None
    peak = max(columns, key=lambda item: item[1])
    return charts.column_chart(
        _("Arrivals per 10 minutes"), _("Busiest: %(n)d arrivals from %(time)s.", n=peak[1], time=peak[0]),
        columns, y_label=_("Arrivals"), every=max(1, len(columns) // 8))


def conflicts(event: Event) -> list[ScanLog]:
    return list(db.session.scalars(select(ScanLog).where(ScanLog.event_id == event.id, ScanLog.conflict.is_(True))
                                   .order_by(ScanLog.scanned_at.desc()).limit(100)))


def recent_scans(event: Event, limit: int = 25) -> list[tuple[ScanLog, str, str]]:
    """The latest scans with the holder's name and the device's name."""
    logs = db.session.scalars(select(ScanLog).where(ScanLog.event_id == event.id)
                              .order_by(ScanLog.received_at.desc(), ScanLog.id.desc()).limit(limit)).all()
    names = {}
    devices = {d.id: d.name for d in db.session.scalars(select(CheckinDevice).where(
        CheckinDevice.event_id == event.id))}
    out = []
    for log in logs:
        if log.badge_id and log.badge_id not in names:
            badge = db.session.get(Badge, log.badge_id)
            names[log.badge_id] = (badge.registration.attendee.full_name if badge.registration_id
                                   else (badge.user.name or badge.user.email))
        out.append((log, names.get(log.badge_id, ""), devices.get(log.device_id, "")))
    return out


__all__ = ["roster", "live_numbers", "conflicts", "recent_scans", "ScanResult"]
