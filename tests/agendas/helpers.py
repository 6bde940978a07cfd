from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar

from app.extensions import db
from events.programme.models import Room, Session, SessionKind

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def add_session(event, title, start: datetime, length: int | datetime, room: str | None = None, capacity: int | None = 10,
                **fields) -> Session:
    """A session from ``start`` for ``length`` minutes of real time, or until the local time ``length``."""
    end = length if isinstance(length, datetime) else start.astimezone(timezone.utc) + timedelta(minutes=length)
    room_obj = None
    if room:
        room_obj = next((r for r in event.rooms if r.name == room), None) or Room(event=event, name=room)
        db.session.add(room_obj)
    session = Session(event=event, title=title, starts_at=start.astimezone(timezone.utc),
                      ends_at=end.astimezone(timezone.utc), room=room_obj,
                      capacity=capacity, kind=fields.pop("kind", SessionKind.WORKSHOP), **fields)
    db.session.add(session)
    db.session.commit()
    return session


def vevents(body: bytes) -> dict[str, dict]:
    """Events of an .ics by UID, parsed with icalendar: UTC start/end, status, sequence, and the raw component."""
    calendar = Calendar.from_ical(body)
    found = {}
    for component in calendar.walk("VEVENT"):
        found[str(component["UID"])] = {
            "start": component.decoded("DTSTART").astimezone(timezone.utc),
            "end": component.decoded("DTEND").astimezone(timezone.utc),
            "status": str(component.get("STATUS")), "sequence": int(component.get("SEQUENCE", 0)),
            "component": component}
    return found


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
