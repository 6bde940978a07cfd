"""The page's language is the person's language: registering on a German or Dutch page (?lang=, or a browser
that asks for it) makes that the language of every mail and of what they carry (badge, agenda PDF, calendar),
unless the person chooses another; they can change it later on their profile page. The same for the API."""
from __future__ import annotations

import io
import re

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from app.mail import OutboxMessage, build_email
from events.registration.models import Attendee
from tests.badges.helpers import live_event
from tests.factories import make_session, registration_form

SELECTED = re.compile(r'<select[^>]*name="locale".*?</select>', re.S)
WORDS = {  # (confirmation subject, badge role, agenda heading, calendar description)
    "de": ("Bitte bestätigen Sie Ihre Anmeldung", "Teilnehmer/in", "Ihr Tag", "Referentinnen und Referenten"),
    "nl": ("Bevestig je inschrijving", "Deelnemer", "Je dag", "Sprekers"),
    "en": ("Please confirm your registration", "Attendee", "Your day", "Speakers"),
}


def _default_choice(html: str) -> str:
    select_html = SELECTED.search(html).group(0)
    return re.search(r'<option selected value="(\w+)"|<option value="(\w+)" selected', select_html).group(
        0).split('"')[1]


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _message(db, template: str) -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                              .order_by(OutboxMessage.id.desc())).first()


def _confirm_and_check_attachments(app, db, lang: str) -> None:
    """Open the link of the confirmation request (from a client in English), then read the mail that follows."""
    subject, role, heading, speakers = WORDS[lang]
    message = _message(db, "confirm_registration")
    assert message.context["locale"] == lang
    assert message.subject.startswith(subject)
    token = re.search(r"/r/([A-Za-z0-9_-]{20,64})/confirm", message.body_text).group(1)
    english = app.test_client()
    assert english.get(f"/r/{token}/confirm", headers={"Accept-Language": "en"}).status_code == 302
    mail = build_email(_message(db, "registration_confirmed"))
    files = {part.get_filename().rsplit(".", 1)[1] + (":badge" if part.get_filename().startswith("badge") else ""):
             part.get_content() for part in mail.iter_attachments()}
    assert role.upper() in _pdf_text(files["pdf:badge"]).upper()  # the role is set in capitals
    assert heading.upper() in _pdf_text(files["pdf"]).upper()
    ics = Calendar.from_ical(files["ics"])
    descriptions = [str(c.get("description", "")) for c in ics.walk("VEVENT")]
    assert any(speakers in d for d in descriptions), descriptions


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["de", "nl"])
def test_registering_on_a_translated_page_mails_in_its_language(app, client, db, lang):
    event = live_event()
    session = make_session(event, offset_minutes=120, speakers="Dr. Ada Lovelace")
    page = client.get(f"/e/{event.slug}/register?lang={lang}")
    assert _default_choice(page.get_data(as_text=True)) == lang
    form = registration_form(f"ana-{lang}@example.org", sessions=[session], locale=lang)
    assert client.post(f"/e/{event.slug}/register", data=form).status_code == 302
    assert db.session.scalars(select(Attendee.locale)).one() == lang
    _confirm_and_check_attachments(app, db, lang)


def test_a_german_browser_gets_german_as_the_default_and_a_form_without_it_too(client, db):
    event = live_event()
    german = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
    assert _default_choice(client.get(f"/e/{event.slug}/register", headers=german).get_data(as_text=True)) == "de"
    form = registration_form("ben@example.org")
    del form["locale"]  # a page that did not send the field: the page's language, not English
    assert client.post(f"/e/{event.slug}/register", data=form, headers=german).status_code == 302
    assert db.session.scalars(select(Attendee.locale)).one() == "de"
    assert _message(db, "confirm_registration").subject.startswith(WORDS["de"][0])


def test_choosing_another_language_wins_and_can_be_changed_later(app, client, db):
    event = live_event()
    form = registration_form("cleo@example.org", locale="en")
    assert client.post(f"/e/{event.slug}/register?lang=nl", data=form).status_code == 302
    assert db.session.scalars(select(Attendee.locale)).one() == "en"
    message = _message(db, "confirm_registration")
    assert message.subject.startswith(WORDS["en"][0])
    token = re.search(r"/r/([A-Za-z0-9_-]{20,64})/confirm", message.body_text).group(1)
    client.get(f"/r/{token}/confirm")
    page = client.get(f"/r/{token}/profile").get_data(as_text=True)
    assert _default_choice(page) == "en"  # the stored choice, not the page's language
    form = registration_form("cleo@example.org", locale="nl")
    assert client.post(f"/r/{token}/profile", data=form).status_code == 303
    assert db.session.scalars(select(Attendee.locale)).one() == "nl"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["de", "nl"])
def test_the_api_defaults_to_the_requests_language(app, client, db, lang):
    event = live_event()
    make_session(event, offset_minutes=120, speakers="Dr. Ada Lovelace")
    body = {"email": f"dev-{lang}@example.org", "full_name": "Zhang Wei 张伟", "country": "CN",
            "university": "HHU Düsseldorf", "degree_level": "master", "field_of_study": "Physics",
            "consent_processing": True, "sessions": [s.id for s in event.sessions]}
    response = client.post(f"/api/v1/events/{event.slug}/registrations", json=body,
                           headers={"Accept-Language": f"{lang};q=1, en;q=0.5"})
    assert response.status_code == 202, response.get_json()
    assert db.session.scalars(select(Attendee.locale)).one() == lang
    _confirm_and_check_attachments(app, db, lang)


def test_the_api_locale_field_wins_over_the_header(client, db):
    event = live_event()
    body = {"email": "eve@example.org", "full_name": "Eve", "country": "NL", "university": "TU Delft",
            "degree_level": "phd", "field_of_study": "Physics", "consent_processing": True, "locale": "nl"}
    response = client.post(f"/api/v1/events/{event.slug}/registrations", json=body,
                           headers={"Accept-Language": "de"})
    assert response.status_code == 202
    assert db.session.scalars(select(Attendee.locale)).one() == "nl"
    body.update(email="fay@example.org", locale="fr")
    response = client.post(f"/api/v1/events/{event.slug}/registrations", json=body)
    assert response.status_code == 422 and "locale" in str(response.get_json())
