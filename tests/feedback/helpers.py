"""A welcome day that happened: people checked in through the door's real check-in, then the day moved into the
past so that the survey is open."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.extensions import db
from badges import tokens
from badges.door import checkin
from events.programme.models import SessionKind
from events.registration import services as registration
from tests.badges.helpers import live_event
from tests.factories import make_session, profile


def person(event, email: str, name: str, locale: str = "en", sessions=()):
    result = registration.register_attendee(event.slug, registration.RegistrationRequest(
        email=email, profile=profile(name, locale=locale), consent_processing=True,
        session_ids=[s.id for s in sessions]))
    return registration.confirm_email(result.registration)


def scan(event, reg, door: str = "main", station: str = "Door 1") -> str:
    badge = tokens.ensure_badge(event.id, registration_id=reg.id)
    verdict = checkin.check_in(event, door, token=tokens.token_for(badge), station=station)
    return verdict.status


def move_into_past(event, hours: int = 12) -> None:
    """The day is over: shift it and its sessions back (check-ins keep their rows)."""
    shift = timedelta(hours=hours)
    event.starts_at -= shift
    event.ends_at -= shift
    event.registration_closes_at = event.starts_at - timedelta(hours=1)
    for s in event.sessions:
        s.starts_at -= shift
        s.ends_at -= shift
    db.session.commit()


def day_that_happened():
    """Three people: Ngozi (came, both sessions), 李小龙 (came through the main door only, German), Pieter (Dutch,
    came to one session only, never scanned at the main door), Ana (registered, never came)."""
    event = live_event(title="Welcome day 2027")
    workshop = make_session(event, offset_minutes=25, minutes=40, title="Applying in Germany", capacity=20)
    talk = make_session(event, offset_minutes=65, minutes=30, title="Recognition of degrees", capacity=30,
                        kind=SessionKind.TALK)
    people = {"ngozi": person(event, "ngozi@example.org", "Ngozi Okafor", "en", [workshop, talk]),
              "li": person(event, "li@example.org", "李小龙", "de", [workshop]),
              "pieter": person(event, "pieter@example.org", "Pieter de Vries", "nl", [talk]),
              "ana": person(event, "ana@example.org", "Ana Pérez", "en", [talk])}
    statuses = [scan(event, people["ngozi"]), scan(event, people["ngozi"], f"session-{workshop.id}"),
                scan(event, people["ngozi"], f"session-{talk.id}"), scan(event, people["li"]),
                scan(event, people["pieter"], f"session-{talk.id}")]
    move_into_past(event)
    return event, {"workshop": workshop, "talk": talk}, people, statuses


def now() -> datetime:
    return datetime.now(timezone.utc)
