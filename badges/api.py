"""JSON check-in API for scanner apps: POST /api/v1/checkin, GET /api/v1/checkin/roster.

Authenticated by a per-device bearer token (created and revoked on the staff check-in page, stored hashed).
The answer is always a verdict (200) when the request is well formed, rejections included; errors are
{"error": {status, reason, message}}.
"""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _

from app.errors import json_error
from app.extensions import csrf, db, limiter
from badges import checkin
from badges.roster import roster
from events.models import Event

bp = Blueprint("checkin_api", __name__, url_prefix="/api/v1/checkin")
csrf.exempt(bp)


@limiter.request_filter
def _scanner_requests():
    """Scanners authenticate per device; many may sit behind one venue NAT address, so no per-IP limit here.
    (A request filter: the limiter skips these at once instead of working out blueprint exemptions per scan.)"""
    return request.blueprint == "checkin_api"


@bp.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    device = checkin.device_for_token(header[7:].strip()) if header.lower().startswith("bearer ") else None
    if device is None:
        response, status = json_error(401, "unauthorized", "Send a valid device token: Authorization: Bearer …")
        response.headers["WWW-Authenticate"] = 'Bearer realm="checkin"'
        return response, status
    g.device = device


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


@bp.post("")
def check_in():
    if not request.is_json:
        return json_error(415, "unsupported_media_type", "Send the body as application/json.")
    payload = request.get_json(silent=True)
    device = g.device
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


@bp.get("/roster")
def get_roster():
    return jsonify(roster(db.session.get(Event, g.device.event_id)))
