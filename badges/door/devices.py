"""Scanner devices (per-device bearer tokens) and what every scan needs of its event, cached on the app.

A busy door sends hundreds of scans a minute, each naming its device and event: both are kept in
``app.extensions["door"]`` for a few seconds instead of being read per scan. These caches are per process, on
every node, and agree with the database within their lifetime (README, "More than one machine"): a revoked token
keeps working for at most DEVICE_CACHE_SECONDS in other processes and on other nodes (in the revoking process it
stops at once), and changed event times or session times reach every node within EVENT_CACHE_SECONDS (a session
added since is read at once: see checkin.py).
"""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db, utcnow
from app.text import sql_matches
from badges.door.inputs import CheckinError, clean_text
from badges.models import Badge, BadgeStatus, CheckinDevice
from events.programme.models import Event, Session
from events.registration.models import Attendee, Registration

EVENT_CACHE_SECONDS = 10
DEVICE_CACHE_SECONDS = 5


@dataclass(frozen=True)
class SessionInfo:
    title: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class EventInfo:
    """What a scan needs of its event: its times and its sessions' (for session doors and the verdict)."""
    id: int
    starts_at: datetime
    ends_at: datetime
    sessions: dict[int, SessionInfo] = field(default_factory=dict)


@dataclass
class DeviceInfo:
    id: int
    event_id: int
    name: str
    last_seen_at: datetime | None


@dataclass
class DoorCaches:
    """Per app: device token hash -> (when, DeviceInfo or None); event id -> (when, EventInfo)."""
    devices: dict[str, tuple[float, DeviceInfo | None]] = field(default_factory=dict)
    events: dict[int, tuple[float, EventInfo]] = field(default_factory=dict)

    def clear(self) -> None:
        self.devices.clear()
        self.events.clear()


def init_app(app) -> None:
    app.extensions["door"] = DoorCaches()


def caches() -> DoorCaches:
    return current_app.extensions["door"]


def event_info(event_id: int, *, fresh: bool = False) -> EventInfo | None:
    """The event's times and sessions, at most EVENT_CACHE_SECONDS old (``fresh``: read now)."""
    cache = caches().events
    hit = cache.get(event_id)
    if not fresh and hit is not None and time.monotonic() - hit[0] < EVENT_CACHE_SECONDS:
        return hit[1]
    row = db.session.execute(select(Event.id, Event.starts_at, Event.ends_at).where(Event.id == event_id)).first()
    if row is None:
        return None
    sessions = {s.id: SessionInfo(s.title, s.starts_at, s.ends_at) for s in db.session.execute(
        select(Session.id, Session.title, Session.starts_at, Session.ends_at).where(Session.event_id == event_id))}
    info = EventInfo(*row, sessions=sessions)
    cache[event_id] = (time.monotonic(), info)
    return info


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
    caches().devices.clear()
    return True


def device_for_token(secret: str) -> DeviceInfo | None:
    if not secret or len(secret) > 100:
        return None
    key = hashlib.sha256(secret.encode()).hexdigest()
    cache = caches().devices
    hit = cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < DEVICE_CACHE_SECONDS:
        return hit[1]
    row = db.session.execute(select(CheckinDevice.id, CheckinDevice.event_id, CheckinDevice.name,
                                    CheckinDevice.last_seen_at, CheckinDevice.revoked_at)
                             .where(CheckinDevice.token_hash == key)).first()
    info = DeviceInfo(row.id, row.event_id, row.name, row.last_seen_at) if row and row.revoked_at is None else None
    if len(cache) > 1000:
        cache.clear()
    cache[key] = (time.monotonic(), info)
    return info


def device_stale(device, now: datetime) -> bool:
    """Record when a device was last seen at most once a minute (not a write per scan)."""
    if device is None or (device.last_seen_at and now - device.last_seen_at < timedelta(minutes=1)):
        return False
    device.last_seen_at = now
    return True


def devices(event: Event) -> list[CheckinDevice]:
    return list(db.session.scalars(select(CheckinDevice).where(CheckinDevice.event_id == event.id)
                                   .order_by(CheckinDevice.revoked_at.is_not(None), CheckinDevice.name)))


def search_holders(event: Event, query: str, limit: int = 12) -> list[dict]:
    """Staff fallback when a badge will not scan: active badges whose name or e-mail matches, whatever the case,
    the accents or the script ("muller" finds "Müller", "zhang" finds "张伟"; app/text.py)."""
    query = (query or "").strip()[:100]
    if len(query) < 2 or not clean_text(query):
        return []
    rows = db.session.execute(
        select(Badge, Attendee).join(Registration, Registration.id == Badge.registration_id)
        .join(Attendee, Attendee.id == Registration.attendee_id)
        .where(Badge.event_id == event.id, Badge.status == BadgeStatus.ACTIVE,
               sql_matches(Attendee.search_key, query))
        .order_by(Attendee.full_name).limit(limit)).all()
    return [{"h": badge.token_hash, "name": a.full_name, "email": a.email, "role": badge.role.value}
            for badge, a in rows]
