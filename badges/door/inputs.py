"""What a scan may carry: nonces, door names, text that can be stored; and the door's error with its status."""
from __future__ import annotations

import re

from flask_babel import gettext as _

from badges.door.decision import MAIN

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


class CheckinError(ValueError):
    def __init__(self, reason: str, message: str, status: int = 400, fields: dict | None = None):
        super().__init__(message)
        self.reason, self.message, self.status, self.fields = reason, message, status, fields


def invalid_fields(fields: dict) -> CheckinError:
    return CheckinError("validation_failed", _("Some fields are not valid."), 422, fields)


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


def unknown_door() -> CheckinError:
    return CheckinError("unknown_door", _("Unknown door: use \"main\" or \"session-<id>\" of this event."), 404)


def door_session_id(door) -> int | None:
    """None for the main entrance, else the session id the door names; CheckinError for any other spelling."""
    if door == MAIN:
        return None
    match = _SESSION_DOOR.fullmatch(door) if isinstance(door, str) else None
    if match is None or int(match[1]) > MAX_ID:
        raise unknown_door()
    return int(match[1])
