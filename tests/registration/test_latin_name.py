"""The attendee's own Latin spelling of their name: declared once in the profile, and so in the form, the API,
the exports and the privacy export; shown to employers before any transliteration; erased with the rest."""
from __future__ import annotations

from sqlalchemy import select

from events.registration import services
from events.registration.models import Attendee, Registration
from events.registration.profile import BY_NAME, json_schema
from tests.factories import make_event, registration_form

API = "/api/v1"


def test_the_form_stores_it_and_checks_its_length(client, db):
    event = make_event()
    too_long = client.post(f"/e/{event.slug}/register", data=registration_form(full_name="张伟",
                                                                               latin_name="x" * 201))
    assert too_long.status_code == 422 and "Field cannot be longer than 200 characters" in too_long.text
    assert db.session.scalar(select(Attendee)) is None
    page = client.get(f"/e/{event.slug}/register").text
    assert 'name="latin_name"' in page and "Your name in Latin letters" in page
    response = client.post(f"/e/{event.slug}/register", data=registration_form(full_name="张伟",
                                                                               latin_name="Wei Zhang"))
    assert response.status_code in (302, 303)
    registration = db.session.scalars(select(Registration)).one()
    services.confirm_email(registration)
    db.session.expire_all()
    assert registration.attendee.latin_name == "Wei Zhang"
    data = client.get(f"/r/{registration.token}/data.json").get_json()
    assert data["profile"]["latin_name"] == "Wei Zhang"
    assert client.post(f"/r/{registration.token}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.get(Attendee, registration.attendee_id).latin_name == ""


def test_the_api_takes_and_gives_it(client, db):
    event = make_event()
    body = {"email": "wei@example.org", "full_name": "张伟", "latin_name": "Wei Zhang", "country": "CN",
            "university": "HHU Düsseldorf", "degree_level": "phd", "field_of_study": "Chemistry",
            "consent_processing": True}
    assert client.post(f"{API}/events/{event.slug}/registrations", json=body).status_code == 202
    registration = db.session.scalars(select(Registration)).one()
    data = client.get(f"{API}/registrations/{registration.token}").get_json()
    assert data["attendee"]["latin_name"] == "Wei Zhang"
    bad = client.post(f"{API}/events/{event.slug}/registrations",
                      json={**body, "email": "other@example.org", "latin_name": 5})
    assert bad.status_code == 422 and "latin_name" in bad.get_json()["error"]["fields"]
    schema = client.get("/api/openapi.json").get_json()
    assert "latin_name" in str(schema)


def test_declared_once_for_every_reader():
    assert BY_NAME["latin_name"].max_length == 200 and not BY_NAME["latin_name"].required
    assert json_schema()["properties"]["latin_name"]["maxLength"] == 200
