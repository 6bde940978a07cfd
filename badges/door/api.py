"""JSON check-in API for scanner apps: POST /api/v1/checkin, GET /api/v1/checkin/roster, as ordinary Flask routes.

Authenticated by a per-device bearer token (created and revoked on the staff check-in page, stored hashed).
The payloads are declared in badges/door/payloads.py with app.api.spec, which checks the body, shapes the
answer and writes the document. The answer is always a verdict (200) when the request is well formed,
rejections included; errors are {"error": {status, reason, message}} (the app's JSON errors answer 404, 405 and
413 alike). Exempt from CSRF and the per-IP rate limit (scanners authenticate per device, and many may sit behind
one venue NAT address), and without a cookie session: the language comes from Accept-Language, so a scan never
reads or writes a cookie.
"""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, request
from flask_babel import force_locale

from app.api import responses, security, spec
from app.errors import json_error
from app.extensions import csrf, db, limiter
from badges.door import checkin, devices
from badges.door.inputs import CheckinError
from badges.door.payloads import DEVICE_TOKEN, CheckinRequest, CheckinResult, Roster, verdict_payload
from badges.door.roster import roster
from events.programme.models import Event

scanner_api = Blueprint("scanner_api", __name__, url_prefix="/api/v1/checkin")
csrf.exempt(scanner_api)
limiter.exempt(scanner_api)


def error_response(exc: CheckinError):
    extra = {"fields": exc.fields} if exc.fields else {}
    return json_error(exc.status, exc.reason, exc.message, **extra)


def _unauthorized():
    response, status = json_error(401, "unauthorized", "Send a valid device token: Authorization: Bearer …")
    response.headers["WWW-Authenticate"] = 'Bearer realm="checkin"'
    return response, status


def for_a_device(view):
    """The scanner behind the bearer token as ``device`` (401 without one, before the body is read), in the
    language it asks for."""
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
@spec.validate(resp=responses(
    (200, CheckinResult, "The verdict (rejections too)"),
    HTTP_400="The body is not JSON, is nested too deeply (invalid_json), or is not a JSON object "
             "(validation_failed).",
    HTTP_401="No valid device token (unauthorized).", HTTP_404="Unknown door (unknown_door).",
    HTTP_409="nonce_reused: this device used the nonce for a scan of another badge or at another door; send a new "
             "nonce with every scan.",
    HTTP_413="Body too large.", HTTP_415="Not JSON.",
    HTTP_422="Fields that are missing, of the wrong type, too long or with characters that are refused "
             "(validation_failed; fields names them)."),
    security=security(DEVICE_TOKEN), operation_id="checkIn")
def check_in(device, json: CheckinRequest):
    """Check a scanned badge in at a door (idempotent per device and nonce)"""
    scan = json.scan()
    verdict = checkin.check_in(devices.event_info(device.event_id), json.door, device=device, token=json.token,
                               **{**scan, "station": scan["station"] or device.name})
    return verdict_payload(verdict)


@scanner_api.get("/roster", provide_automatic_options=False)
@for_a_device
@spec.validate(resp=responses((200, Roster, "Token hashes, names, status, enrolments"),
                              HTTP_401="No valid device token (unauthorized)."),
               security=security(DEVICE_TOKEN), operation_id="getCheckinRoster")
def get_roster(device):
    """The event's roster for offline decisions"""
    return roster(db.session.get(Event, device.event_id))
