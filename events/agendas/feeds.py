"""Secret, revocable links to personal calendar feeds.

A feed token names its holder and carries an HMAC of the holder and the link's version:
``r40-K7Q2MX4TZP6RB3WNAE5HD2CQ`` (registration 40) or ``u5e2-…`` (user 5 at event 2). It is separate from the
registration's self-service token on purpose: a calendar app that leaks its subscription URL must not hand out
the key to "My registration". Renewing bumps the version, so the old link answers 404 from then on.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from sqlalchemy import select

from app import keys
from app.accounts.models import User
from app.extensions import db, utcnow
from events.agendas.models import AgendaFeed
from events.programme.models import Event
from events.registration.models import Registration

_TOKEN = re.compile(r"^(?:r(?P<rid>\d{1,12})|u(?P<uid>\d{1,12})e(?P<eid>\d{1,12}))-(?P<mac>[A-Z2-7]{26})$")


@dataclass(frozen=True)
class FeedHolder:
    registration: Registration | None = None
    user: User | None = None
    event: Event | None = None


def _holder_key(*, registration_id: int | None = None, user_id: int | None = None,
                event_id: int | None = None) -> str:
    return f"r{registration_id}" if registration_id else f"u{user_id}e{event_id}"


def _row(*, registration_id: int | None = None, user_id: int | None = None,
         event_id: int | None = None) -> AgendaFeed | None:
    query = select(AgendaFeed)
    query = (query.where(AgendaFeed.registration_id == registration_id) if registration_id
             else query.where(AgendaFeed.user_id == user_id, AgendaFeed.event_id == event_id))
    return db.session.scalars(query).first()


def _mac(key: str, version: int, secret: bytes | None = None) -> str:
    """The link's MAC under ``secret`` (default: the current FEED_SECRET)."""
    digest = hmac.new(secret or keys.current("FEED_SECRET"), f"agenda-feed:{key}:{version}".encode(),
                      hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()[:26]  # 130 bits


def feed_token(*, registration_id: int | None = None, user_id: int | None = None,
               event_id: int | None = None) -> str:
    ids = dict(registration_id=registration_id, user_id=user_id, event_id=event_id)
    row = _row(**ids)
    key = _holder_key(**ids)
    return f"{key}-{_mac(key, row.version if row else 1)}"


def renew(*, registration_id: int | None = None, user_id: int | None = None, event_id: int | None = None) -> str:
    """Revoke the current link and return the new one's token."""
    ids = dict(registration_id=registration_id, user_id=user_id, event_id=event_id)
    row = _row(**ids)
    if row is None:
        row = AgendaFeed(version=1, **ids)
        db.session.add(row)
    row.version += 1
    row.renewed_at = utcnow()
    db.session.commit()
    return feed_token(**ids)


def resolve(token: str) -> FeedHolder | None:
    """The holder of a valid, current feed token; None for anything else (malformed, forged, revoked)."""
    match = _TOKEN.match(token or "")
    if match is None:
        return None
    if match["rid"]:
        ids = dict(registration_id=int(match["rid"]))
    else:
        ids = dict(user_id=int(match["uid"]), event_id=int(match["eid"]))
    row = _row(**ids)
    holder_key, version = _holder_key(**ids), row.version if row else 1
    # Made with the current key, or with an older one still listed in the fallbacks (rotation: app/keys.py).
    if not any(hmac.compare_digest(_mac(holder_key, version, secret), match["mac"])
               for secret in keys.keys("FEED_SECRET")):
        return None
    if "registration_id" in ids:
        registration = db.session.get(Registration, ids["registration_id"])
        return FeedHolder(registration=registration, event=registration.event) if registration else None
    user = db.session.get(User, ids["user_id"])
    event = db.session.get(Event, ids["event_id"])
    if user is None or event is None or not user.is_employer or not user.active:
        return None
    return FeedHolder(user=user, event=event)
