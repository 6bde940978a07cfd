"""Badge tokens: short, unguessable, typed fast by a keyboard-wedge scanner, checked before any lookup.

A token is 21 base32 characters (104 bits) derived with HMAC-SHA256 from BADGE_SECRET (default: SECRET_KEY)
and the badge's identity and version, plus one check character (Luhn mod 32), e.g. ``K7Q2MX4TZP6RB3WNAE5HD2C``.
Uppercase base32 fits QR alphanumeric mode, so the code stays small at error correction Q. The database keeps
only SHA-256 of the token: without the secret, nobody can print a working badge from a leaked database, while
the server can print the same badge again at any time. Re-issuing bumps the version, so the old token stops
working (it is still recognised, and reported as "revoked"). Rotating the secret invalidates every badge.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app
from sqlalchemy import select

from app.extensions import db, utcnow
from badges.models import Badge, BadgeRole, BadgeStatus

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
BODY_LENGTH = 21
TOKEN_LENGTH = BODY_LENGTH + 1


def check_character(body: str) -> str:
    """Luhn mod 32: catches every single wrong character and most swaps of neighbours."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def normalise(scanned: str) -> str:
    """What a scanner or a person typed, as a token: trimmed, uppercase, without spaces and dashes."""
    return "".join(ch for ch in (scanned or "").strip().upper() if ch not in " -\t\r\n")[:64]


def well_formed(token: str) -> bool:
    return (len(token) == TOKEN_LENGTH and all(c in ALPHABET for c in token)
            and check_character(token[:-1]) == token[-1])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _secret() -> bytes:
    return (current_app.config.get("BADGE_SECRET") or current_app.config["SECRET_KEY"]).encode()


def token_for(badge: Badge) -> str:
    holder = f"r{badge.registration_id}" if badge.registration_id else f"u{badge.user_id}"
    message = f"badge:{badge.event_id}:{holder}:{badge.role.value}:{badge.version}".encode()
    digest = hmac.new(_secret(), message, hashlib.sha256).digest()
    body = base64.b32encode(digest[:13]).decode()[:BODY_LENGTH]  # 13 bytes = 104 bits
    return body + check_character(body)


def _active(event_id: int, *, registration_id: int | None, user_id: int | None) -> Badge | None:
    query = select(Badge).where(Badge.event_id == event_id, Badge.status == BadgeStatus.ACTIVE)
    query = (query.where(Badge.registration_id == registration_id) if registration_id
             else query.where(Badge.user_id == user_id, Badge.registration_id.is_(None)))
    return db.session.scalars(query.order_by(Badge.version.desc())).first()


def _latest_version(event_id: int, *, registration_id: int | None, user_id: int | None) -> int:
    query = select(db.func.max(Badge.version)).where(Badge.event_id == event_id)
    query = (query.where(Badge.registration_id == registration_id) if registration_id
             else query.where(Badge.user_id == user_id, Badge.registration_id.is_(None)))
    return db.session.scalar(query) or 0


def ensure_badge(event_id: int, *, registration_id: int | None = None, user_id: int | None = None,
                 role: BadgeRole = BadgeRole.ATTENDEE, commit: bool = True) -> Badge:
    """The holder's active badge for the event, issued on first use."""
    if (registration_id is None) == (user_id is None):
        raise ValueError("a badge belongs to a registration or to a user")
    badge = _active(event_id, registration_id=registration_id, user_id=user_id)
    if badge is None:
        version = _latest_version(event_id, registration_id=registration_id, user_id=user_id) + 1
        badge = Badge(event_id=event_id, registration_id=registration_id, user_id=user_id, role=role,
                      version=version, token_hash="")
        badge.token_hash = hash_token(token_for(badge))
        db.session.add(badge)
        if commit:
            db.session.commit()
    return badge


def holder_badge_token(_app, *, event, registration_id: int | None = None, user_id: int | None = None) -> str:
    """The token printed as a QR code on a personal agenda (answers events.agendas.signals.holder_badge): the
    holder's active badge, issued on first use and flushed; the caller commits."""
    role = BadgeRole.ATTENDEE if registration_id else BadgeRole.EMPLOYER
    badge = ensure_badge(event.id, registration_id=registration_id, user_id=user_id, role=role, commit=False)
    db.session.flush()
    return token_for(badge)


def reissue(badge: Badge, *, role: BadgeRole | None = None) -> Badge:
    """Revoke this badge and issue the next version (lost badge, changed name)."""
    badge.status = BadgeStatus.REVOKED
    badge.revoked_at = utcnow()
    db.session.flush()
    fresh = Badge(event_id=badge.event_id, registration_id=badge.registration_id, user_id=badge.user_id,
                  role=role or badge.role, version=badge.version + 1, token_hash="")
    fresh.token_hash = hash_token(token_for(fresh))
    db.session.add(fresh)
    db.session.commit()
    return fresh


def find_badge(token: str) -> Badge | None:
    """The badge row behind a token (active or revoked), or None. Malformed tokens never reach the database."""
    token = normalise(token)
    if not well_formed(token):
        return None
    return db.session.scalars(select(Badge).where(Badge.token_hash == hash_token(token))).first()
