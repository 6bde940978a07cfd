"""Check-in at the door: one decision function for the door page, the scanner API and uploaded offline scans.

``check_in`` answers ok / already / rejected (with a reason from ``REJECT_REASONS``), logs every scan, and is
idempotent per client nonce: a retried or re-uploaded scan returns the first answer and counts once. A nonce
names one scan of one device (its *scope*: a scanner device, or the signed-in user of a door page), so two
devices may pick the same nonce; the same nonce from the same device with another badge or at another door is
refused (409 ``nonce_reused``, logged), never answered with the first scan's person. A door is the event's
entrance (``"main"``) or one session's room (``"session-<id>"``); a station is the name people see ("Door 2", a
device's name).
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.accounts.models import User
from app.extensions import db, utcnow
from badges.door import fastpath
from badges import tokens
from badges.models import NONCE_REUSED, Badge, BadgeStatus, CheckIn, CheckinDevice, ScanLog, ScanResult
from events.registration.models import Attendee, Enrolment, EnrolmentStatus, Registration, RegistrationStatus
from events.programme.models import Event, Session
from events.employers.models import Organisation

MAIN = "main"
# Long enough not to be guessed or to collide by chance (the door page sends 32 hex digits), short and plain
# enough for any scanner app.
NONCE_PATTERN = r"[A-Za-z0-9_-]{16,64}"
# "session-<id>": ASCII digits without a leading zero (one spelling per door: the door string is part of the
# check-in's unique key) and within PostgreSQL's integer.
_SESSION_DOOR = re.compile(r"session-([1-9][0-9]{0,9})")
MAX_ID = 2**31 - 1
# NUL (which PostgreSQL's text refuses), the other control characters but tab and line breaks, lone surrogates
# (which no database driver can encode).
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: str) -> bool:
    """Whether text from a scan or a search may be stored, compared and shown (see _BAD_TEXT)."""
    return _BAD_TEXT.search(value) is None


def strip_control(value: str) -> str:
    return _BAD_TEXT.sub("", value)


def valid_nonce(nonce) -> bool:
    return isinstance(nonce, str) and re.fullmatch(NONCE_PATTERN, nonce) is not None


def nonce_scope(device=None, user_id: int | None = None) -> str:
    """Whose nonces these are: a scanner device's, or a signed-in door page user's ("" for neither)."""
    if device is not None:
        return f"device-{device.id}"
    return f"user-{user_id}" if user_id is not None else ""


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
    """None for the main entrance, else the session; CheckinError for anything else (exact spelling only)."""
    if door == MAIN:
        return None
    match = _SESSION_DOOR.fullmatch(door) if isinstance(door, str) else None
    if match is not None and int(match[1]) <= MAX_ID:
        session = db.session.get(Session, int(match[1]))
        if session is not None and session.event_id == event_id:
            return session
    raise CheckinError("unknown_door", _("Unknown door: use \"main\" or \"session-<id>\" of this event."), 404)


def holder_key(badge) -> str:
    return f"r{badge.registration_id}" if badge.registration_id else f"u{badge.user_id}"


@dataclass(frozen=True)
class EventInfo:
    """What a scan needs of its event; cached per process (door scans come by the hundred per minute)."""
    id: int
    starts_at: datetime
    ends_at: datetime


_event_cache: dict[int, tuple[float, EventInfo]] = {}
EVENT_CACHE_SECONDS = 30


def event_info(event_id: int) -> EventInfo | None:
    hit = _event_cache.get(event_id)
    if hit is not None and time.monotonic() - hit[0] < EVENT_CACHE_SECONDS:
        return hit[1]
    row = db.session.execute(select(Event.id, Event.starts_at, Event.ends_at).where(Event.id == event_id)).first()
    if row is None:
        return None
    info = EventInfo(*row)
    _event_cache[event_id] = (time.monotonic(), info)
    return info


def _window(event, session: Session | None) -> tuple[datetime, datetime]:
    cfg = current_app.config
    if session is None:
        return event.starts_at - timedelta(minutes=cfg["CHECKIN_OPENS_MINUTES"]), event.ends_at
    return session.starts_at - timedelta(minutes=cfg["CHECKIN_SESSION_OPENS_MINUTES"]), session.ends_at


# One round trip for the badge and everything the verdict shows about its holder.
_HOLDER_QUERY = (
    select(Badge.id, Badge.event_id, Badge.status, Badge.registration_id, Badge.user_id, Badge.role,
           Registration.status.label("registration_status"), Attendee.badge_name, Attendee.full_name,
           Attendee.university, User.name.label("user_name"), User.email.label("user_email"),
           Organisation.name.label("organisation"))
    .select_from(Badge)
    .outerjoin(Registration, Registration.id == Badge.registration_id)
    .outerjoin(Attendee, Attendee.id == Registration.attendee_id)
    .outerjoin(User, User.id == Badge.user_id)
    .outerjoin(Organisation, Organisation.id == User.organisation_id))


def _holder_row(token: str | None, token_hash: str | None):
    if token is not None:
        token = tokens.normalise(token)
        if not tokens.well_formed(token):
            return None  # a garbled scan never reaches the database
        token_hash = tokens.hash_token(token)
    if not token_hash:
        return None
    return db.session.execute(_HOLDER_QUERY.where(Badge.token_hash == token_hash.lower()[:64])).first()


def _names(row) -> tuple[str, str, str]:
    """(printed name, full name, organisation) of the holder."""
    if row.registration_id:
        return row.badge_name, row.full_name, row.university or ""
    full = row.user_name or row.user_email or ""
    return full.split(" ")[0], full, row.organisation or ""


def _session_titles(registration_id: int) -> list[str]:
    rows = db.session.execute(
        select(Session.title).join(Enrolment, Enrolment.session_id == Session.id)
        .where(Enrolment.registration_id == registration_id, Enrolment.status == EnrolmentStatus.CONFIRMED)
        .order_by(Session.starts_at)).all()
    return [r[0] for r in rows]


def _decide(event, session: Session | None, row, moment: datetime, enrolled: bool | None = None) -> str:
    """The rejection reason, or "" when the holder may enter."""
    if row is None:
        return "invalid"
    if row.event_id != event.id:
        return "another_event"
    if row.status == BadgeStatus.REVOKED:
        return "revoked"
    if row.registration_id:
        if row.registration_status == RegistrationStatus.CANCELLED:
            return "cancelled"
        if row.registration_status == RegistrationStatus.WAITLISTED:
            return "waitlisted"
    opens, closes = _window(event, session)
    if not opens <= moment <= closes:
        return "outside_window"
    if session is not None and row.registration_id:
        if enrolled is None:
            enrolled = db.session.scalar(select(Enrolment.id).where(
                Enrolment.registration_id == row.registration_id, Enrolment.session_id == session.id,
                Enrolment.status == EnrolmentStatus.CONFIRMED)) is not None
        if not enrolled:
            return "not_enrolled"
    return ""


def _client_time(scanned_at: datetime | None, now: datetime) -> datetime:
    """An offline scan is judged at the time it happened, if the device's clock is plausible."""
    if scanned_at is None or scanned_at.tzinfo is None:
        return now
    if now - timedelta(hours=24) <= scanned_at <= now + timedelta(minutes=5):
        return scanned_at
    return now


def _insert(model):
    """INSERT … ON CONFLICT DO NOTHING RETURNING: one round trip, and on PostgreSQL the second of two
    concurrent inserts waits for the first to commit and then inserts nothing."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model.__table__)


def check_in(event, door: str, *, token: str | None = None, token_hash: str | None = None,
             nonce: str | None = None, station: str = "", device=None, user_id: int | None = None,
             offline: bool = False, scanned_at: datetime | None = None,
             local_status: str | None = None) -> Verdict:
    """Decide one scan, record it, commit. ``token`` is what was scanned; staff search sends ``token_hash``.

    ``event`` is an Event or an EventInfo; ``device`` a CheckinDevice or DeviceInfo. The nonce's scope is the
    device, else ``user_id``. Raises CheckinError: unknown door (404), a nonce reused for another scan (409).
    """
    session = parse_door(event.id, door)
    if nonce is not None and not valid_nonce(nonce):
        raise CheckinError("validation_failed", _("A nonce is 16 to 64 letters, digits, \"-\" or \"_\"."), 422)
    scope = nonce_scope(device, user_id)
    station = station[:60]
    now = utcnow()
    moment = _client_time(scanned_at, now) if offline else now
    if db.session.get_bind().dialect.name == "postgresql":
        return _check_in_postgres(event, door, session, token=token, token_hash=token_hash, nonce=nonce,
                                  scope=scope, station=station, device=device, user_id=user_id,
                                  offline=offline, moment=moment, now=now, local_status=local_status)
    row = _holder_row(token, token_hash)
    device_id = device.id if device is not None else None
    attempt = dict(event_id=event.id, scope=scope, door=door, station=station, user_id=user_id,
                   device_id=device_id, badge_id=row.id if row is not None else None, scanned_at=moment,
                   received_at=now, offline=offline)
    # On SQLite this transaction holds the write lock (BEGIN IMMEDIATE): the nonce cannot be taken meanwhile.
    seen = _seen(event.id, scope, nonce) if nonce is not None else None
    if seen is not None:
        return _answer_again(seen, attempt)
    reason = _decide(event, session, row, moment)
    verdict = Verdict("rejected", reason)
    if row is not None and row.event_id == event.id:
        verdict.name, verdict.full_name, verdict.organisation = _names(row)
        verdict.role = row.role.value
    result, conflict = ScanResult.REJECTED, False
    if not reason:
        holder = holder_key(row)
        inserted = db.session.execute(_insert(CheckIn).values(
            event_id=event.id, holder=holder, door=door, badge_id=row.id, station=station,
            checked_in_at=moment, user_id=user_id, device_id=device_id,
        ).on_conflict_do_nothing(index_elements=["event_id", "holder", "door"]).returning(CheckIn.id)).first()
        if inserted is not None:
            result, verdict.status = ScanResult.OK, "ok"
            verdict.checked_in_at, verdict.station, verdict.check_in_id = moment, station, inserted[0]
        else:  # someone admitted this holder at this door first (perhaps this very moment)
            first = db.session.execute(select(CheckIn.id, CheckIn.checked_in_at, CheckIn.station).where(
                CheckIn.event_id == event.id, CheckIn.holder == holder, CheckIn.door == door)).first()
            result, verdict.status = ScanResult.ALREADY, "already"
            verdict.check_in_id, verdict.checked_in_at, verdict.station = first
            conflict = offline and local_status == "ok" and first.station != station
        if row.registration_id:
            verdict.sessions = _session_titles(row.registration_id)
    logged = db.session.execute(_insert(ScanLog).values(
        **attempt, nonce=nonce, result=result, reason=reason, conflict=conflict, undone_at=None,
    ).on_conflict_do_nothing(index_elements=["event_id", "scope", "nonce"]).returning(ScanLog.id)).first()
    if logged is None:  # taken after all (not under SQLite's lock): undo this attempt, answer as for the first
        db.session.rollback()
        return _answer_again(_seen(event.id, scope, nonce), attempt)
    _touch_device(device, now)
    db.session.commit()
    return verdict


def _seen(event_id: int, scope: str, nonce: str) -> ScanLog | None:
    return db.session.scalars(select(ScanLog).where(ScanLog.event_id == event_id, ScanLog.scope == scope,
                                                    ScanLog.nonce == nonce)).one_or_none()


def _same_scan(seen, badge_id: int | None, door: str) -> bool:
    """A retry carries what the first scan carried: the same badge (or the same unreadable code) at the door."""
    return seen.badge_id == badge_id and seen.door == door


def _answer_again(seen: ScanLog, attempt: dict) -> Verdict:
    """A nonce that was logged before: the first answer again for a retry of that scan; else 409, logged."""
    if _same_scan(seen, attempt["badge_id"], attempt["door"]):
        return _replay(seen)
    db.session.execute(_insert(ScanLog).values(**attempt, nonce=None, result=ScanResult.REJECTED,
                                               reason=NONCE_REUSED, conflict=False, undone_at=None))
    db.session.commit()
    raise nonce_reused()


def nonce_reused() -> CheckinError:
    return CheckinError(NONCE_REUSED, _("This nonce was already used for another scan (another badge or door) "
                                        "from this device. Send a new nonce with every scan."), 409)


def _check_in_postgres(event, door: str, session: Session | None, *, token, token_hash, nonce, scope, station,
                       device, user_id, offline, moment, now, local_status) -> Verdict:
    """The same decision in two statements without a transaction around them (see badges/door/fastpath.py)."""
    if token is not None:
        token = tokens.normalise(token)
        token_hash = tokens.hash_token(token) if tokens.well_formed(token) else None
    elif token_hash:
        token_hash = token_hash.lower()[:64]
    device_id = device.id if device is not None else None
    params = {"event_id": event.id, "scope": scope, "nonce": nonce, "door": door, "station": station,
              "device_id": device_id, "user_id": user_id, "moment": moment, "now": now, "offline": offline}
    refused = False
    with fastpath.autocommit_connection() as conn:
        row = (fastpath.holder_row(conn, token_hash, event.id, door, session.id if session else None)
               if token_hash else None)
        reason = _decide(event, session, row, moment, enrolled=row.enrolled if row is not None else None)
        verdict = Verdict("rejected", reason)
        if row is not None and row.event_id == event.id:
            verdict.name, verdict.full_name, verdict.organisation = _names(row)
            verdict.role = row.role
        badge_id = row.id if row is not None else None
        ci_id = None
        if reason:
            log_id = fastpath.log_only(conn, {**params, "badge_id": badge_id,
                                              "result": "rejected", "reason": reason, "conflict": False})
        elif row.ci_id is not None:
            verdict.status, verdict.sessions = "already", fastpath.titles(row)
            verdict.check_in_id, verdict.checked_in_at, verdict.station = row.ci_id, row.ci_at, row.ci_station
            log_id = fastpath.log_only(conn, {
                **params, "badge_id": row.id, "result": "already", "reason": "",
                "conflict": bool(offline and local_status == "ok" and row.ci_station != station)})
        else:
            ci_id, log_id = fastpath.admit(conn, {**params, "holder": holder_key(row), "badge_id": row.id,
                                                  "maybe_conflict": bool(offline and local_status == "ok")})
            verdict.sessions = fastpath.titles(row)
            if ci_id is not None:
                verdict.status, verdict.check_in_id = "ok", ci_id
                verdict.checked_in_at, verdict.station = moment, station
            elif log_id is not None:  # another door admitted them in the same instant
                first = fastpath.first_check_in(conn, event.id, holder_key(row), door)
                verdict.status = "already"
                verdict.check_in_id, verdict.checked_in_at, verdict.station = first
        if log_id is None:  # this nonce was recorded before
            seen = fastpath.seen_scan(conn, event.id, scope, nonce)
            if ci_id is not None:
                # Only when the same nonce came twice at once, with two holders: the other scan holds the
                # nonce, so this admission has no log and must not stand.
                fastpath.forget_check_in(conn, ci_id)
            refused = not _same_scan(seen, badge_id, door)
            if refused:
                fastpath.log_only(conn, {**params, "nonce": None, "badge_id": badge_id, "result": "rejected",
                                         "reason": NONCE_REUSED, "conflict": False})
        elif _device_stale(device, now):
            fastpath.touch_device(conn, device.id, now)
    if refused:
        raise nonce_reused()
    if log_id is None:  # a retry of that scan: answer as then
        return _replay(db.session.get(ScanLog, seen.id))
    return verdict


def _replay(log: ScanLog) -> Verdict:
    verdict = Verdict(log.result.value, log.reason, replayed=True)
    row = db.session.execute(_HOLDER_QUERY.where(Badge.id == log.badge_id)).first() if log.badge_id else None
    if row is not None and row.event_id == log.event_id:
        verdict.name, verdict.full_name, verdict.organisation = _names(row)
        verdict.role = row.role.value
        if log.result != ScanResult.REJECTED:
            first = db.session.execute(select(CheckIn.id, CheckIn.checked_in_at, CheckIn.station).where(
                CheckIn.event_id == log.event_id, CheckIn.holder == holder_key(row),
                CheckIn.door == log.door)).first()
            if first is not None:
                verdict.check_in_id, verdict.checked_in_at, verdict.station = first
    db.session.commit()
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
    if not name or len(name) > 60 or not clean_text(name):  # the name is the station of its scans
        raise CheckinError("validation_failed", _("Give the device a name of at most 60 characters."))
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
    _device_cache.clear()
    return True


@dataclass
class DeviceInfo:
    id: int
    event_id: int
    name: str
    last_seen_at: datetime | None


_device_cache: dict[str, tuple[float, DeviceInfo | None]] = {}
# A revoked token keeps working for at most this long in other worker processes.
DEVICE_CACHE_SECONDS = 5


def device_for_token(secret: str) -> DeviceInfo | None:
    if not secret or len(secret) > 100:
        return None
    key = hashlib.sha256(secret.encode()).hexdigest()
    hit = _device_cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < DEVICE_CACHE_SECONDS:
        return hit[1]
    row = db.session.execute(select(CheckinDevice.id, CheckinDevice.event_id, CheckinDevice.name,
                                    CheckinDevice.last_seen_at, CheckinDevice.revoked_at)
                             .where(CheckinDevice.token_hash == key)).first()
    info = DeviceInfo(row.id, row.event_id, row.name, row.last_seen_at) if row and row.revoked_at is None else None
    if len(_device_cache) > 1000:
        _device_cache.clear()
    _device_cache[key] = (time.monotonic(), info)
    return info


def clear_caches() -> None:
    _device_cache.clear()
    _event_cache.clear()


def _device_stale(device, now: datetime) -> bool:
    """Record when a device was last seen at most once a minute (not a write per scan)."""
    if device is None or (device.last_seen_at and now - device.last_seen_at < timedelta(minutes=1)):
        return False
    device.last_seen_at = now
    return True


def _touch_device(device, now: datetime) -> None:
    if _device_stale(device, now):
        db.session.execute(db.update(CheckinDevice).where(CheckinDevice.id == device.id).values(last_seen_at=now))


def devices(event: Event) -> list[CheckinDevice]:
    return list(db.session.scalars(select(CheckinDevice).where(CheckinDevice.event_id == event.id)
                                   .order_by(CheckinDevice.revoked_at.is_not(None), CheckinDevice.name)))


def search_holders(event: Event, query: str, limit: int = 12) -> list[dict]:
    """Staff fallback when a badge will not scan: active badges whose name or e-mail matches."""
    query = (query or "").strip()[:100]
    if len(query) < 2 or not clean_text(query):
        return []
    # "%" and "_" are text here, not wildcards
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    rows = db.session.execute(
        select(Badge, Attendee).join(Registration, Registration.id == Badge.registration_id)
        .join(Attendee, Attendee.id == Registration.attendee_id)
        .where(Badge.event_id == event.id, Badge.status == BadgeStatus.ACTIVE,
               db.or_(*(db.func.lower(column).like(pattern, escape="\\")
                        for column in (Attendee.full_name, Attendee.email, Attendee.badge_name))))
        .order_by(Attendee.full_name).limit(limit)).all()
    return [{"h": badge.token_hash, "name": a.full_name, "email": a.email, "role": badge.role.value}
            for badge, a in rows]
