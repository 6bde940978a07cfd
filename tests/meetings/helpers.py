"""A welcome day with a networking session, employers with profiles and consenting attendees."""
from __future__ import annotations

from app.extensions import db
from events.employers.profiles import ProfileData, save_profile
from events.meetings import services
from events.programme.models import Room, SessionKind
from tests.employers.helpers import make_partner
from tests.factories import make_event, make_session, register


def networking_day(attendees: int = 8, employers: int = 3, tables: int = 1, minutes: int = 45):
    """Networking 14:00-14:45 (3 slots of 10 min + 5 min changeover); a workshop overlaps its first slot."""
    event = make_event()
    room = Room(event=event, name="Foyer", capacity=200)
    db.session.add(room)
    db.session.commit()
    networking = make_session(event, offset_minutes=300, minutes=minutes, capacity=None,
                              kind=SessionKind.NETWORKING, title="Meet the employers")
    networking.room = room
    workshop = make_session(event, offset_minutes=280, minutes=30, capacity=50, title="CV clinic")
    orgs, users = [], []
    for i in range(employers):
        org, user = make_partner(event, name=f"Employer{i} GmbH", email=f"hr{i}@employer{i}.example")
        save_profile(org.id, ProfileData(offers=["job", "internship"], fields_of_study=["Chemistry"]))
        orgs.append(org)
        users.append(user)
    regs = [register(event, f"a{i}@example.org", sessions=[workshop] if i % 4 == 0 else [],
                     name=f"Person{i} Test") for i in range(attendees)]
    setup = services.configure(networking, slot_minutes=10, changeover_minutes=5, max_meetings=2, max_wishes=3)
    for org in orgs:
        services.set_employer(setup, org.id, tables)
    return event, setup, orgs, users, regs, workshop
