"""OpenAPI description of the scanner-app check-in API (merged into /api/openapi.json by events/openapi.py)."""
from __future__ import annotations

from badges.models import REJECT_REASONS


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def checkin_schemas() -> dict:
    return {
        "CheckinRequest": {
            "type": "object", "required": ["token", "door", "nonce"],
            "properties": {
                "token": {"type": "string", "maxLength": 64, "description": "What the scanner read."},
                "door": {"type": "string", "maxLength": 24, "description": "\"main\" or \"session-<id>\"."},
                "nonce": {"type": "string", "minLength": 8, "maxLength": 64,
                          "description": "Unique per scan on this device: a retry with it counts once."},
                "station": {"type": "string", "maxLength": 60, "description": "Shown to staff; default: "
                            "the device's name."},
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
                "replayed": {"type": "boolean", "description": "This nonce was seen before."},
            },
        },
    }


def checkin_paths() -> dict:
    error = _json(_ref("Error"), "Error")
    return {
        "/api/v1/checkin": {"post": {
            "operationId": "checkIn", "summary": "Check a scanned badge in at a door (idempotent per nonce)",
            "security": [{"deviceToken": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("CheckinRequest")}}},
            "responses": {"200": _json(_ref("CheckinResult"), "The verdict (rejections too)"),
                          "400": error, "401": error, "404": _json(_ref("Error"), "Unknown door"),
                          "413": error, "415": error, "422": error}}},
        "/api/v1/checkin/roster": {"get": {
            "operationId": "getCheckinRoster", "summary": "The event's roster for offline decisions",
            "security": [{"deviceToken": []}],
            "responses": {"200": _json({"type": "object"}, "Token hashes, names, status, enrolments"),
                          "401": error}}},
    }


SECURITY_SCHEMES = {"deviceToken": {"type": "http", "scheme": "bearer",
                                    "description": "A per-device token created on the staff check-in page."}}
