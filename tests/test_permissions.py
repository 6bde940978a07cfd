"""Every role against every staff page and endpoint: allowed, or 403 (logged in) / the login page (anonymous).

Pages declare their role with @requires; this test reads the declarations from the URL map, so a new page without
one fails here, and a new page with one is tried against every role automatically.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import EventRole, EventRoleKind
from app.accounts.permissions import ROLES
from app.extensions import db as _db
from events.programme.models import Room
from tests.factories import make_event, make_session, register
from tests.roles import login, team_for

# Endpoints outside these blueprints are public or guard themselves (jobs: owner or event staff).
GUARDED_PREFIXES = ("console.", "audit.")
GUARDED_ENDPOINTS = {"accounts.security"}
ALLOWED = {
    "admin": {"admin"},
    "staff": {"admin", "staff"},
    "door": {"admin", "staff", "door"},
    "employer": {"admin", "employer"},
    "user": {"admin", "staff", "door", "other_staff", "employer"},
}
# The console's front page lists the events a person works on: nothing to show to employer contacts.
SPECIAL = {"console.index": {"admin", "staff", "door", "other_staff"}}
PEOPLE = ["anonymous", "employer", "door", "other_staff", "staff", "admin"]


@pytest.fixture
def world(db):
    event = make_event()
    session = make_session(event, room="Hall", capacity=5)
    registration = register(event, sessions=[session])
    team = team_for(event)
    elsewhere = make_event()
    _db.session.add(EventRole(user=team["other_staff"], event_id=elsewhere.id, role=EventRoleKind.STAFF))
    _db.session.commit()
    room = _db.session.scalars(select(Room).where(Room.event_id == event.id)).first()
    role = _db.session.scalars(select(EventRole).where(EventRole.event_id == event.id)).first()
    values = {"slug": event.slug, "session_id": session.id, "registration_id": registration.id,
              "room_id": room.id, "role_id": role.id, "upload": "x" * 24, "name": "registrations", "fmt": "csv",
              "action": "resend"}
    return {"event": event, "team": team, "values": values}


def _guarded_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(GUARDED_PREFIXES) or rule.endpoint in GUARDED_ENDPOINTS:
            yield rule


def test_every_staff_view_declares_its_role(app):
    rules = list(_guarded_rules(app))
    assert len(rules) > 20
    undeclared = [r.endpoint for r in rules if getattr(app.view_functions[r.endpoint], "required_role", None)
                  not in ROLES]
    assert not undeclared, f"views without @requires: {undeclared}"


def _url(rule, values):
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


@pytest.mark.parametrize("person", PEOPLE)
def test_each_role_against_each_page(app, client, world, person):
    if person != "anonymous":
        login(client, world["team"][person])
    failures = []
    for rule in _guarded_rules(app):
        view = app.view_functions[rule.endpoint]
        allowed = SPECIAL.get(rule.endpoint, ALLOWED[view.required_role])
        url = _url(rule, world["values"])
        method = "GET" if "GET" in rule.methods else "POST"
        if method == "POST" and person in allowed:
            continue  # allowed POSTs change things; their behaviour is tested in tests/console
        response = client.open(url, method=method)
        code = response.status_code
        if person == "anonymous":
            ok = code == 302 and "/account/login" in response.location
        elif person in allowed:
            ok = code in (200, 303) or (code == 302 and "/account/login" not in response.location)
        else:
            ok = code == 403
        if not ok:
            failures.append(f"{method} {url} as {person}: {code}")
    assert not failures, "\n".join(failures)


def test_staff_of_another_event_sees_nothing_of_this_one(client, world):
    login(client, world["team"]["other_staff"])
    slug = world["event"].slug
    assert client.get(f"/console/e/{slug}/registrations").status_code == 403
    assert client.get(f"/console/e/{slug}/export/registrations.csv").status_code == 403
    html = client.get("/console/").get_data(as_text=True)
    assert world["event"].title not in html


def test_unknown_event_is_404_for_staff(client, world):
    login(client, world["team"]["admin"])
    assert client.get("/console/e/no-such-day/").status_code == 404


def test_a_secret_link_shows_only_its_own_attendee(client, world):
    event = world["event"]
    other = register(event, "someone-else@example.org")
    mine = _db.session.get(type(other), world["values"]["registration_id"])
    data = client.get(f"/r/{mine.token}/data.json").get_json()
    assert data["profile"]["email"] == mine.attendee.email
    assert "someone-else@example.org" not in str(data)
    assert client.get("/r/not-a-token/data.json").status_code == 404
    assert client.get("/r/not-a-token/delete").status_code == 404


def test_login_is_rate_limited(app):
    from app import create_app
    from app.extensions import limiter
    limited = create_app({**app.config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"})
    try:
        client = limited.test_client()
        codes = [client.post("/account/login", data={"email": "x@example.org", "password": "wrong"}).status_code
                 for _ in range(12)]
        assert codes[0] == 200 and codes[-1] == 429
    finally:
        limiter.init_app(app)  # the limiter is one object for every app: give the suite's app its settings back
