"""The door's decision: may this holder come in through this door now? One pure function of plain values.

No database, no clock, no request: the caller loads the holder, the door and what came before, and stores what
``decide`` answers (badges/door/checkin.py). The door page decides offline with the same rules in
static/js/door-decision.js; both run the cases of tests/badges/door_cases.json, so the two cannot drift.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MAIN = "main"

# What ``decide`` answers: admit, already admitted here, not admitted (with a reason), the first answer to this
# nonce again (a retry of the same scan), or refused (the nonce was used for another scan).
OK, ALREADY, REJECTED, REPLAY, REFUSED = "ok", "already", "rejected", "replay", "refused"
NONCE_REUSED = "nonce_reused"

# A holder's standing, from their badge and registration (the roster sends it as it is).
HOLDER_STATES = ("ok", "revoked", "cancelled", "waitlisted")


@dataclass(frozen=True)
class Holder:
    """A badge and whoever holds it."""
    badge_id: int
    event_id: int
    state: str                            # one of HOLDER_STATES
    seats: frozenset[int] | None = None   # sessions with a confirmed seat; None: staff and employers, every door


@dataclass(frozen=True)
class Door:
    """The event's main entrance or one session's room, open from ``opens`` to ``closes`` (None: no bound)."""
    event_id: int
    name: str                             # "main" or "session-<id>"
    session_id: int | None = None
    opens: datetime | None = None
    closes: datetime | None = None


@dataclass(frozen=True)
class NonceUse:
    """The earlier scan that carried this scan's nonce, from the same device."""
    badge_id: int | None
    door: str


@dataclass(frozen=True)
class Decision:
    status: str                           # OK, ALREADY, REJECTED, REPLAY or REFUSED
    reason: str = ""                      # why not, when REJECTED or REFUSED


def holder_state(revoked: bool, registration_status: str | None) -> str:
    """The badge's standing: a revoked badge first, then its registration's status (None: a staff badge)."""
    if revoked:
        return "revoked"
    return registration_status if registration_status in ("cancelled", "waitlisted") else "ok"


def decide(holder: Holder | None, door: Door, at: datetime, *, admitted: bool = False,
           nonce_use: NonceUse | None = None) -> Decision:
    """The verdict on one scan at ``at``: ``holder`` is None for a code that names no badge; ``admitted``
    says whether this holder came in through this door before."""
    if nonce_use is not None:  # a retry carries what the first scan carried: the same badge at the same door
        badge_id = holder.badge_id if holder is not None else None
        if nonce_use.badge_id == badge_id and nonce_use.door == door.name:
            return Decision(REPLAY)
        return Decision(REFUSED, NONCE_REUSED)
    if holder is None:
        return Decision(REJECTED, "invalid")
    if holder.event_id != door.event_id:
        return Decision(REJECTED, "another_event")
    if holder.state != "ok":
        return Decision(REJECTED, holder.state)
    if (door.opens is not None and at < door.opens) or (door.closes is not None and at > door.closes):
        return Decision(REJECTED, "outside_window")
    if door.session_id is not None and holder.seats is not None and door.session_id not in holder.seats:
        return Decision(REJECTED, "not_enrolled")
    return Decision(ALREADY) if admitted else Decision(OK)
