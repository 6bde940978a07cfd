"""Secret "My registration" links, stored hashed.

A registration's link token is HMAC-SHA256 of the row's random ``link_nonce`` with REGISTRATION_LINK_SECRET
(default: SECRET_KEY): 32 URL-safe characters (192 bits), shaped like the clear tokens of before. The row keeps
the nonce and SHA-256 of the token (``token_hash``, which lookups use), so a copy of the database opens nobody's
registration without the key, while the server can build the link again whenever it renders a page or a mail
(mails are rendered when they are sent). A new nonce is a new link: registering again after a cancellation, or
erasing the person, makes every earlier link stop working. Changing the key does too (lookups check the token
against the nonce with the current key), and the next link built for a row is stored anew (``token_for``) —
unless the old key stays listed in REGISTRATION_LINK_SECRET_FALLBACKS (rotation, app/keys.py): then links it
made keep working, and are built again as they were, until it is removed.

Rows from before links were hashed keep SHA-256 of their clear token in ``legacy_token_hash``, so their old links
keep working. Such a row gets its nonce the first time its link is built. That nonce is derived from the old
hash with the key, so building the link again before that write is committed (a page rendered and not
committed, a mail sender that stopped) gives the same link, and two builders write the same values.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, column, inspect, table, update
from sqlalchemy.orm.attributes import set_committed_value

from app import keys
from app.extensions import db

if TYPE_CHECKING:  # the model builds its link through this module
    from events.registration.models import Registration


def hash_token(token: str) -> str:
    """What the database keeps of a link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _mac(purpose: bytes, value: str, key: bytes | None = None) -> bytes:
    key = key or keys.current("REGISTRATION_LINK_SECRET")
    return hmac.new(key, purpose + value.encode(), hashlib.sha256).digest()


def _token(nonce: str, key: bytes | None = None) -> str:
    return base64.urlsafe_b64encode(_mac(b"registration-link:", nonce, key)[:24]).decode()


def _tokens(nonce: str) -> list[str]:
    """The nonce's token under the current key and under each older key still accepted (app/keys.py)."""
    return [_token(nonce, key) for key in keys.keys("REGISTRATION_LINK_SECRET")]


def _legacy_nonce(legacy_token_hash: str) -> str:
    return base64.urlsafe_b64encode(_mac(b"registration-link-legacy:", legacy_token_hash)[:24]).decode()


def new_link() -> dict:
    """The columns of a new link (for an INSERT or UPDATE): a random nonce, the hash of its token, and no
    legacy link. Pure Python, so the registration path computes it before its INSERT."""
    nonce = secrets.token_urlsafe(24)
    return {"link_nonce": nonce, "token_hash": hash_token(_token(nonce)), "legacy_token_hash": None}


def matches(registration: Registration, token: str) -> bool:
    """Whether ``token`` is the registration's current link under the current key or an older one still listed
    in REGISTRATION_LINK_SECRET_FALLBACKS (found by ``token_hash``)."""
    return registration.link_nonce is not None and any(
        hmac.compare_digest(candidate, token) for candidate in _tokens(registration.link_nonce))


# The link's columns of the registration table (named here, not through the model, which builds its link here).
_registration = table("registration", column("id"), column("link_nonce"), column("token_hash"),
                      column("updated_at"))
_r = _registration.c
# Only if the nonce is still the one the link was built from: a row erased or registered again meanwhile keeps
# its new link. updated_at stays: a link being built is not a change of the registration.
_STORE = (update(_registration)
          .where(_r.id == bindparam("row"), _r.link_nonce.is_not_distinct_from(bindparam("seen")))
          .values(link_nonce=bindparam("nonce"), token_hash=bindparam("digest"), updated_at=_r.updated_at))


def token_for(registration: Registration) -> str:
    """The registration's link token (``Registration.token``). A row whose link is not stored yet (a row from
    before links were hashed, or a changed key) gets it stored now, in the current transaction: whoever builds
    the link commits it (the mail sender does after each mail; ``registration_by_token`` after a lookup)."""
    return _build(registration)[0]


def store(registration: Registration) -> bool:
    """Store the registration's link if it is not stored yet; True when it wrote (the caller commits)."""
    return _build(registration)[1]


def _build(registration: Registration) -> tuple[str, bool]:
    for _ in range(3):
        seen = registration.link_nonce
        nonce = seen
        if nonce is None:
            nonce = (_legacy_nonce(registration.legacy_token_hash) if registration.legacy_token_hash
                     else secrets.token_urlsafe(24))  # a row made without a link (tests, scripts)
        if nonce == seen:  # the stored link, made with the current key or an older one still accepted
            for token in _tokens(nonce):
                if hash_token(token) == registration.token_hash:
                    return token, False
        token = _token(nonce)
        digest = hash_token(token)
        if not inspect(registration).persistent:  # not written yet: its INSERT takes the values
            registration.link_nonce, registration.token_hash = nonce, digest
            return token, False
        written = db.session.execute(_STORE, {"row": registration.id, "seen": seen, "nonce": nonce,
                                              "digest": digest}).rowcount
        if written:
            set_committed_value(registration, "link_nonce", nonce)
            set_committed_value(registration, "token_hash", digest)
            return token, True
        # The row changed since it was loaded: build from the row as it is now.
        db.session.refresh(registration, ["link_nonce", "token_hash", "legacy_token_hash"])
    raise RuntimeError(f"registration {registration.id}: its link keeps changing")
