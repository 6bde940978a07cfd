"""JSON check-in API for scanner apps: POST /api/v1/checkin, GET /api/v1/checkin/roster.

Authenticated by a per-device bearer token (created and revoked on the staff check-in page, stored hashed).
The answer is always a verdict (200) when the request is well formed, rejections included; errors are
{"error": {status, reason, message}}. Served by ``badges/scanner_gate.py`` in front of Flask (no cookie session,
CSRF or per-IP rate limit: scanners authenticate per device, and many may sit behind one venue NAT address).
"""
from __future__ import annotations

from datetime import datetime

from flask import jsonify
from flask_babel import gettext as _

from app.errors import json_error
from app.extensions import db
from badges import checkin
from badges.roster import roster
from events.models import Event


def _device(request):
    """The scanner behind the request's bearer token, or None."""
    header = request.headers.get("Authorization", "")
    return checkin.device_for_token(header[7:].strip()) if header.lower().startswith("bearer ") else None


def _unauthorized():
    response, status = json_error(401, "unauthorized", "Send a valid device token: Authorization: Bearer …")
    response.headers["WWW-Authenticate"] = 'Bearer realm="checkin"'
    return response, status


def parse_scan(payload) -> dict:
    """Validate a scan body (API and door page); raises CheckinError with a field-level message."""
    if not isinstance(payload, dict):
        raise checkin.CheckinError("validation_failed", _("The body must be a JSON object."), 400)
    errors = {}
    token, token_hash = payload.get("token"), payload.get("hash")
    if token is not None and (not isinstance(token, str) or len(token) > 64):
        errors["token"] = ["A string of at most 64 characters."]
    if token_hash is not None and (not isinstance(token_hash, str) or len(token_hash) != 64):
        errors["hash"] = ["A SHA-256 hex digest."]
    if token is None and token_hash is None:
        errors["token"] = ["Required."]
    nonce = payload.get("nonce")
    if nonce is not None and (not isinstance(nonce, str) or not 8 <= len(nonce) <= 64):
        errors["nonce"] = ["A string of 8 to 64 characters, unique per scan."]
    station = payload.get("station", "")
    if not isinstance(station, str) or len(station) > 60:
        errors["station"] = ["A string of at most 60 characters."]
    scanned_at = None
    if payload.get("scanned_at") is not None:
        try:
            scanned_at = datetime.fromisoformat(str(payload["scanned_at"]).replace("Z", "+00:00"))
            if scanned_at.tzinfo is None:
                raise ValueError
        except ValueError:
            errors["scanned_at"] = ["An ISO 8601 date-time with a time zone."]
    local = payload.get("offline_status")
    if local is not None and local not in ("ok", "already", "rejected"):
        errors["offline_status"] = ["One of ok, already, rejected."]
    if errors:
        exc = checkin.CheckinError("validation_failed", _("Some fields are not valid."), 422)
        exc.fields = errors
        raise exc
    return {"token": token, "token_hash": token_hash, "nonce": nonce, "station": station.strip(),
            "scanned_at": scanned_at, "offline": scanned_at is not None or local is not None,
            "local_status": local}


def error_response(exc: checkin.CheckinError):
    extra = {"fields": exc.fields} if getattr(exc, "fields", None) else {}
    return json_error(exc.status, exc.reason, exc.message, **extra)


def check_in(request):
    device = _device(request)
    if device is None:
        return _unauthorized()
    if not request.is_json:
        return json_error(415, "unsupported_media_type", "Send the body as application/json.")
    payload = request.get_json(silent=True)
    try:
        if isinstance(payload, dict) and "door" not in payload:
            raise checkin.CheckinError("validation_failed", _("Some fields are not valid."), 422)
        scan = parse_scan(payload)
        scan["token_hash"] = None  # devices send what they scanned; hashes are for signed-in staff only
        if scan["token"] is None:
            raise checkin.CheckinError("validation_failed", _("Send the scanned token."), 422)
        event = checkin.event_info(device.event_id)
        door = payload["door"] if isinstance(payload.get("door"), str) else ""
        verdict = checkin.check_in(event, door, device=device, **{**scan, "station": scan["station"] or device.name})
    except checkin.CheckinError as exc:
        if exc.reason == "validation_failed" and not getattr(exc, "fields", None) and isinstance(payload, dict):
            exc.fields = {"door": ["Required: \"main\" or \"session-<id>\"."]}
        return error_response(exc)
    return jsonify(verdict.to_json())


def get_roster(request):
    device = _device(request)
    if device is None:
        return _unauthorized()
    return jsonify(roster(db.session.get(Event, device.event_id)))
