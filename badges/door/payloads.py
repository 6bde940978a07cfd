"""The scanner API's payloads (and the door page's scan), one pydantic model each: they check what a scan
carries, shape the verdict and the roster, and are the OpenAPI document's schemas (app.api.spec).

Every member's check is one plain function with the door's own messages (translated: a scanner's
Accept-Language chooses), cheap enough for the scan path: no regular expression but the nonce's and the text
check's, no date parsing unless the scan was offline.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, BeforeValidator, Field, ValidationError, WithJsonSchema, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from spectree import SecurityScheme, SecuritySchemeData
from spectree.models import SecureType

from app.api import Body
from badges.door.checkin import Verdict
from badges.door.inputs import NONCE_PATTERN, clean_text, valid_nonce
from badges.models import REJECT_REASONS

DEVICE_TOKEN = SecurityScheme(name="deviceToken", data=SecuritySchemeData(
    type=SecureType.HTTP, scheme="bearer", description="A per-device token created on the staff check-in page."))

# What clean_text refuses, for the document (lone surrogates cannot be written in a pattern; JSON in UTF-8
# cannot carry them anyway).
_CLEAN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
_TEXT = "NUL, other control characters (but tab and line breaks) and lone surrogates are refused (422)."
_HEX = frozenset("0123456789abcdefABCDEF")


def _scan_text(max_length: int, required=None):
    """A check of a text member: a string of at most ``max_length`` characters that can be stored and shown;
    null is None, or the message ``required`` (a lazy string: said in the request's language)."""
    def check(value):
        if value is None:
            if required is None:
                return None
            raise PydanticCustomError("required", str(required))
        if not isinstance(value, str) or len(value) > max_length:
            raise PydanticCustomError("string_type", _("A string of at most %(n)d characters.", n=max_length))
        if not clean_text(value):
            raise PydanticCustomError("unstorable", _("Contains characters that are not allowed (NUL, control "
                                                      "characters, lone surrogates)."))
        return value
    return check


def scan_text(max_length: int, description: str, *, required=None):
    return Annotated[str if required else str | None, BeforeValidator(_scan_text(max_length, required)),
                     WithJsonSchema({"type": "string" if required else ["string", "null"], "maxLength": max_length,
                                     "pattern": _CLEAN,
                                     "description": f"{description} {_TEXT}"})]


def _nonce(value):
    if not valid_nonce(value):
        raise PydanticCustomError("nonce", _("Required: 16 to 64 letters, digits, \"-\" or \"_\", new for every "
                                             "scan."))
    return value


def _token_hash(value):
    if value is not None and not (isinstance(value, str) and len(value) == 64 and _HEX.issuperset(value)):
        raise PydanticCustomError("hash", _("A SHA-256 hex digest (64 hexadecimal digits)."))
    return value


def _scanned_at(value) -> datetime | None:
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
        raise PydanticCustomError("date_time", _("An ISO 8601 date-time with a time zone.")) from None


def _offline_status(value):
    if value is not None and value not in ("ok", "already", "rejected"):
        raise PydanticCustomError("choice", _("One of ok, already, rejected."))
    return value


Nonce = Annotated[str, BeforeValidator(_nonce), WithJsonSchema({
    "type": "string", "minLength": 16, "maxLength": 64, "pattern": f"^{NONCE_PATTERN}$",
    "description": "Names this one scan of this device: 16 to 64 letters, digits, \"-\" or \"_\", new and "
                   "unguessable for every scan (e.g. 128 random bits as 32 hex digits). Nonces are this device's "
                   "own (another device may happen to use the same one). A retry with the same nonce, badge and "
                   "door gets the first answer again (replayed: true) and counts once; the same nonce with another "
                   "badge or door is refused with 409 nonce_reused, never answered with the first scan's person, "
                   "and the attempt is logged."})]
Station = scan_text(60, "Shown to staff; default: the device's name.")
ScannedAt = Annotated[datetime | None, BeforeValidator(_scanned_at), WithJsonSchema({
    "type": ["string", "null"], "format": "date-time",
    "description": "When the scan happened (uploads of offline scans)."})]
OfflineStatus = Annotated[str | None, BeforeValidator(_offline_status), WithJsonSchema({
    "type": ["string", "null"], "enum": ["ok", "already", "rejected", None],
    "description": "What the device decided while offline."})]
TokenHash = Annotated[str | None, BeforeValidator(_token_hash), WithJsonSchema({
    "type": "string", "pattern": "^[0-9a-fA-F]{64}$", "description": "The badge token's SHA-256 (staff search)."})]

# ------------------------------------------------------------------------------------------------ requests


class ScanBody(Body):
    """What every scan carries besides what was scanned and where."""
    unreadable_reason: ClassVar[str] = "invalid_json"
    not_an_object_reason: ClassVar[str] = "validation_failed"

    nonce: Nonce
    station: Station = None
    scanned_at: ScannedAt = None
    offline_status: OfflineStatus = None

    def scan(self) -> dict[str, Any]:
        """The keywords of badges.door.checkin.check_in for this scan (but the door and who scanned)."""
        return {"nonce": self.nonce, "station": (self.station or "").strip(), "scanned_at": self.scanned_at,
                "offline": self.scanned_at is not None or self.offline_status is not None,
                "local_status": self.offline_status}


class CheckinRequest(ScanBody):
    """A scanner's scan: the badge's token as read, at a door of the device's event."""
    token: scan_text(64, "What the scanner read (anything unreadable is a verdict: rejected, invalid).",
                     required=_l("Required."))
    door: scan_text(64, "\"main\" or \"session-<id>\" of this device's event, spelt exactly so (ASCII digits, no "
                        "leading zero); anything else is 404 unknown_door.",
                    required=_l("Required: \"main\" or \"session-<id>\"."))


class DoorPageScan(ScanBody):
    """The door page's scan (the URL names the door): a token as read, or a badge's hash found by search."""
    token: scan_text(64, "What the camera read.") = None
    hash: TokenHash = None

    @model_validator(mode="after")
    def something_scanned(self):
        if self.token is None and self.hash is None:
            raise ValidationError.from_exception_data(type(self).__name__, [InitErrorDetails(
                type=PydanticCustomError("required", _("Required.")), loc=("token",), input=None)])
        return self


def _whole_number(value):
    if type(value) is not int:  # not isinstance: True is an int too, and would undo check-in 1
        raise PydanticCustomError("int_type", _("Required: the check-in's id, a whole number."))
    return value


class UndoRequest(Body):
    """The door page's undo of a check-in it made."""
    unreadable_reason: ClassVar[str] = "invalid_json"
    not_an_object_reason: ClassVar[str] = "validation_failed"

    check_in_id: Annotated[int, BeforeValidator(_whole_number)] = Field(None, validate_default=True)


# ------------------------------------------------------------------------------------------------ answers

Status = Literal["ok", "already", "rejected"]
DateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
NullableDateTime = Annotated[str | None, WithJsonSchema({"type": ["string", "null"], "format": "date-time"})]


class CheckinResult(BaseModel):
    """The verdict on a scan (rejections too)."""
    status: Status
    reason: Literal[REJECT_REASONS] | None  # type: ignore[valid-type]
    name: str
    full_name: str
    role: str
    organisation: str
    sessions: list[str]
    station: str | None
    checked_in_at: NullableDateTime
    check_in_id: int | None
    replayed: bool = Field(description="This nonce was seen before from this device, with this badge at this "
                                       "door: this is the first scan's answer again.")


def verdict_payload(verdict: Verdict) -> CheckinResult:
    return CheckinResult.model_construct(  # the verdict's own types: nothing to check
        status=verdict.status, reason=verdict.reason or None, name=verdict.name, full_name=verdict.full_name,
        role=verdict.role, organisation=verdict.organisation, sessions=verdict.sessions,
        station=verdict.station or None, check_in_id=verdict.check_in_id, replayed=verdict.replayed,
        checked_in_at=verdict.checked_in_at.isoformat() if verdict.checked_in_at else None)


class RosterBadge(BaseModel):
    h: str = Field(description="The badge token's SHA-256, hex (never the token).")
    k: str = Field(description="The holder: r<registration id> or u<user id>.")
    n: str = Field(description="Badge name.")
    f: str = Field(description="Full name.")
    e: str = Field(description="E-mail address.")
    q: str = Field("", description="What a search compares with: the names and address in lower case without "
                   "accents, and spelled in Latin letters for other scripts (app/text.py's search_key).")
    r: str = Field(description="Role on the badge.")
    s: str = Field(description="Standing, as the door's decision judges it (ok, revoked, cancelled, waitlisted…).")
    x: list[int] | None = Field(description="Session ids with a seat (null: a staff badge).")


class Roster(BaseModel):
    """The event's badges and who is in, for offline decisions."""
    event: int
    generated_at: DateTime
    doors: dict[str, list[str]] = Field(description="Check-in window by door: [opens, closes].")
    badges: list[RosterBadge]
    checked_in: dict[str, dict[str, list[str | None]]] = Field(
        description="By holder and door: [checked in at, station].")
