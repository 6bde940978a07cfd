"""No URL, query string, form or body may answer 500, and no text we cannot store gets in (or breaks an export).

The walker tries every rule of the URL map: each integer in the path with 2^31 and 2^63 (PostgreSQL's integer
overflowed before), and every GET route with every query parameter the application reads set to NUL and to other
characters no database or XML document takes. On PostgreSQL in CI, where NUL in text is an error.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from werkzeug.routing import IntegerConverter

from app.mail import OutboxMessage
from events.registration.models import Attendee, Registration
from tests.factories import make_event, make_session, register, registration_form
from tests.roles import login, team_for

ROOT = Path(__file__).resolve().parent.parent
HUGE = (2**31, 2**63)
# Characters no database (NUL) or no XML document (the rest) can hold.
UNSTORABLE = ["\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\uffff", "\U0010fffe", "\ud800"]


def _query_parameters() -> set[str]:
    """Every query parameter the application reads, found in its source (so a new one is tried automatically)."""
    pattern = re.compile(r"""(?:request\.args\.get(?:list)?|id_arg)\(\s*["']([a-z_]+)["']""")
    names = set()
    for folder in ("app", "events", "badges"):
        for path in (ROOT / folder).rglob("*.py"):
            names.update(pattern.findall(path.read_text()))
    return names


@pytest.fixture
def world(db):
    event = make_event()
    session = make_session(event, room="Hall", capacity=5)
    registration = register(event, sessions=[session])
    team = team_for(event)
    values = {"slug": event.slug, "token": registration.token, "event_id": event.id, "session_id": session.id,
              "registration_id": registration.id, "door": "main", "name": "registrations", "fmt": "csv",
              "action": "resend", "upload": "x" * 24, "filename": "css/app.css", "feed_token": "x" * 30}
    return {"event": event, "team": team, "values": values}


def _url(rule, values, huge: str | None = None, number: int = 0) -> str:
    args = {}
    for name in rule.arguments:
        if name == huge:
            args[name] = number
        elif isinstance(rule._converters.get(name), IntegerConverter):
            args[name] = values.get(name, 1)
        else:
            args[name] = values.get(name, "x")
    return rule.build(args, append_unknown=False)[1]


def _clients(app, world):
    anonymous = app.test_client()
    admin = app.test_client()
    login(admin, world["team"]["admin"])
    employer = app.test_client()
    login(employer, world["team"]["employer"])
    return {"anonymous": anonymous, "admin": admin, "employer": employer}


def test_integers_beyond_the_database_are_not_found_anywhere(app, world):
    clients = _clients(app, world)
    failures, tried = [], 0
    for rule in app.url_map.iter_rules():
        for name in rule.arguments:
            if not isinstance(rule._converters.get(name), IntegerConverter):
                continue
            for number in HUGE:
                url = _url(rule, world["values"], huge=name, number=number)
                method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
                for who, client in clients.items():
                    tried += 1
                    code = client.open(url, method=method).status_code
                    if code != 404 and not (who == "anonymous" and code == 302):
                        failures.append(f"{method} {url} as {who}: {code}")
    assert tried > 100
    assert not failures, "\n".join(failures)


def test_unreadable_characters_in_any_query_parameter_are_refused(app, world):
    names = _query_parameters()
    assert {"q", "page", "job", "station", "session", "kind", "next", "lang"} <= names
    clients = _clients(app, world)
    failures, tried = [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = _url(rule, world["values"])
        for who, client in clients.items():
            for bad in ("a\x00b", "\x00"):
                tried += 1
                response = client.get(url, query_string={name: bad for name in names})
                if response.status_code != 400:
                    failures.append(f"GET {url} ?…={bad!r} as {who}: {response.status_code}")
            for bad in ("a\x01b", "\uffff", str(2**63), "-1", "é" * 300):
                tried += 1
                code = client.get(url, query_string={name: bad for name in names}).status_code
                # /readyz says 503 by design here: the test database is made by create_all, not by migrations
                if code >= 500 and not (rule.endpoint == "ops.readyz" and code == 503):
                    failures.append(f"GET {url} ?…={bad!r} as {who}: {code}")
    assert tried > 500
    assert not failures, "\n".join(failures)


def test_nul_in_a_path_is_refused_before_any_view(client, world):
    slug, token = world["event"].slug, world["values"]["token"]
    for url in (f"/e/{slug}%00/", f"/r/{token}%00", "/e/%00/register", f"/e/{slug}/s/1%00", "/api/v1/events/%00",
                "/api/v1/registrations/%00"):
        response = client.get(url)
        assert response.status_code == 400 and b"U+0000" in response.data, url
    # In a form it is one more character we cannot store, said next to its field.
    response = client.post(f"/e/{slug}/register", data=registration_form(full_name="Ana\x00Pérez"))
    assert response.status_code == 422 and "U+0000" in response.get_data(as_text=True)


# ----------------------------------------------------------------------------------- text we cannot store


@pytest.mark.parametrize("char", [c for c in UNSTORABLE if c not in ("\x00", "\ud800")])
def test_registration_form_refuses_it_next_to_the_field(client, db, char):
    event = make_event()
    response = client.post(f"/e/{event.slug}/register", data=registration_form(full_name=f"Ana{char}Pérez"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"U+{ord(char):04X}" in html  # the message says which character
    assert db.session.scalar(select(Attendee.id)) is None


@pytest.mark.parametrize("char", UNSTORABLE)
@pytest.mark.parametrize("field", ["full_name", "badge_name", "university", "field_of_study"])
def test_registration_api_refuses_it_with_the_field_named(client, db, char, field):
    event = make_event()
    body = {"email": "ana@example.org", "full_name": "Ana Pérez", "country": "MX", "university": "HHU",
            "degree_level": "master", "field_of_study": "Chemistry", "consent_processing": True,
            field: f"x{char}y"}
    response = client.post(f"/api/v1/events/{event.slug}/registrations", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["reason"] == "validation_failed" and field in error["fields"]
    assert db.session.scalar(select(Attendee.id)) is None


@pytest.mark.parametrize("form_url,field,extra", [
    ("/e/{slug}/partner", "organisation_name", {"kind": "company", "contact_name": "Eva", "role": "lead_partner",
                                                "contact_email": "eva@example.org"}),
    ("/e/{slug}/partner", "message", {"organisation_name": "Acme", "kind": "company", "contact_name": "Eva",
                                      "role": "lead_partner", "contact_email": "eva@example.org"}),
])
def test_other_public_forms_refuse_it_too(client, db, form_url, field, extra):
    """The partner form had no check at all: every form now gets it from its base class."""
    event = make_event()
    response = client.post(form_url.format(slug=event.slug), data={**extra, field: "Acme\uffff"})
    assert response.status_code == 422
    assert "U+FFFF" in response.get_data(as_text=True)


def test_console_forms_refuse_it(client, db):
    event = make_event()
    login(client, team_for(event)["admin"])
    response = client.post(f"/console/e/{event.slug}/registrations/new", data={
        "email": "ana@example.org", "full_name": "Ana\u0007", "locale": "en", "consent": "y"})
    assert response.status_code == 422 and "U+0007" in response.get_data(as_text=True)
    response = client.post(f"/console/e/{event.slug}/sessions/new", data={
        "title": "CV clinic\ufffe", "kind": "talk", "starts": "10:00", "ends": "11:00", "language": "en"})
    assert response.status_code == 422 and "U+FFFE" in response.get_data(as_text=True)


def test_csv_import_names_the_row_and_the_character(client, db):
    event = make_event()
    login(client, team_for(event)["staff"])
    data = "email,name,university\nana@example.org,Ana\uffffPérez,HHU\nbo@example.org,Bo,Uni\x02Köln\n"
    response = client.post(f"/console/e/{event.slug}/import", data={"file": (io.BytesIO(data.encode()), "a.csv")})
    assert response.status_code == 303
    response = client.post(response.location, data={"go": "import", "map-email": "0", "map-full_name": "1",
                                                     "map-university": "2"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "U+FFFF" in html and "U+0002" in html
    assert db.session.scalar(select(Registration.id)) is None  # nothing imported half-way


def test_exports_drop_what_old_rows_hold(client, db):
    """Rows stored before the check may hold such characters: both Excel exports must still open."""
    event = make_event()
    workshop = make_session(event, title="CV clinic")
    registration = register(event, sessions=[workshop])
    db.session.execute(update(Attendee).where(Attendee.id == registration.attendee_id)
                       .values(full_name="Ana\uffff\x01Pérez", university="HHU\ufffe"))
    db.session.commit()
    login(client, team_for(event)["staff"])
    for name in ("registrations", "enrolments"):
        response = client.get(f"/console/e/{event.slug}/export/{name}.xlsx")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.data)).active
        values = [cell.value for row in sheet.iter_rows() for cell in row]
        assert "AnaPérez" in values, name
        csv = client.get(f"/console/e/{event.slug}/export/{name}.csv").get_data(as_text=True)
        assert "AnaPérez" in csv and "\uffff" not in csv


def test_no_unstorable_text_reaches_the_outbox(client, db):
    event = make_event()
    response = client.post(f"/e/{event.slug}/register", data=registration_form(full_name="Ana\u0008"))
    assert response.status_code == 422
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_sign_in_forms_refuse_it_too(client, db):
    for email in ("ana\x00@example.org", "ana\uffff@example.org"):
        response = client.post("/account/login", data={"email": email, "password": "whatever-it-is"})
        assert response.status_code == 422 or response.status_code == 200
        assert f"U+{ord(email[3]):04X}" in response.get_data(as_text=True)
