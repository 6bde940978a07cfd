"""Badge tokens: short, unguessable, typed fast by a keyboard-wedge scanner, checked before any lookup.

A token is 21 base32 characters (104 bits) derived with HMAC-SHA256 from BADGE_SECRET (default: SECRET_KEY)
and the badge's identity and version, plus one check character (Luhn mod 32), e.g. ``K7Q2MX4TZP6RB3WNAE5HD2C``.
Uppercase base32 fits QR alphanumeric mode, so the code stays small at error correction Q. The database keeps
only SHA-256 of the token: without the secret, nobody can print a working badge from a leaked database, while
the server can print the same badge again at any time. Re-issuing bumps the version, so the old token stops
working (it is still recognised, and reported as "revoked").

Rotating the key (app/keys.py): badges issued from then on use the new BADGE_SECRET; a badge made with an older
key keeps its token, and is printed again with it, while that key is listed in BADGE_SECRET_FALLBACKS (or
SECRET_KEY_FALLBACKS when BADGE_SECRET is not set), so badges need not all be reprinted at once. Once the old key
is removed, its badges are refused at the door ("invalid"), and printing one gives it a token under the new key.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from sqlalchemy import select

from app import keys
from app.extensions import db, utcnow
from badges.models import Badge, BadgeRole, BadgeStatus

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
BODY_LENGTH = 21
TOKEN_LENGTH = BODY_LENGTH + 1


def check_character(body: str) -> str:
    """Luhn mod 32: catches every single wrong character and most swaps of neighbours."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * _VALUE[char]
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def normalise(scanned: str) -> str:
    """What a scanner or a person typed, as a token: trimmed, uppercase, without spaces and dashes."""
    return "".join(ch for ch in (scanned or "").strip().upper() if ch not in " -\t\r\n")[:64]


def well_formed(token: str) -> bool:
    return (len(token) == TOKEN_LENGTH and all(c in _VALUE for c in token)
            and check_character(token[:-1]) == token[-1])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _body(badge, secret: bytes) -> str:
    """The token of ``badge`` (a Badge, or a row with its identity columns and version) under ``secret``, without
    its check character."""
    holder = f"r{badge.registration_id}" if badge.registration_id else f"u{badge.user_id}"
    message = f"badge:{badge.event_id}:{holder}:{badge.role.value}:{badge.version}".encode()
    digest = hmac.digest(secret, message, "sha256")
    return base64.b32encode(digest[:13]).decode()[:BODY_LENGTH]  # 13 bytes = 104 bits


def _token(badge, secret: bytes) -> str:
    body = _body(badge, secret)
    return body + check_character(body)


def signed(badge, token: str) -> bool:
    """Whether ``token`` is the badge's token under the current key or an older one still accepted. The check
    character follows from the body, and the door has checked it (``well_formed``): the bodies are compared."""
    body = token[:BODY_LENGTH].encode()
    return len(token) == TOKEN_LENGTH and any(hmac.compare_digest(_body(badge, secret).encode(), body)
                                              for secret in keys.keys("BADGE_SECRET"))


def printable_token(badge: Badge) -> tuple[str, bool]:
    """(token, rekeyed): the token whose hash the badge stores, made with the current key or an older one still
    accepted. A badge whose key was removed gets the current key's token (its hash is set, and flushed: the
    caller commits when ``rekeyed``); a new badge (no hash yet) gets the current key's."""
    listed = keys.keys("BADGE_SECRET")
    for secret in listed:
        token = _token(badge, secret)
        if hash_token(token) == badge.token_hash:
            return token, False
    token = _token(badge, listed[0])
    if not badge.token_hash or badge.id is None:
        return token, False
    badge.token_hash = hash_token(token)
    db.session.flush()
    return token, True


def token_for(badge: Badge) -> str:
    """The badge's token (see printable_token; a re-keyed badge is flushed, the caller commits)."""
    return printable_token(badge)[0]


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
    badge = db.session.scalars(select(Badge).where(Badge.token_hash == hash_token(token))).first()
    return badge if badge is not None and signed(badge, token) else None


def scanned_holder(_app, *, token: str) -> dict:
    """What a scanned code names, for a scanner other than the door's (answers events.leads.signals.badge_holder):
    a reason it names nobody, or the badge's event and registration (None for a staff or employer badge)."""
    token = normalise(token)
    if not token:
        return {"reason": "empty"}
    if not well_formed(token):
        return {"reason": "malformed"}
    badge = find_badge(token)
    if badge is None:
        return {"reason": "unknown"}
    return {"reason": None if badge.status == BadgeStatus.ACTIVE else "revoked", "event_id": badge.event_id,
            "registration_id": badge.registration_id}
