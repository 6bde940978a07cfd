"""Check-in at the door: the door page, the scanner API and uploaded offline scans all come through ``check_in``.

It loads what the decision needs, lets ``decision.decide`` judge, and writes the outcome through
``badges/door/store.py`` in one transaction. The answer is ok / already / rejected (with a reason from
``REJECT_REASONS``); every scan is logged; a scan is idempotent per client nonce: a retried or re-uploaded scan
returns the first answer and counts once. A nonce names one scan of one device (its *scope*: a scanner device, or
the signed-in user of a door page), so two devices may pick the same nonce; the same nonce from the same device
with another badge or at another door is refused (409 ``nonce_reused``, logged), never answered with the first
scan's person. A door is the event's entrance (``"main"``) or one session's room (``"session-<id>"``); a station
is the name people see ("Door 2", a device's name).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError

from app.extensions import db, utcnow
from badges import tokens
from badges.door import decision, devices, store
from badges.door.decision import MAIN
from badges.door.inputs import CheckinError, door_session_id, nonce_scope, unknown_door, valid_nonce
from badges.models import NONCE_REUSED, BadgeStatus, CheckIn, ScanLog, ScanResult
from events.programme.models import Event, Session

__all__ = ["MAIN", "Verdict", "check_in", "holder_key", "parse_door", "undo_check_in"]


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


@dataclass(frozen=True)
class Scan:
    """One scan as it reached us: who sent it, when, and what the device decided offline (if it did)."""
    nonce: str | None
    scope: str
    station: str
    device: object | None
    user_id: int | None
    offline: bool
    moment: datetime                 # when it is judged: now, or when an offline scan happened
    now: datetime
    local_status: str | None


def parse_door(event_id: int, door: str) -> Session | None:
    """None for the main entrance, else the session; CheckinError for anything else (exact spelling only)."""
    session_id = door_session_id(door)
    if session_id is None:
        return None
    session = db.session.get(Session, session_id)
    if session is None or session.event_id != event_id:
        raise unknown_door()
    return session


def holder_key(badge) -> str:
    return f"r{badge.registration_id}" if badge.registration_id else f"u{badge.user_id}"


def door_of(event_id: int, door: str) -> tuple[decision.Door, devices.EventInfo]:
    """The door with its window (and the event's cached times and sessions); CheckinError for an unknown door."""
    session_id = door_session_id(door)
    info = devices.event_info(event_id)
    if info is not None and session_id is not None and session_id not in info.sessions:
        info = devices.event_info(event_id, fresh=True)  # a session added since the event was cached
    if info is None or (session_id is not None and session_id not in info.sessions):
        raise unknown_door()
    cfg = current_app.config
    if session_id is None:
        opens, closes = info.starts_at - timedelta(minutes=cfg["CHECKIN_OPENS_MINUTES"]), info.ends_at
    else:
        session = info.sessions[session_id]
        opens = session.starts_at - timedelta(minutes=cfg["CHECKIN_SESSION_OPENS_MINUTES"])
        closes = session.ends_at
    return decision.Door(event_id, door, session_id, opens, closes), info


def _client_time(scanned_at: datetime | None, now: datetime) -> datetime:
    """An offline scan is judged at the time it happened, if the device's clock is plausible."""
    if scanned_at is None or scanned_at.tzinfo is None:
        return now
    if now - timedelta(hours=24) <= scanned_at <= now + timedelta(minutes=5):
        return scanned_at
    return now


def _token_hash(token: str | None, token_hash: str | None) -> str | None:
    if token is not None:
        token = tokens.normalise(token)
        return tokens.hash_token(token) if tokens.well_formed(token) else None  # garbled: no database look-up
    return token_hash.lower()[:64] if token_hash else None


def _holder(row) -> decision.Holder | None:
    if row is None:
        return None
    status = row.registration_status.value if row.registration_status is not None else None
    return decision.Holder(row.id, row.event_id, decision.holder_state(row.status == BadgeStatus.REVOKED, status),
                           store.seats(row.seats) if row.registration_id else None)


def _names(row) -> tuple[str, str, str]:
    """(printed name, full name, organisation) of the holder."""
    if row.registration_id:
        return row.badge_name, row.full_name, row.university or ""
    full = row.user_name or row.user_email or ""
    return full.split(" ")[0], full, row.organisation or ""


def _shown(verdict: Verdict, row, event_id: int, info: devices.EventInfo | None) -> Verdict:
    """The holder's names, role (and seats' titles) on the verdict, for a badge of this event."""
    if row is not None and row.event_id == event_id:
        verdict.name, verdict.full_name, verdict.organisation = _names(row)
        verdict.role = row.role.value
        if info is not None and row.registration_id and verdict.status != "rejected":
            titled = sorted((info.sessions[s].starts_at, s, info.sessions[s].title)
                            for s in store.seats(row.seats) if s in info.sessions)
            verdict.sessions = [title for _at, _id, title in titled]
    return verdict


def check_in(event, door: str, *, token: str | None = None, token_hash: str | None = None,
             nonce: str | None = None, station: str = "", device=None, user_id: int | None = None,
             offline: bool = False, scanned_at: datetime | None = None,
             local_status: str | None = None) -> Verdict:
    """Decide one scan, record it, commit. ``token`` is what was scanned; staff search sends ``token_hash``.

    ``event`` is anything with an ``id``; ``device`` a CheckinDevice or DeviceInfo. The nonce's scope is the
    device, else ``user_id``. Raises CheckinError: unknown door (404), a nonce reused for another scan (409).
    """
    the_door, info = door_of(event.id, door)
    if nonce is not None and not valid_nonce(nonce):
        raise CheckinError("validation_failed", _("A nonce is 16 to 64 letters, digits, \"-\" or \"_\"."), 422)
    now = utcnow()
    scan = Scan(nonce, nonce_scope(device, user_id), station[:60], device, user_id, offline,
                _client_time(scanned_at, now) if offline else now, now, local_status)
    hashed = _token_hash(token, token_hash)
    scanned = tokens.normalise(token) if token is not None else None
    try:
        return _recorded(scan, event.id, door, hashed, the_door, info, scanned)
    except DBAPIError as err:
        if not err.connection_invalidated:
            raise
        # The pooled connection had died (app/pool.py pings only connections that rested): SQLAlchemy has
        # invalidated the pool, and the scan runs once more on a fresh connection (its nonce makes that safe).
        if db.session.registry.has():
            db.session.rollback()  # a door page's session whose transaction the dead connection held
        return _recorded(scan, event.id, door, hashed, the_door, info, scanned)


def _recorded(scan: Scan, event_id: int, door: str, hashed: str | None, the_door: decision.Door, info,
              scanned: str | None = None) -> Verdict:
    """Read what the decision needs, decide, write, commit: one transaction. A scanned token must also be signed
    by a key still accepted (badges/tokens.py: a retired key's badges are "invalid")."""
    with store.scan_transaction() as (connection, commit):
        row = store.holder(connection, hashed, event_id, door, scan.scope, scan.nonce) if hashed else None
        if row is not None and scanned is not None and not tokens.signed(row, scanned):
            row = None
        used = None
        if scan.nonce is not None and (row is None or row.nonce_log_id is not None):
            used = store.nonce_use(connection, event_id, scan.scope, scan.nonce)
        try:
            verdict = _decided(connection, scan, row, the_door, used, info)
        except CheckinError:
            commit()  # the refused attempt stays logged
            raise
        commit()
    return verdict


def _decided(connection, scan: Scan, row, door: decision.Door, used, info) -> Verdict:
    """Judge the scan, write what it decides and say it as a verdict (in the scan's transaction: see
    badges/door/store.py)."""
    holder = _holder(row)
    nonce_use = decision.NonceUse(used.badge_id, used.door) if used is not None else None
    decided = decision.decide(holder, door, scan.moment, admitted=row is not None and row.admitted_id is not None,
                              nonce_use=nonce_use)
    if decided.status == decision.REPLAY:
        return _replay(connection, used.id)
    if decided.status == decision.REFUSED:
        _log(connection, scan, door, holder, ScanResult.REJECTED, NONCE_REUSED, keep_nonce=False)
        raise nonce_reused()
    verdict = _shown(Verdict(decided.status, decided.reason), row, door.event_id, info)
    if decided.status == decision.OK:
        verdict.check_in_id, log_id = store.admit_and_log(
            connection, event_id=door.event_id, holder=row.holder, door=door.name, badge_id=row.id,
            station=scan.station, checked_in_at=scan.moment, user_id=scan.user_id, device_id=_device_id(scan),
            scope=scan.scope, nonce=scan.nonce, received_at=scan.now, offline=scan.offline,
            maybe_conflict=scan.offline and scan.local_status == "ok")
        if verdict.check_in_id is not None:
            verdict.checked_in_at, verdict.station = scan.moment, scan.station
        else:  # another door admitted them in the same instant
            verdict.status = "already"
    else:
        _already_by(connection, verdict, door, row)
        conflict = verdict.status == "already" and scan.offline and scan.local_status == "ok" \
            and verdict.station != scan.station
        log_id = _log(connection, scan, door, holder, ScanResult(verdict.status), verdict.reason, conflict=conflict)
    if log_id is None:
        # The same nonce came twice at once (never under SQLite's lock): the other scan holds it, so this
        # admission has no log and must not stand; answer as for the first.
        if verdict.check_in_id is not None and verdict.status == "ok":
            store.forget_check_in(connection, verdict.check_in_id)
        if scan.nonce is None:  # pragma: no cover - a scan without a nonce never conflicts
            raise RuntimeError("a scan log without a nonce was refused")
        return _decided(connection, scan, row, door, store.nonce_use(connection, door.event_id, scan.scope,
                                                                     scan.nonce), info)
    if verdict.status == "already" and verdict.checked_in_at is None:
        _already_by(connection, verdict, door, row)
    if devices.device_stale(scan.device, scan.now):
        store.touch_device(connection, scan.device.id, scan.now)
    return verdict


def _already_by(connection, verdict: Verdict, door: decision.Door, row) -> None:
    """On an "already" verdict, when, where and by which check-in the holder was admitted first."""
    first = store.first_check_in(connection, door.event_id, row.holder, door.name) \
        if verdict.status == "already" else None
    if first is not None:
        verdict.check_in_id, verdict.checked_in_at, verdict.station = first


def _device_id(scan: Scan) -> int | None:
    return scan.device.id if scan.device is not None else None


def _log(connection, scan: Scan, door: decision.Door, holder, result: ScanResult, reason: str, *, conflict: bool = False,
         keep_nonce: bool = True) -> int | None:
    """Log the scan; ``keep_nonce`` False for a refused reuse (the nonce is the first scan's)."""
    return store.log_scan(
        connection, event_id=door.event_id, scope=scan.scope, nonce=scan.nonce if keep_nonce else None, door=door.name,
        station=scan.station, user_id=scan.user_id, device_id=_device_id(scan),
        badge_id=holder.badge_id if holder is not None else None, scanned_at=scan.moment, received_at=scan.now,
        offline=scan.offline, result=result, reason=reason, conflict=conflict)


def nonce_reused() -> CheckinError:
    return CheckinError(NONCE_REUSED, _("This nonce was already used for another scan (another badge or door) "
                                        "from this device. Send a new nonce with every scan."), 409)


def _replay(connection, log_id: int) -> Verdict:
    """The first answer to this nonce again."""
    log = store.scan(connection, log_id)
    verdict = Verdict(log.result.value, log.reason, replayed=True)
    row = store.holder_of_badge(connection, log.badge_id, log.event_id, log.door) if log.badge_id else None
    if row is not None and row.event_id == log.event_id:
        verdict.name, verdict.full_name, verdict.organisation = _names(row)
        verdict.role = row.role.value
        if log.result != ScanResult.REJECTED:
            first = store.first_check_in(connection, log.event_id, row.holder, log.door)
            if first is not None:
                verdict.check_in_id, verdict.checked_in_at, verdict.station = first
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
