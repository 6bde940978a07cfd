"""Shared helpers of the employer and meeting tests: users, logins, partners, rooms and slots."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import EventRoleKind
from app.accounts.services import create_user, grant_event_role
from app.extensions import db
from app.mail import OutboxMessage
from events.employers import services
from events.employers.models import EventPartner, Organisation, PartnerStatus
from events.programme.models import Room

PASSWORD = "correct horse battery"


def login(client, email: str, password: str = PASSWORD):
    client.post("/account/logout")
    response = client.post("/account/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def make_staff(event, email: str = "staff@example.org"):
    user = create_user(email, PASSWORD, name="Staff")
    grant_event_role(user, event.id, EventRoleKind.STAFF)
    return user


def make_partner(event, name: str = "ACME GmbH", email: str | None = None):
    """An accepted partner organisation with one employer contact."""
    organisation = Organisation(name=name)
    db.session.add(organisation)
    db.session.add(EventPartner(event=event, organisation=organisation, status=PartnerStatus.ACCEPTED))
    db.session.commit()
    user = create_user(email or f"contact@{name.split()[0].lower()}.example", PASSWORD,
                       organisation_id=organisation.id)
    return organisation, user


def make_slot(event, room_name: str = "Room A", capacity: int = 20, offset_minutes: int = 60, minutes: int = 60):
    room = db.session.scalars(select(Room).where(Room.event_id == event.id, Room.name == room_name)).first()
    if room is None:
        room = Room(event=event, name=room_name, capacity=capacity)
        db.session.add(room)
        db.session.commit()
    start = event.starts_at + timedelta(minutes=offset_minutes)
    return services.create_slot(event, room.id, start, start + timedelta(minutes=minutes),
                                start - timedelta(days=2))


def mails(template: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                   .order_by(OutboxMessage.id)))


def link_token(body: str, prefix: str) -> str:
    match = re.search(re.escape(prefix) + r"([A-Za-z0-9_\-]+)", body)
    assert match, body
    return match.group(1)
