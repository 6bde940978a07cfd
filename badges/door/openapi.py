"""OpenAPI description of the scanner-app check-in API (merged into /api/openapi.json by events/openapi.py)."""
from __future__ import annotations

from badges.door.inputs import NONCE_PATTERN
from badges.models import REJECT_REASONS

_TEXT = "NUL, other control characters (but tab and line breaks) and lone surrogates are refused (422)."


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def checkin_schemas() -> dict:
    return {
        "CheckinRequest": {
            "type": "object", "required": ["token", "door", "nonce"],
            "properties": {
                "token": {"type": "string", "maxLength": 64,
                          "description": "What the scanner read (anything unreadable is a verdict: rejected, "
                          "invalid). " + _TEXT},
                "door": {"type": "string", "maxLength": 64,
                         "description": "\"main\" or \"session-<id>\" of this device's event, spelt exactly so "
                         "(ASCII digits, no leading zero); anything else is 404 unknown_door. " + _TEXT},
                "nonce": {"type": "string", "minLength": 16, "maxLength": 64, "pattern": f"^{NONCE_PATTERN}$",
                          "description": "Names this one scan of this device: 16 to 64 letters, digits, \"-\" "
                          "or \"_\", new and unguessable for every scan (e.g. 128 random bits as 32 hex digits). "
                          "Nonces are this device's own (another device may happen to use the same one). A retry "
                          "with the same nonce, badge and door gets the first answer again (replayed: true) and "
                          "counts once; the same nonce with another badge or door is refused with 409 "
                          "nonce_reused, never answered with the first scan's person, and the attempt is logged."},
                "station": {"type": "string", "maxLength": 60, "description": "Shown to staff; default: "
                            "the device's name. " + _TEXT},
                "scanned_at": {"type": "string", "format": "date-time",
                               "description": "When the scan happened (uploads of offline scans)."},
                "offline_status": {"type": "string", "enum": ["ok", "already", "rejected"],
                                   "description": "What the device decided while offline."},
            },
        },
        "CheckinResult": {
            "type": "object", "required": ["status", "reason"],
            "properties": {
                "status": {"type": "string", "enum": ["ok", "already", "rejected"]},
                "reason": {"type": ["string", "null"], "enum": [*REJECT_REASONS, None]},
                "name": {"type": "string"}, "full_name": {"type": "string"}, "role": {"type": "string"},
                "organisation": {"type": "string"},
                "sessions": {"type": "array", "items": {"type": "string"}},
                "station": {"type": ["string", "null"]},
                "checked_in_at": {"type": ["string", "null"], "format": "date-time"},
                "check_in_id": {"type": ["integer", "null"]},
                "replayed": {"type": "boolean", "description": "This nonce was seen before from this device, "
                             "with this badge at this door: this is the first scan's answer again."},
            },
        },
    }


def checkin_paths() -> dict:
    error = _json(_ref("Error"), "Error")
    return {
        "/api/v1/checkin": {"post": {
            "operationId": "checkIn", "summary": "Check a scanned badge in at a door (idempotent per device "
                                                 "and nonce)",
            "security": [{"deviceToken": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("CheckinRequest")}}},
            "responses": {"200": _json(_ref("CheckinResult"), "The verdict (rejections too)"),
                          "400": _json(_ref("Error"), "The body is not JSON, is nested too deeply "
                                       "(invalid_json), or is not a JSON object (validation_failed)"),
                          "401": error, "404": _json(_ref("Error"), "Unknown door (unknown_door)"),
                          "409": _json(_ref("Error"), "nonce_reused: this device used the nonce for a scan "
                                       "of another badge or at another door; send a new nonce with every scan"),
                          "413": error, "415": error,
                          "422": _json(_ref("Error"), "Fields that are missing, of the wrong type, too long or "
                                       "with characters that are refused (validation_failed; fields names "
                                       "them)")}}},
        "/api/v1/checkin/roster": {"get": {
            "operationId": "getCheckinRoster", "summary": "The event's roster for offline decisions",
            "security": [{"deviceToken": []}],
            "responses": {"200": _json({"type": "object"}, "Token hashes, names, status, enrolments"),
                          "401": error}}},
    }


SECURITY_SCHEMES = {"deviceToken": {"type": "http", "scheme": "bearer",
                                    "description": "A per-device token created on the staff check-in page."}}
