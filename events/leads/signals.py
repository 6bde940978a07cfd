"""What the leads ask of the badges feature, through a blinker signal it connects in its init_app (badges stands
on events, so events may not import badges):

- ``badge_holder`` (``token=``): what a scanned or typed badge code names, checked as the door checks it (form,
  check character, signature): ``{"reason": None | "empty" | "malformed" | "unknown" | "revoked",
  "event_id": ..., "registration_id": ... (None for a badge that is not an attendee's)}``.
"""
from __future__ import annotations

from blinker import Namespace
from flask import current_app

leads = Namespace()
badge_holder = leads.signal("leads-badge-holder")


def holder_of(token: str) -> dict:
    """The badges feature's answer; without it, every code is unknown."""
    for _receiver, result in badge_holder.send(current_app._get_current_object(), token=token):
        if result is not None:
            return result
    return {"reason": "unknown"}
