"""Small factories for tests: an open event with sessions, and registrations through the real service."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count

from app.extensions import db
from events.registration import services
from events.programme.models import Event, EventStatus, Room, Session, SessionKind

_seq = count(1)


def make_event(**fields) -> Event:
    n = next(_seq)
    # 08:00 UTC in 30 days: the day and its sessions fall on one local date whatever the time the suite runs.
    in_a_month = datetime.now(timezone.utc) + timedelta(days=30)
    start = fields.pop("starts_at", in_a_month.replace(hour=8, minute=0, second=0, microsecond=0))
    values = dict(slug=f"welcome-day-{n}", title=f"Welcome day {n}", description="A test welcome day.",
                  venue="Test hall", address="Teststraße 1, 40210 Düsseldorf", timezone="Europe/Berlin",
                  starts_at=start, ends_at=start + timedelta(hours=8),
                  registration_opens_at=datetime.now(timezone.utc) - timedelta(days=1),
                  registration_closes_at=start - timedelta(hours=1), capacity=None,
                  status=EventStatus.PUBLISHED, languages=["en", "de"])
    values.update(fields)
    event = Event(**values)
    db.session.add(event)
    db.session.commit()
    return event


def make_session(event: Event, *, offset_minutes: int = 0, minutes: int = 60, capacity: int | None = 10,
                 room: str | None = None, **fields) -> Session:
    start = event.starts_at + timedelta(minutes=offset_minutes)
    room_obj = None
    if room:
        room_obj = Room(event=event, name=room, capacity=capacity)
        db.session.add(room_obj)
    session = Session(event=event, title=fields.pop("title", f"Workshop {next(_seq)}"), starts_at=start,
                      ends_at=start + timedelta(minutes=minutes), capacity=capacity, room=room_obj,
                      kind=fields.pop("kind", SessionKind.WORKSHOP), **fields)
    db.session.add(session)
    db.session.commit()
    return session


def profile(name: str = "Ngozi Okafor", **fields) -> services.Profile:
    values = dict(full_name=name, badge_name=name.split(" ")[0], country="NG", university="HHU Düsseldorf",
                  degree_level="master", field_of_study="Chemistry", languages={"en": "C1", "de": "B1"},
                  seeking=["job"], locale="en")
    values.update(fields)
    return services.Profile(**values)


def register(event: Event, email: str | None = None, sessions: list[Session] = (), confirm: bool = True,
             name: str = "Ngozi Okafor", consent_sharing: bool = True):
    email = email or f"person{next(_seq)}@example.org"
    result = services.register_attendee(event.slug, services.RegistrationRequest(
        email=email, profile=profile(name), consent_processing=True, consent_sharing=consent_sharing,
        session_ids=[s.id for s in sessions]))
    registration = result.registration
    if confirm:
        registration = services.confirm_email(registration)
    return registration


def registration_form(email: str = "ana@example.org", sessions=(), **overrides) -> dict:
    """The fields of the HTML registration form, filled in."""
    data = {"email": email, "full_name": "Ana Pérez", "badge_name": "Ana", "country": "MX",
            "university": "HHU Düsseldorf", "degree_level": "master", "field_of_study": "Chemistry",
            "languages-0-code": "en", "languages-0-level": "C1", "languages-1-code": "", "languages-1-level": "",
            "languages-2-code": "", "languages-2-level": "", "seeking": ["job"], "locale": "en",
            "consent_processing": "y", "consent_sharing": "y", "sessions": [str(s.id) for s in sessions]}
    data.update(overrides)
    return data
