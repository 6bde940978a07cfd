"""Every endpoint in the URL map against every role: allowed, or refused the way its declared role says.

Signed-in views declare their role with @requires (``view.required_role``); public endpoints are listed below by
name. An endpoint that is neither fails here, and a new page with a role is tried against every role
automatically. Old staff URLs are redirect rules: each answers 308 to a page under /console.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed

from app import storage
from app.accounts.models import EventRole, EventRoleKind
from app.accounts.permissions import ACTING_ORGANISATION, ROLES
from app.extensions import db as _db
from app.jobs import Job, JobStatus
from events.employers.models import EventPartner, PartnerRole, PartnerStatus
from events.employers.services import create_slot
from events.meetings import services as meetings
from events.programme.models import Room, SessionKind
from tests.badges.helpers import live_event
from tests.factories import make_session, register
from tests.roles import login, team_for

# Pages for everyone, signed in or not: attendees' secret links, the public programme, feeds, the API, sign-in.
PUBLIC = {
    "static", "favicon", "programme.index", "programme.event_page", "programme.session_page", "public.register", "public.registered",
    "public.my_registration", "public.confirm", "public.cancel", "public.edit_profile", "public.add_session",
    "public.drop_session", "privacy.notice", "privacy.download", "privacy.delete_account",
    "agendas.programme_pdf", "agendas.event_feed", "agendas.session_ics", "agendas.registration_agenda",
    "agendas.renew_registration_feed", "agendas.personal_feed", "badges.badge_pdf", "badges.badge_png",
    "meetings.attendee_wishes", "employers.apply", "employers.accept_invitation", "feedback.answer",
    "aftercare.certificate", "leads.withdraw", "meetings.rate",
    "accounts.login", "accounts.totp", "accounts.forgot_password", "accounts.reset_password",
    "api.openapi", "api.list_events", "api.get_event", "api.list_sessions", "api.get_session",
    "api.create_registration", "api.get_registration", "api.cancel_registration", "api.confirm_registration",
    "api.add_enrolment", "api.delete_enrolment",
    "ops.healthz", "ops.readyz",  # for load balancers (app/health.py)
}
# The scanner API answers to a door device's token, not to a signed-in person (tests/badges cover it).
DEVICE_TOKEN = {"scanner_api.check_in", "scanner_api.get_roster"}
# Metrics answer to METRICS_TOKEN only, never to a person (tests/ops/test_operations.py covers it).
OPERATOR_TOKEN = {"metrics.metrics"}
PEOPLE = ["anonymous", "user", "employer", "other_employer", "door", "staff", "other_staff", "admin"]
# Who holds each role, for this event (see app/accounts/permissions.py).
ALLOWED = {
    "admin": {"admin"},
    "staff": {"admin", "staff"},
    "door": {"admin", "staff", "door"},
    "employer": {"admin", "employer", "other_employer"},
    "user": {"user", "employer", "other_employer", "door", "staff", "other_staff", "admin"},
}
# Views that narrow their role further: (who may use them, what the others who hold the role get).
NARROWER = {
    # the console's front page lists the events a person works on: nothing to show to anyone else
    "console.index": ({"admin", "staff", "door", "other_staff"}, 403),
    # a job is seen by whoever started it, its event's staff and administrators; to others it does not exist
    "jobs.status": ({"admin", "staff"}, 404), "jobs.result": ({"admin", "staff"}, 404),
    "jobs.retry": ({"admin", "staff"}, 404),
}


@pytest.fixture
def world(db, tmp_path):
    event = live_event()
    session = make_session(event, room="Hall", capacity=None, kind=SessionKind.NETWORKING)
    registration = register(event)
    team = team_for(event)
    elsewhere = live_event()
    _db.session.add(EventRole(user=team["other_staff"], event_id=elsewhere.id, role=EventRoleKind.STAFF))
    _db.session.add(EventPartner(event=event, organisation_id=team["employer"].organisation_id,
                                 role=PartnerRole.LEAD, status=PartnerStatus.ACCEPTED))
    room = _db.session.scalars(select(Room).where(Room.event_id == event.id)).first()
    start = event.starts_at + timedelta(hours=3)
    slot = create_slot(event, room.id, start, start + timedelta(hours=1), start - timedelta(hours=1))
    storage.put("badges/permissions-sheet.pdf", b"%PDF-1.7")
    job = Job(kind="badges.sheet", status=JobStatus.DONE, done=4, total=4, event_id=event.id,
              user_id=team["admin"].id, result={"document": "badges/permissions-sheet.pdf",
                                                 "filename": "sheet.pdf", "mimetype": "application/pdf"})
    _db.session.add(job)
    _db.session.commit()
    setup = meetings.configure(session, slot_minutes=10, changeover_minutes=5, max_meetings=2, max_wishes=3)
    meetings.set_employer(setup, team["employer"].organisation_id, 1)
    role = _db.session.scalars(select(EventRole).where(EventRole.event_id == event.id)).first()
    values = {"slug": event.slug, "event_id": event.id, "session_id": session.id,
              "registration_id": registration.id, "room_id": room.id, "role_id": role.id, "slot_id": slot.id,
              "booking_id": 1, "badge_id": 1, "job_id": job.id, "upload": "x" * 24, "name": "registrations",
              "fmt": "csv", "action": "resend", "device_id": 1, "door": "main", "meeting_id": 1,
              "lead_id": 1}
    return {"event": event, "team": team, "values": values}


def _declared_rules(app):
    """(rule, view) for every endpoint that is not public, not a redirect and not the door's (see above)."""
    for rule in app.url_map.iter_rules():
        if rule.redirect_to is None and rule.endpoint not in PUBLIC | DEVICE_TOKEN | OPERATOR_TOKEN:
            yield rule, app.view_functions[rule.endpoint]


def _url(rule, values):
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


def test_every_endpoint_is_public_or_declares_its_role(app):
    rules = list(_declared_rules(app))
    assert len(rules) > 50
    undeclared = [r.endpoint for r, view in rules if getattr(view, "required_role", None) not in ROLES]
    assert not undeclared, f"views neither in PUBLIC nor with @requires: {undeclared}"
    assert not {e for e in PUBLIC if e not in app.view_functions}, "PUBLIC names an endpoint that is gone"
    assert not [rule.rule for rule in app.url_map.iter_rules() if rule.redirect_to is None
                and rule.rule.startswith(("/staff/", "/jobs/", "/dev/"))]


def _expected(rule, view, person: str) -> tuple[bool, int]:
    """(allowed, the status when refused) for ``person`` on a view."""
    allowed = ALLOWED[view.required_role]
    if rule.endpoint == "door.events":  # "door" without an event: door staff or staff of any event
        return person in {"admin", "staff", "door", "other_staff"}, 403
    if person in allowed and rule.endpoint in NARROWER:
        return person in NARROWER[rule.endpoint][0], NARROWER[rule.endpoint][1]
    if view.required_role == "employer" and "slug" in rule.arguments and person == "other_employer":
        return False, 404  # an organisation that does not take part in the event: no hint the page exists
    return person in allowed, 403


def _check(client, rule, view, url: str, person: str) -> str | None:
    """What is wrong with the answer, or None."""
    method = "GET" if "GET" in rule.methods else "POST"
    allowed, refusal = _expected(rule, view, person)
    if method == "POST" and allowed:
        return None  # allowed POSTs change things; their behaviour is tested with their feature
    response = client.open(url, method=method)
    code, location = response.status_code, response.location or ""
    if person == "anonymous":
        ok = (code == 302 and "/account/login" in location) or code == 401
    elif not allowed:
        ok = code == refusal
    elif view.required_role == "employer" and person == "admin":
        ok = code == 303 and "/employer/act-for" in location  # first choose which organisation to act for
    else:
        ok = code in (200, 202, 303) or (code == 302 and "/account/login" not in location)
    return None if ok else f"{method} {url} as {person}: {code} {location}"


@pytest.mark.parametrize("person", PEOPLE)
def test_each_role_against_each_endpoint(app, client, world, person):
    if person != "anonymous":
        login(client, world["team"][person])
    failures = [_check(client, rule, view, _url(rule, world["values"]), person)
                for rule, view in _declared_rules(app)]
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)


def test_an_administrator_acts_for_the_organisation_chosen(app, client, world):
    login(client, world["team"]["admin"])
    slug, organisation_id = world["event"].slug, world["team"]["employer"].organisation_id
    response = client.get(f"/employer/e/{slug}/")
    assert response.status_code == 303 and "/employer/act-for" in response.location
    chooser = client.get(response.location)
    assert chooser.status_code == 200 and "Employer of" in chooser.text
    chosen = client.post(f"/employer/act-for?next=/employer/e/{slug}/", data={"organisation": organisation_id})
    assert chosen.status_code == 303 and chosen.location.endswith(f"/employer/e/{slug}/")
    with client.session_transaction() as session:
        assert session[ACTING_ORGANISATION] == organisation_id
    assert client.get(f"/employer/e/{slug}/").status_code == 200
    assert client.get("/employer/").status_code == 200
    assert client.get(f"/employer/e/{slug}/meetings").status_code == 200
    assert client.post("/employer/act-for?next=https://evil.example/", data={"organisation": organisation_id}
                       ).location.endswith("/employer/")
    assert client.post("/employer/act-for", data={"organisation": "999999"}).status_code == 400


def test_the_chooser_is_for_administrators_only(client, world):
    login(client, world["team"]["employer"])
    assert client.get("/employer/act-for").status_code == 403


def test_old_staff_urls_answer_a_permanent_redirect_to_the_console(app, client, world):
    values = world["values"]
    legacy = [rule for rule in app.url_map.iter_rules() if rule.redirect_to is not None]
    assert len(legacy) >= 15
    for rule in legacy:
        for method in ("GET", "POST"):
            old = _url(rule, values)
            response = client.open(old, method=method)
            assert response.status_code == 308, (method, old, response.status_code)
            new = response.location.split("://", 1)[-1].split("/", 1)[-1]
            assert new.startswith("console/"), (old, response.location)
            adapter = app.url_map.bind("localhost")
            try:
                endpoint, _args = adapter.match("/" + new, method=method)
            except MethodNotAllowed:  # the page is there, for the other method
                continue
            assert endpoint in app.view_functions and not endpoint.startswith("legacy:"), (old, new)


def test_old_urls_keep_their_meaning(client, world):
    slug, event_id = world["event"].slug, world["event"].id
    cases = {f"/staff/events/{slug}/partners": f"/console/e/{slug}/partners",
             f"/staff/events/{slug}/meetings": f"/console/e/{slug}/meetings",
             f"/staff/events/{slug}/meetings/7/day/refill": f"/console/e/{slug}/meetings/7/day/refill",
             f"/staff/events/{event_id}/badges": f"/console/e/{slug}/badges",
             f"/staff/events/{event_id}/badges/3/reissue": f"/console/e/{slug}/badges/3/reissue",
             "/jobs/5/result": "/console/jobs/5/result"}
    for old, new in cases.items():
        assert client.get(old).location.endswith(new), old
    assert client.get("/staff/events/999999/badges").status_code == 404


def test_staff_of_another_event_sees_nothing_of_this_one(client, world):
    login(client, world["team"]["other_staff"])
    slug = world["event"].slug
    assert client.get(f"/console/e/{slug}/registrations").status_code == 403
    assert client.get(f"/console/e/{slug}/export/registrations.csv").status_code == 403
    html = client.get("/console/").get_data(as_text=True)
    assert world["event"].title not in html


def test_the_console_menu_shows_what_a_person_may_open(client, world):
    slug = world["event"].slug
    login(client, world["team"]["staff"])
    html = client.get(f"/console/e/{slug}/").text
    for path in ("registrations", "sessions", "partners", "meetings", "badges", "audit"):
        assert f'href="/console/e/{slug}/{path}"' in html, path
    assert f"/console/e/{slug}/roles" not in html  # the team is the administrators' to change
    login(client, world["team"]["admin"])
    assert f'href="/console/e/{slug}/roles"' in client.get(f"/console/e/{slug}/").text


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


def test_limit_headers_come_with_limited_views_only(app):
    """The limiter's after-request work runs for a view that checked a limit (app/extensions.py init_limiter):
    its answers carry the X-RateLimit headers and the limit still bites; other answers carry none."""
    from app import create_app
    from app.extensions import limiter
    limited = create_app({**app.config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"})
    try:
        client = limited.test_client()
        answers = [client.post("/api/v1/events/no-such-day/registrations", json={}) for _ in range(31)]
        assert answers[0].status_code == 422 and answers[0].headers["X-RateLimit-Limit"] == "30"
        assert answers[-1].status_code == 429
        unlimited = client.get("/api/v1/events")
        assert unlimited.status_code == 200 and "X-RateLimit-Limit" not in unlimited.headers
    finally:
        limiter.init_app(app)
