"""Walk-ins at the door: register (events/registration/walkins.py), check in at the main entrance through the
one check-in path (``checkin.check_in``), and start drawing the 90 × 55 mm label, so that it is ready by the time
the printer's tab opens. Each step is its own transaction: a registration stands even when the check-in is
refused (outside the check-in window), and staff see why.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db

from badges import documents, services, tokens
from badges.door import checkin
from badges.door.checkin import MAIN, Verdict
from badges.models import Badge, CheckIn
from events.programme.models import Event
from events.registration import walkins
from events.registration.models import Registration


@dataclass
class Admission:
    registration: Registration
    returning: bool = False
    verdict: Verdict | None = None
    badge: Badge | None = None


def station() -> str:
    return _("Walk-ins")


def _locale(registration: Registration) -> str:
    """The label's words (its role band) in the holder's language, as on the badge their mail carries."""
    return registration.attendee.locale or "en"


def admit(event: Event, data: walkins.WalkIn, *, user_id: int, override: bool = False,
          reason: str = "") -> Admission:
    """Register the walk-in and check them in; a returning person is only found (staff decide)."""
    result = walkins.register_walk_in(event, data, override=override, reason=reason)
    if result.returning:
        return Admission(result.registration, returning=True)
    return check_in(event, result.registration, user_id=user_id)


def check_in(event: Event, registration: Registration, *, user_id: int) -> Admission:
    """Check the registration in at the main entrance (no badge while it holds no place) and prepare its label."""
    badge = services.badge_for_registration(registration)
    if badge is None:
        return Admission(registration)
    verdict = checkin.check_in(event, MAIN, token=tokens.token_for(badge), station=station(), user_id=user_id)
    if verdict.status != "rejected":
        documents.prepare_label(badge, _locale(registration))
    return Admission(registration, verdict=verdict, badge=badge)


def checked_in_at(event: Event, registration: Registration):
    """When the registration came in through the main entrance (None: not yet)."""
    return db.session.scalar(select(CheckIn.checked_in_at).where(
        CheckIn.event_id == event.id, CheckIn.door == MAIN, CheckIn.holder == f"r{registration.id}"))


def label(event: Event, registration: Registration):
    """(badge, the stored label or None): the label is prepared when missing. None when there is no badge."""
    badge = services.badge_for_registration(registration)
    if badge is None:
        return None
    document = documents.cached_label(badge, _locale(registration))
    if document is None:
        documents.prepare_label(badge, _locale(registration))
    return badge, document
