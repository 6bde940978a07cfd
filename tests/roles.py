"""Accounts for every role, and logging in through the real login form (for console and permission tests)."""
from __future__ import annotations

from app.accounts.models import EventRole, EventRoleKind, User
from app.extensions import db
from events.employers.models import Organisation

PASSWORD = "correct horse battery"


def make_user(email: str, *, admin: bool = False, organisation: Organisation | None = None) -> User:
    user = User(email=email, name=email.split("@")[0], is_admin=admin,
                organisation_id=organisation.id if organisation else None)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def team_for(event) -> dict[str, User]:
    """admin, staff (of this event), door (of this event), other_staff (of no event here), employer, other_employer
    (of another organisation), user (an account with no role)."""
    org = Organisation(name=f"Employer of {event.slug}")
    other_org = Organisation(name=f"Another employer of {event.slug}")
    db.session.add_all([org, other_org])
    db.session.commit()
    users = {
        "admin": make_user(f"admin-{event.id}@example.org", admin=True),
        "staff": make_user(f"staff-{event.id}@example.org"),
        "door": make_user(f"door-{event.id}@example.org"),
        "other_staff": make_user(f"other-{event.id}@example.org"),
        "employer": make_user(f"employer-{event.id}@example.org", organisation=org),
        "other_employer": make_user(f"other-employer-{event.id}@example.org", organisation=other_org),
        "user": make_user(f"user-{event.id}@example.org"),
    }
    db.session.add_all([EventRole(user=users["staff"], event_id=event.id, role=EventRoleKind.STAFF),
                        EventRole(user=users["door"], event_id=event.id, role=EventRoleKind.DOOR)])
    db.session.commit()
    return users


def login(client, user: User) -> None:
    response = client.post("/account/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (302, 303), response.data[:500]


def logout(client) -> None:
    client.post("/account/logout")
