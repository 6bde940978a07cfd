"""What other features give the agendas, asked through blinker signals that each feature connects in init_app.

- ``registration_items`` (``registration=``): each receiver returns the AgendaItems it adds to an attendee's day;
  the programme adds sessions (events.agendas.providers), meetings add 1:1 meetings (events.meetings.agenda).
- ``user_items`` (``user=``, ``event=``): an employer contact's or staff member's own day at an event.
- ``holder_badge`` (``event=``, ``registration_id=`` or ``user_id=``): the holder's badge token, issued on first
  use (flushed; the caller commits), printed as a QR code on the personal agenda. Badges answers it: badges
  stands on events, so events may not import badges.

Receivers connect with ``sender=app``: every app (tests make many) has its own, and nothing depends on what
happened to be imported. Send with ``answers(signal, ...)``.
"""
from __future__ import annotations

from blinker import Namespace
from flask import current_app

agendas = Namespace()
registration_items = agendas.signal("agenda-registration-items")
user_items = agendas.signal("agenda-user-items")
holder_badge = agendas.signal("agenda-holder-badge")


def answers(signal, **kwargs) -> list:
    """What the current app's receivers return (in no particular order)."""
    return [result for _receiver, result in signal.send(current_app._get_current_object(), **kwargs)]
