"""Check-in at the door: one decision function for the door page, the scanner API and uploaded offline scans.

``check_in`` answers ok / already / rejected (with a reason from ``REJECT_REASONS``), logs every scan, and is
idempotent per client nonce: a retried or re-uploaded scan returns the first answer and counts once. A door is
the event's entrance (``"main"``) or one session's room (``"session-<id>"``); a station is the name people see
("Door 2", a device's name).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db, utcnow
from badges import tokens
from badges.models import Badge, BadgeStatus, CheckIn, CheckinDevice, ScanLog, ScanResult
from events.models import (Attendee, Enrolment, EnrolmentStatus, Event, Registration, RegistrationStatus,
                           Session)

MAIN = "main"


class CheckinError(ValueError):
    def __init__(self, reason: str, message: str, status: int = 400):
        super().__init__(message)
        self.reason, self.message, self.status = reason, message, status


@dataclass
class Verdict:
    status: str                      # "ok" | "already" | "rejected"
    reason: str = ""                 # one of REJECT_REASONS when rejected
    name: str = ""
    full_name: str = ""
    role: str = ""
    organisation: str = ""
    sessions: list[str] = field(default_factory=list)
    checked_in_at: datetime | None = None
    station: str = ""
    check_in_id: int | None = None
    replayed: bool = False           # the nonce was seen before: this is the first answer again

    def to_json(self) -> dict:
        return {"status": self.status, "reason": self.reason or None, "name": self.name,
                "full_name": self.full_name, "role": self.role, "organisation": self.organisation,
                "sessions": self.sessions, "station": self.station or None, "check_in_id": self.check_in_id,
                "checked_in_at": self.checked_in_at.isoformat() if self.checked_in_at else None,
                "replayed": self.replayed}


def parse_door(event_id: int, door: str) -> Session | None:
    """None for the main entrance, else the session; CheckinError for anything else."""
    door = (door or "").strip()
    if door == MAIN:
        return None
    if door.startswith("session-") and door[8:].isdigit():
        session = db.session.get(Session, int(door[8:]))
        if session is not None and session.event_id == event_id:
            return session
    raise CheckinError("unknown_door", "Unknown door: use \"main\" or \"session-<id>\" of this event.", 404)


def holder_key(badge: Badge) -> str:
    return f"r{badge.registration_id}" if badge.registration_id else f"u{badge.user_id}"


def _window(event: Event, session: Session | None) -> tuple[datetime, datetime]:
    cfg = current_app.config
    if session is None:
        return event.starts_at - timedelta(minutes=cfg["CHECKIN_OPENS_MINUTES"]), event.ends_at
    return session.starts_at - timedelta(minutes=cfg["CHECKIN_SESSION_OPENS_MINUTES"]), session.ends_at


def _holder(badge: Badge):
    """(name, full name, organisation, registration or None) for the verdict screen."""
    if badge.registration_id:
        registration = badge.registration
        a: Attendee = registration.attendee
        return a.badge_name, a.full_name, a.university, registration
    user = badge.user
    org = user.organisation.name if user.organisation else ""
    return (user.name or user.email).split(" ")[0], user.name or user.email, org, None


def _session_titles(registration_id: int) -> list[str]:
    rows = db.session.execute(
        select(Session.title).join(Enrolment, Enrolment.session_id == Session.id)
        .where(Enrolment.registration_id == registration_id, Enrolment.status == EnrolmentStatus.CONFIRMED)
        .order_by(Session.starts_at)).all()
    return [r[0] for r in rows]


def _decide(event: Event, session: Session | None, badge: Badge | None, registration, moment: datetime) -> str:
    """The rejection reason, or "" when the holder may enter."""
    if badge is None:
        return "invalid"
    if badge.event_id != event.id:
        return "another_event"
    if badge.status == BadgeStatus.REVOKED:
        return "revoked"
    if registration is not None:
        if registration.status == RegistrationStatus.CANCELLED:
            return "cancelled"
        if registration.status == RegistrationStatus.WAITLISTED:
            return "waitlisted"
    opens, closes = _window(event, session)
    if not opens <= moment <= closes:
        return "outside_window"
    if session is not None and registration is not None:
        enrolled = db.session.scalar(select(Enrolment.id).where(
            Enrolment.registration_id == registration.id, Enrolment.session_id == session.id,
            Enrolment.status == EnrolmentStatus.CONFIRMED))
        if enrolled is None:
            return "not_enrolled"
    return ""


def _client_time(scanned_at: datetime | None, now: datetime) -> datetime:
    """An offline scan is judged at the time it happened, if the device's clock is plausible."""
    if scanned_at is None or scanned_at.tzinfo is None:
        return now
    if now - timedelta(hours=24) <= scanned_at <= now + timedelta(minutes=5):
        return scanned_at
    return now


def check_in(event: Event, door: str, *, token: str | None = None, token_hash: str | None = None,
             nonce: str | None = None, station: str = "", device: CheckinDevice | None = None,
             user_id: int | None = None, offline: bool = False, scanned_at: datetime | None = None,
             local_status: str | None = None) -> Verdict:
    """Decide one scan, record it, commit. ``token`` is what was scanned; staff search sends ``token_hash``."""
    session = parse_door(event.id, door)
    nonce = (nonce or "").strip()[:64] or None
    if nonce:
        seen = db.session.scalars(select(ScanLog).where(ScanLog.event_id == event.id,
                                                        ScanLog.nonce == nonce)).first()
        if seen is not None:
            return _replay(seen)
    now = utcnow()
    moment = _client_time(scanned_at, now) if offline else now
    badge = None
    if token is not None:
        badge = tokens.find_badge(token)
    elif token_hash:
        badge = db.session.scalars(select(Badge).where(Badge.token_hash == token_hash.lower()[:64])).first()
    name = full = org = ""
    registration = None
    if badge is not None and badge.event_id == event.id:
        name, full, org, registration = _holder(badge)
    reason = _decide(event, session, badge, registration, moment)
    log = ScanLog(event_id=event.id, nonce=nonce, door=door, station=station[:60], user_id=user_id,
                  device_id=device.id if device else None, badge_id=badge.id if badge else None,
                  scanned_at=moment, received_at=now, offline=offline, result=ScanResult.REJECTED, reason=reason)
    verdict = Verdict("rejected", reason, name=name, full_name=full, organisation=org,
                      role=badge.role.value if badge else "")
    if not reason:
        record = CheckIn(event_id=event.id, holder=holder_key(badge), door=door, badge_id=badge.id,
                         station=station[:60], checked_in_at=moment, user_id=user_id,
                         device_id=device.id if device else None)
        try:
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError:
            # Someone else admitted this holder at this door first (perhaps this very moment).
            first = db.session.scalars(select(CheckIn).where(
                CheckIn.event_id == event.id, CheckIn.holder == holder_key(badge), CheckIn.door == door)).one()
            log.result, verdict.status = ScanResult.ALREADY, "already"
            verdict.checked_in_at, verdict.station, verdict.check_in_id = (first.checked_in_at, first.station,
                                                                           first.id)
            log.conflict = offline and local_status == "ok" and first.station != log.station
        else:
            log.result, verdict.status = ScanResult.OK, "ok"
            verdict.checked_in_at, verdict.station, verdict.check_in_id = moment, record.station, record.id
        if registration is not None:
            verdict.sessions = _session_titles(registration.id)
    if device is not None and (device.last_seen_at is None or now - device.last_seen_at > timedelta(minutes=1)):
        device.last_seen_at = now
    db.session.add(log)
    try:
        db.session.commit()
    except IntegrityError:
        # The same nonce arrived twice at once: the other request recorded it; answer as it did.
        db.session.rollback()
        seen = db.session.scalars(select(ScanLog).where(ScanLog.event_id == event.id,
                                                        ScanLog.nonce == nonce)).first()
        if seen is None:
            raise
        return _replay(seen)
    return verdict


def _replay(log: ScanLog) -> Verdict:
    verdict = Verdict(log.result.value, log.reason, replayed=True)
    badge = db.session.get(Badge, log.badge_id) if log.badge_id else None
    if badge is not None and badge.event_id == log.event_id:
        verdict.name, verdict.full_name, verdict.organisation, registration = _holder(badge)
        verdict.role = badge.role.value
        if log.result != ScanResult.REJECTED:
            first = db.session.scalars(select(CheckIn).where(
                CheckIn.event_id == log.event_id, CheckIn.holder == holder_key(badge),
                CheckIn.door == log.door)).first()
            if first is not None:
                verdict.checked_in_at, verdict.station, verdict.check_in_id = (first.checked_in_at, first.station,
                                                                               first.id)
    return verdict


def undo_check_in(event: Event, check_in_id: int, *, user_id: int | None = None) -> bool:
    """Take back an admission (scanned the wrong badge); the scan log keeps that it happened."""
    record = db.session.get(CheckIn, check_in_id)
    if record is None or record.event_id != event.id:
        return False
    now = utcnow()
    logs = db.session.scalars(select(ScanLog).where(
        ScanLog.event_id == event.id, ScanLog.badge_id == record.badge_id, ScanLog.door == record.door,
        ScanLog.undone_at.is_(None), ScanLog.result == ScanResult.OK)).all()
    for log in logs:
        log.undone_at = now
    db.session.execute(delete(CheckIn).where(CheckIn.id == record.id))
    db.session.commit()
    return True


# ------------------------------------------------------------------------------------------------ devices

def create_device(event: Event, name: str, *, user_id: int | None) -> tuple[CheckinDevice, str]:
    """A new scanner credential; the plain token is returned once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise CheckinError("validation_failed", "Give the device a name of at most 60 characters.")
    secret = "wdd_" + secrets.token_urlsafe(32)
    device = CheckinDevice(event_id=event.id, name=name, token_hash=hashlib.sha256(secret.encode()).hexdigest(),
                           created_by_id=user_id)
    db.session.add(device)
    db.session.commit()
    return device, secret


def revoke_device(event: Event, device_id: int) -> bool:
    device = db.session.get(CheckinDevice, device_id)
    if device is None or device.event_id != event.id:
        return False
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        db.session.commit()
    return True


def device_for_token(secret: str) -> CheckinDevice | None:
    if not secret or len(secret) > 100:
        return None
    device = db.session.scalars(select(CheckinDevice).where(
        CheckinDevice.token_hash == hashlib.sha256(secret.encode()).hexdigest())).first()
    return device if device is not None and device.active else None


def devices(event: Event) -> list[CheckinDevice]:
    return list(db.session.scalars(select(CheckinDevice).where(CheckinDevice.event_id == event.id)
                                   .order_by(CheckinDevice.revoked_at.is_not(None), CheckinDevice.name)))


def search_holders(event: Event, query: str, limit: int = 12) -> list[dict]:
    """Staff fallback when a badge will not scan: active badges whose name or e-mail matches."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    pattern = f"%{query.lower()}%"
    rows = db.session.execute(
        select(Badge, Attendee).join(Registration, Registration.id == Badge.registration_id)
        .join(Attendee, Attendee.id == Registration.attendee_id)
        .where(Badge.event_id == event.id, Badge.status == BadgeStatus.ACTIVE,
               db.or_(db.func.lower(Attendee.full_name).like(pattern), db.func.lower(Attendee.email).like(pattern),
                      db.func.lower(Attendee.badge_name).like(pattern)))
        .order_by(Attendee.full_name).limit(limit)).all()
    return [{"h": badge.token_hash, "name": a.full_name, "email": a.email, "role": badge.role.value}
            for badge, a in rows]
