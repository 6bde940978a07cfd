"""Security headers on every response: every GET route of the URL map (as a visitor, an administrator and an
employer contact), error pages, static files, the scanner API served in front of Flask; HSTS only under an https
BASE_URL. And no template brings back inline script or style, which the Content-Security-Policy forbids."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import select

from app.jobs import Job, JobStatus
from app.mail import OutboxMessage
from events.agendas import feeds
from events.employers.services import create_slot
from events.employers.models import EventPartner, PartnerRole
from events.programme.models import Room
from tests.badges.helpers import device_token, live_event
from tests.factories import make_session, register
from tests.roles import login, team_for

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = ("anonymous", "admin", "employer")


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            assert words[0] not in found, f"{words[0]} twice in {policy!r}"
            found[words[0]] = words[1:]
    return found


def header_problems(response, *, https: bool = False) -> list[str]:
    """What is wrong with one response's security headers (empty: nothing)."""
    headers = response.headers
    policy = headers.get("Content-Security-Policy")
    if not policy:
        return ["no Content-Security-Policy"]
    problems = []
    csp = directives(policy)
    if "'unsafe-inline'" in policy or "'unsafe-eval'" in policy:
        problems.append(f"unsafe source in {policy!r}")
    for name, expected in (("frame-ancestors", ["'none'"]), ("object-src", ["'none'"]), ("base-uri", ["'self'"]),
                           ("form-action", ["'self'"]), ("default-src", ["'self'"]), ("style-src", ["'self'"]),
                           ("script-src", ["'self'", "'wasm-unsafe-eval'"]), ("worker-src", ["'self'"])):
        if csp.get(name) != expected:
            problems.append(f"{name} is {csp.get(name)}, expected {expected}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in ("same-origin", "no-referrer"):  # no-referrer: a page holding a secret
        problems.append(f"Referrer-Policy is {headers.get('Referrer-Policy')!r}")
    hsts = headers.get("Strict-Transport-Security")
    if https and not (hsts and re.match(r"max-age=\d{7,}", hsts)):
        problems.append(f"Strict-Transport-Security is {hsts!r} under an https BASE_URL")
    if not https and hsts:
        problems.append(f"Strict-Transport-Security {hsts!r} under an http BASE_URL")
    return problems


@pytest.fixture
def world(app, db):
    """One of everything a GET route needs: an event happening now with a room, a session, a workshop slot, a
    registration, an outbox message, a job, a calendar feed, a scanner device; and its staff."""
    event = live_event()
    session = make_session(event, room="Hall", capacity=5)
    registration = register(event, sessions=[session])
    team = team_for(event)
    employer = team["employer"]
    db.session.add(EventPartner(event=event, organisation_id=employer.organisation_id, role=PartnerRole.LEAD))
    room = db.session.scalars(select(Room).where(Room.event_id == event.id)).one()
    start = event.starts_at + timedelta(hours=3)
    slot = create_slot(event, room.id, start, start + timedelta(hours=1), start - timedelta(hours=1))
    job = Job(kind="badges.sheet", status=JobStatus.RUNNING, done=1, total=4, event_id=event.id,
              user_id=team["admin"].id)
    db.session.add(job)
    db.session.commit()
    message_id = db.session.scalars(select(OutboxMessage.id).limit(1)).first()  # the registration's mail
    values = {"slug": event.slug, "session_id": session.id, "registration_id": registration.id,
              "token": registration.token, "event_id": event.id, "door": "main", "slot_id": slot.id,
              "job_id": job.id, "message_id": message_id, "upload": "x" * 24, "name": "registrations",
              "fmt": "csv", "filename": "css/app.css", "booking_id": 1, "badge_id": 1, "device_id": 1, "action": "refill",
              "feed_token": feeds.feed_token(registration_id=registration.id)}
    db.session.commit()
    return {"event": event, "team": team, "values": values, "device": device_token(event)}


def sign_in(client, user) -> None:
    login(client, user)
    g.pop("_login_user", None)  # requests share the test's app context, and Flask-Login keeps the user in g


def sign_out(client) -> None:
    client.delete_cookie("session")
    g.pop("_login_user", None)


def _get_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]


def test_every_get_route_answers_with_the_security_headers(app, client, world):
    failures, answered = [], {}
    for person in PEOPLE:
        if person != "anonymous":
            sign_in(client, world["team"][person])
        for rule in _get_rules(app):
            missing = [a for a in rule.arguments if world["values"].get(a) is None]
            assert not missing, f"no value for {missing} of {rule.rule}: add one to the world fixture"
            url = rule.build({a: world["values"][a] for a in rule.arguments}, append_unknown=False)[1]
            response = client.get(url)
            answered.setdefault(rule.endpoint, set()).add(response.status_code)
            # /readyz says 503 by design here: the test database is made by create_all, not by the migrations
            if response.status_code >= 500 and rule.endpoint != "ops.readyz":
                failures.append(f"{url} as {person}: {response.status_code}")
            failures += [f"{url} as {person} ({response.status_code}): {p}" for p in header_problems(response)]
        sign_out(client)
    assert not failures, "\n".join(failures)
    # Most routes really answered (not just a redirect to the login page or a 404): pages, files, feeds, JSON.
    ok = sorted(endpoint for endpoint, codes in answered.items() if 200 in codes)
    assert len(ok) >= 60, ok
    for endpoint in ("public.my_registration", "dashboard.dashboard_page", "agendas.personal_feed",
                     "agendas.programme_pdf", "api.list_events", "static", "jobs.status",
                     "door.service_worker", "employers.home"):
        assert endpoint in ok, answered.get(endpoint)


def test_error_pages_files_and_the_scanner_api_carry_them_too(app, client, world):
    responses = {
        "404 page": client.get("/no/such/page"),
        "404 JSON": client.get("/api/v1/events/no-such-day"),
        "405 page": client.get("/account/logout"),
        "static file": client.get("/static/js/checkin.js"),
        "vendor wasm": client.get("/static/vendor/barcode-detector/zxing_reader.wasm"),
        "scanner roster without token": client.get("/api/v1/checkin/roster"),
        "scanner roster": client.get("/api/v1/checkin/roster",
                                     headers={"Authorization": f"Bearer {world['device']}"}),
        "scanner check-in, bad body": client.post("/api/v1/checkin", json={},
                                                  headers={"Authorization": f"Bearer {world['device']}"}),
        "scanner 405": client.put("/api/v1/checkin"),
        "form POST (422)": client.post(f"/e/{world['event'].slug}/register", data={}),
    }
    etag = responses["static file"].headers["ETag"]
    responses["static file, not modified"] = client.get("/static/js/checkin.js", headers={"If-None-Match": etag})
    codes = {name: r.status_code for name, r in responses.items()}
    assert codes == {"404 page": 404, "404 JSON": 404, "405 page": 405, "static file": 200, "vendor wasm": 200,
                     "scanner roster without token": 401, "scanner roster": 200,
                     "scanner check-in, bad body": 422, "scanner 405": 405, "form POST (422)": 422,
                     "static file, not modified": 304}
    failures = [f"{name}: {p}" for name, r in responses.items() for p in header_problems(r)]
    assert not failures, "\n".join(failures)


def test_a_crash_answers_with_the_security_headers(app):
    from app import create_app
    broken = create_app({**app.config})

    @broken.route("/boom")
    def boom():
        raise RuntimeError("a bug")

    @broken.route("/api/v1/boom")
    def api_boom():
        raise RuntimeError("a bug")

    client = broken.test_client()
    for url in ("/boom", "/api/v1/boom"):
        response = client.get(url)
        assert response.status_code == 500
        assert not header_problems(response), (url, header_problems(response))


def test_strict_transport_security_only_under_an_https_base_url(app, client, world, monkeypatch):
    urls = ["/", f"/e/{world['event'].slug}/", "/static/css/app.css", "/api/v1/events", "/no/such/page"]
    scanner = {"Authorization": f"Bearer {world['device']}"}
    for url in urls:
        assert "Strict-Transport-Security" not in client.get(url).headers, url
    assert "Strict-Transport-Security" not in client.get("/api/v1/checkin/roster", headers=scanner).headers
    monkeypatch.setitem(app.config, "BASE_URL", "https://welcome.example.org")
    for url in urls:
        response = client.get(url)
        assert not header_problems(response, https=True), (url, header_problems(response, https=True))
    response = client.get("/api/v1/checkin/roster", headers=scanner)
    assert response.status_code == 200 and not header_problems(response, https=True)


# ----------------------------------------------------------------------------------------------- templates

PAGE_TEMPLATES = sorted(p for p in (ROOT / "templates").rglob("*.html")
                        if p.relative_to(ROOT / "templates").parts[0] not in ("pdf", "email"))
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*?\s(on[a-z]+)\s*=", re.DOTALL | re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*?\sstyle\s*=", re.DOTALL | re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def inline_code_problems(html: str) -> list[str]:
    problems = []
    for attributes, body in SCRIPT.findall(html):
        if "src=" in attributes:
            if body.strip():
                problems.append("a <script src> with code inside")
        elif 'type="application/json"' not in attributes:  # JSON blocks are data, never run
            problems.append(f"inline <script>: {body.strip()[:60]!r}")
    problems += [f"{name}= handler" for name in HANDLER.findall(html)]
    problems += ["style= attribute"] * len(STYLE_ATTRIBUTE.findall(html))
    problems += ["<style> element"] * len(STYLE_ELEMENT.findall(html))
    problems += ["javascript: URL"] * len(JAVASCRIPT_URL.findall(html))
    return problems


def test_no_page_template_has_inline_script_handlers_or_styles():
    # The check itself finds what the policy forbids, and lets through what it allows.
    assert inline_code_problems('<p style="color:red">x</p>') == ["style= attribute"]
    assert inline_code_problems('<input\n  type="text" onfocus="this.select()">') == ["onfocus= handler"]
    assert inline_code_problems("<script>alert(1)</script>") == ["inline <script>: 'alert(1)'"]
    assert inline_code_problems('<a href="javascript:void(0)">x</a>') == ["javascript: URL"]
    assert inline_code_problems("<style>p { color: red }</style>") == ["<style> element"]
    assert not inline_code_problems('<script src="/static/js/a.js" defer></script>'
                                    '<script type="application/json" id="t">{"a": 1}</script>'
                                    '<p data-onsubmit="x" class="styled">one=two</p>')
    assert len(PAGE_TEMPLATES) > 60
    found = {str(p.relative_to(ROOT)): inline_code_problems(p.read_text()) for p in PAGE_TEMPLATES}
    assert not {name: problems for name, problems in found.items() if problems}
