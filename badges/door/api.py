"""JSON check-in API for scanner apps: POST /api/v1/checkin, GET /api/v1/checkin/roster, as ordinary Flask routes.

Authenticated by a per-device bearer token (created and revoked on the staff check-in page, stored hashed).
The answer is always a verdict (200) when the request is well formed, rejections included; errors are
{"error": {status, reason, message}} (the app's JSON errors answer 404, 405 and 413 alike). Exempt from CSRF and
the per-IP rate limit (scanners authenticate per device, and many may sit behind one venue NAT address), and
without a cookie session: the language comes from Accept-Language, so a scan never reads or writes a cookie.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from functools import wraps

from flask import Blueprint, current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from app.errors import json_error
from app.extensions import csrf, db, limiter
from badges.door import checkin, devices
from badges.door.inputs import CheckinError, clean_text, invalid_fields, valid_nonce
from badges.door.roster import roster
from events.programme.models import Event

scanner_api = Blueprint("scanner_api", __name__, url_prefix="/api/v1/checkin")
csrf.exempt(scanner_api)
limiter.exempt(scanner_api)


@limiter.request_filter
def _scanner_request() -> bool:
    """The limiter's own before_request still resolves every limit of an exempt blueprint before it finds the
    exemption (a tenth of a millisecond per scan); this filter answers first."""
    return request.blueprint == "scanner_api"

_HASH = re.compile(r"[0-9a-fA-F]{64}")


def read_json(req):
    """The request's JSON body; CheckinError for another media type or what does not parse (and a body nested
    deeper than the parser goes, which Werkzeug's get_json lets through as a RecursionError: a 500)."""
    if not req.is_json:
        raise CheckinError("unsupported_media_type", _("Send the body as application/json."), 415)
    try:
        return json.loads(req.get_data(cache=True))
    except RecursionError:
        raise CheckinError("invalid_json", _("The body is nested too deeply: send one flat JSON object."),
                           400) from None
    except ValueError:  # not JSON, not UTF-8, numbers with thousands of digits
        raise CheckinError("invalid_json", _("The body is not valid JSON."), 400) from None


def _text(payload: dict, name: str, errors: dict, *, max_length: int, default=None):
    """A string field of at most ``max_length`` characters that can be stored and shown (inputs.clean_text)."""
    value = payload.get(name, default)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_length:
        errors[name] = [_("A string of at most %(n)d characters.", n=max_length)]
    elif not clean_text(value):
        errors[name] = [_("Contains characters that are not allowed (NUL, control characters, lone "
                          "surrogates).")]
    else:
        return value
    return None


def _scanned_at(payload: dict, errors: dict) -> datetime | None:
    value = payload.get("scanned_at")
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        scanned_at = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if scanned_at.tzinfo is None:
            raise ValueError
        return scanned_at
    except ValueError:
        errors["scanned_at"] = [_("An ISO 8601 date-time with a time zone.")]
        return None


def _what_was_scanned(payload: dict, errors: dict) -> tuple[str | None, str | None]:
    token = _text(payload, "token", errors, max_length=64)
    token_hash = payload.get("hash")
    if token_hash is not None and not (isinstance(token_hash, str) and _HASH.fullmatch(token_hash)):
        errors["hash"] = [_("A SHA-256 hex digest (64 hexadecimal digits).")]
    if payload.get("token") is None and token_hash is None:
        errors["token"] = [_("Required.")]
    return token, token_hash


def parse_scan(payload, *, door_in_body: bool = False) -> dict:
    """Validate a scan body (the API, with ``door`` in the body; the door page, whose URL names the door);
    raises CheckinError with a message per field."""
    if not isinstance(payload, dict):
        raise CheckinError("validation_failed", _("The body must be a JSON object."), 400)
    errors = {}
    token, token_hash = _what_was_scanned(payload, errors)
    nonce = payload.get("nonce")
    if not valid_nonce(nonce):
        errors["nonce"] = [_("Required: 16 to 64 letters, digits, \"-\" or \"_\", new for every scan.")]
    station = _text(payload, "station", errors, max_length=60, default="")
    door = None
    if door_in_body:
        door = _text(payload, "door", errors, max_length=64)
        if door is None and "door" not in errors:
            errors["door"] = [_("Required: \"main\" or \"session-<id>\".")]
    scanned_at = _scanned_at(payload, errors)
    local = payload.get("offline_status")
    if local is not None and local not in ("ok", "already", "rejected"):
        errors["offline_status"] = [_("One of ok, already, rejected.")]
    if errors:
        raise invalid_fields(errors)
    scan = {"token": token, "token_hash": token_hash, "nonce": nonce, "station": (station or "").strip(),
            "scanned_at": scanned_at, "offline": scanned_at is not None or local is not None,
            "local_status": local}
    if door_in_body:
        scan["door"] = door
    return scan


def error_response(exc: CheckinError):
    extra = {"fields": exc.fields} if exc.fields else {}
    return json_error(exc.status, exc.reason, exc.message, **extra)


def _unauthorized():
    response, status = json_error(401, "unauthorized", "Send a valid device token: Authorization: Bearer …")
    response.headers["WWW-Authenticate"] = 'Bearer realm="checkin"'
    return response, status


def for_a_device(view):
    """The scanner behind the bearer token as ``device`` (401 without one), in the language it asks for."""
    @wraps(view)
    def wrapper(**kwargs):
        languages = current_app.config["LANGUAGES"]
        locale = request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
        with force_locale(locale):  # not the app's locale selector: it reads the cookie session
            header = request.headers.get("Authorization", "")
            secret = header[7:].strip() if header.lower().startswith("bearer ") else ""
            device = devices.device_for_token(secret)
            if device is None:
                return _unauthorized()
            try:
                return view(device=device, **kwargs)
            except CheckinError as exc:
                return error_response(exc)
    return wrapper


@scanner_api.post("", provide_automatic_options=False)
@for_a_device
def check_in(device):
    scan = parse_scan(read_json(request), door_in_body=True)
    scan["token_hash"] = None  # devices send what they scanned; hashes are for signed-in staff only
    if scan["token"] is None:
        raise invalid_fields({"token": [_("Send the scanned token.")]})
    verdict = checkin.check_in(devices.event_info(device.event_id), scan.pop("door"), device=device,
                               **{**scan, "station": scan["station"] or device.name})
    return jsonify(verdict.to_json())


@scanner_api.get("/roster", provide_automatic_options=False)
@for_a_device
def get_roster(device):
    return jsonify(roster(db.session.get(Event, device.event_id)))
