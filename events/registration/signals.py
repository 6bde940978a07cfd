"""What other features add to an attendee's privacy rights, through blinker signals they connect in init_app
(they stand on registration, so registration may not import them):

- ``personal_data`` (``attendee=``): each receiver returns a dict of what it holds about the person, merged into
  "Download my data" (the right of access);
- ``erasing`` (``attendee=``): each receiver deletes what it holds about the person (no commit: erasing commits once).

Receivers connect with ``sender=app``.
"""
from __future__ import annotations

from blinker import Namespace
from flask import current_app

registration = Namespace()
personal_data = registration.signal("registration-personal-data")
erasing = registration.signal("registration-erasing")


def collect(signal, **kwargs) -> list:
    return [result for _receiver, result in signal.send(current_app._get_current_object(), **kwargs)]
