"""JSON check-in API for scanner apps: POST /api/v1/checkin, GET /api/v1/checkin/roster.

Authenticated by a per-device bearer token (created and revoked on the staff check-in page, stored hashed).
The answer is always a verdict (200) when the request is well formed, rejections included; errors are
{"error": {status, reason, message}}. Served by ``badges/door/scanner_gate.py`` in front of Flask (no cookie session,
CSRF or per-IP rate limit: scanners authenticate per device, and many may sit behind one venue NAT address).
"""
from __future__ import annotations

import json
import re
from datetime import datetime

from flask import jsonify
from flask_babel import gettext as _

from app.errors import json_error
from app.extensions import db
from badges.door import checkin
from badges.door.roster import roster
from events.programme.models import Event

_HASH = re.compile(r"[0-9a-fA-F]{64}")


def _device(request):
    """The scanner behind the request's bearer token, or None."""
    header = request.headers.get("Authorization", "")
    return checkin.device_for_token(header[7:].strip()) if header.lower().startswith("bearer ") else None


def _unauthorized():
    response, status = json_error(401, "unauthorized", "Send a valid device token: Authorization: Bearer …")
    response.headers["WWW-Authenticate"] = 'Bearer realm="checkin"'
    return response, status


def read_json(request):
    """The request's JSON body; CheckinError for another media type or what does not parse (and a body nested
    deeper than the parser goes, which Werkzeug's get_json lets through as a RecursionError: a 500)."""
    if not request.is_json:
        raise checkin.CheckinError("unsupported_media_type", _("Send the body as application/json."), 415)
    try:
        return json.loads(request.get_data(cache=True))
    except RecursionError:
        raise checkin.CheckinError("invalid_json", _("The body is nested too deeply: send one flat JSON object."),
                                   400) from None
    except ValueError:  # not JSON, not UTF-8, numbers with thousands of digits
        raise checkin.CheckinError("invalid_json", _("The body is not valid JSON."), 400) from None


def _text(payload: dict, name: str, errors: dict, *, max_length: int, default=None):
    """A string field of at most ``max_length`` characters that can be stored and shown (checkin.clean_text)."""
    value = payload.get(name, default)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_length:
        errors[name] = [_("A string of at most %(n)d characters.", n=max_length)]
    elif not checkin.clean_text(value):
        errors[name] = [_("Contains characters that are not allowed (NUL, control characters, lone "
                          "surrogates).")]
    else:
        return value
    return None


def parse_scan(payload, *, door_in_body: bool = False) -> dict:
    """Validate a scan body (the API, with ``door`` in the body; the door page, whose URL names the door);
    raises CheckinError with a message per field."""
    if not isinstance(payload, dict):
        raise checkin.CheckinError("validation_failed", _("The body must be a JSON object."), 400)
    errors = {}
    token = _text(payload, "token", errors, max_length=64)
    token_hash = payload.get("hash")
    if token_hash is not None and not (isinstance(token_hash, str) and _HASH.fullmatch(token_hash)):
        errors["hash"] = [_("A SHA-256 hex digest (64 hexadecimal digits).")]
    if payload.get("token") is None and token_hash is None:
        errors["token"] = [_("Required.")]
    nonce = payload.get("nonce")
    if not checkin.valid_nonce(nonce):
        errors["nonce"] = [_("Required: 16 to 64 letters, digits, \"-\" or \"_\", new for every scan.")]
    station = _text(payload, "station", errors, max_length=60, default="")
    door = None
    if door_in_body:
        door = _text(payload, "door", errors, max_length=64)
        if door is None and "door" not in errors:
            errors["door"] = [_("Required: \"main\" or \"session-<id>\".")]
    scanned_at = None
    if payload.get("scanned_at") is not None:
        try:
            if not isinstance(payload["scanned_at"], str):
                raise ValueError
            scanned_at = datetime.fromisoformat(payload["scanned_at"].replace("Z", "+00:00"))
            if scanned_at.tzinfo is None:
                raise ValueError
        except ValueError:
            errors["scanned_at"] = [_("An ISO 8601 date-time with a time zone.")]
    local = payload.get("offline_status")
    if local is not None and local not in ("ok", "already", "rejected"):
        errors["offline_status"] = [_("One of ok, already, rejected.")]
    if errors:
        exc = checkin.CheckinError("validation_failed", _("Some fields are not valid."), 422)
        exc.fields = errors
        raise exc
    scan = {"token": token, "token_hash": token_hash, "nonce": nonce, "station": (station or "").strip(),
            "scanned_at": scanned_at, "offline": scanned_at is not None or local is not None,
            "local_status": local}
    if door_in_body:
        scan["door"] = door
    return scan


def error_response(exc: checkin.CheckinError):
    extra = {"fields": exc.fields} if getattr(exc, "fields", None) else {}
    return json_error(exc.status, exc.reason, exc.message, **extra)


def check_in(request):
    device = _device(request)
    if device is None:
        return _unauthorized()
    try:
        scan = parse_scan(read_json(request), door_in_body=True)
        scan["token_hash"] = None  # devices send what they scanned; hashes are for signed-in staff only
        if scan["token"] is None:
            exc = checkin.CheckinError("validation_failed", _("Some fields are not valid."), 422)
            exc.fields = {"token": [_("Send the scanned token.")]}
            raise exc
        event = checkin.event_info(device.event_id)
        verdict = checkin.check_in(event, scan.pop("door"), device=device,
                                   **{**scan, "station": scan["station"] or device.name})
    except checkin.CheckinError as exc:
        return error_response(exc)
    return jsonify(verdict.to_json())


def get_roster(request):
    device = _device(request)
    if device is None:
        return _unauthorized()
    return jsonify(roster(db.session.get(Event, device.event_id)))
