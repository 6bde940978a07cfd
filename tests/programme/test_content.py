"""Event content in several languages (issue 14): staff enter titles, abstracts, room names and descriptions per
language through the real forms; readers get their language with a fallback on the main one (pages, the personal
.ics parsed with icalendar, the agenda PDF read back with pypdf, the JSON API); staff see what is missing."""
from __future__ import annotations

import html
import re

from flask_babel import refresh
from sqlalchemy import select

from app.content import localized
from app.extensions import db as _db
from events.agendas import feeds
from events.programme.models import Event, Room, Session
from events.registration import services
from tests.agendas.conftest import pdf_text
from tests.agendas.helpers import vevents
from tests.factories import make_event, profile
from tests.roles import login, team_for


def _read(client, url: str, **kwargs) -> str:
    """A page as a new visitor reads it (the test's app context would keep the previous request's locale)."""
    refresh()
    return client.get(url, **kwargs).get_data(as_text=True)


def _event_with_room(db):
    event = make_event(languages=["en", "de", "nl"])
    db.session.add(Room(event=event, name="Great hall"))
    db.session.commit()
    return event


def _session_form(event, **fields) -> dict:
    room = event.rooms[0]
    data = {"title": "Applying in Germany", "kind": "workshop", "language": "en", "starts": "10:00", "ends": "11:00",
            "room_id": str(room.id), "capacity": "20", "needs_seat": "y", "speakers": "", "abstract": "CV and letter."}
    data.update(fields)
    return data


def _texts(event) -> Session:
    """A session with a German title and abstract and a Dutch title only; a room with a Dutch name only."""
    session = Session(event=event, title="Applying in Germany", abstract="CV and letter.",
                      starts_at=event.starts_at, ends_at=event.ends_at, room=event.rooms[0], capacity=20,
                      translations={"de": {"title": "Bewerben in Deutschland", "abstract": "Lebenslauf und Brief."},
                                    "nl": {"title": "Solliciteren in Duitsland"}})
    event.rooms[0].translations = {"nl": {"name": "Grote zaal"}}
    event.translations = {"de": {"title": "Willkommenstag", "description": "Ein Tag für Talente."}}
    _db.session.add(session)
    _db.session.commit()
    return session


def _register(event, session, locale: str):
    result = services.register_attendee(event.slug, services.RegistrationRequest(
        email=f"{locale}@example.org", profile=profile("Ana Pérez", locale=locale), consent_processing=True,
        consent_sharing=False, session_ids=[session.id]))
    return services.confirm_email(result.registration)


def test_staff_enter_each_language_in_the_session_and_event_forms(client, db):
    event = _event_with_room(db)
    login(client, team_for(event)["staff"])
    page = client.get(f"/console/e/{event.slug}/sessions/new").get_data(as_text=True)
    assert 'name="title_de"' in page and 'name="abstract_nl"' in page and 'name="title_en"' not in page
    assert "main language, required" in page

    response = client.post(f"/console/e/{event.slug}/sessions/new", data=_session_form(
        event, title_de="Bewerben in Deutschland", abstract_de="Lebenslauf und Brief.",
        title_nl="Solliciteren in Duitsland", abstract_nl=""))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    session = db.session.scalars(select(Session).where(Session.event_id == event.id)).one()
    assert session.title == "Applying in Germany"
    assert session.translations == {"de": {"title": "Bewerben in Deutschland", "abstract": "Lebenslauf und Brief."},
                                    "nl": {"title": "Solliciteren in Duitsland"}}
    # The edit form shows each language in its column again.
    edit = client.get(f"/console/e/{event.slug}/sessions/{session.id}/edit").get_data(as_text=True)
    assert re.search(r'name="title_nl"[^>]*value="Solliciteren in Duitsland"', edit)

    # Lengths are checked per language, and the main language's title is required; nothing is saved then.
    too_long = client.post(f"/console/e/{event.slug}/sessions/{session.id}/edit",
                           data=_session_form(event, title_de="x" * 201))
    assert too_long.status_code == 422 and 'id="title_de-error"' in too_long.get_data(as_text=True)
    no_main = client.post(f"/console/e/{event.slug}/sessions/{session.id}/edit",
                          data=_session_form(event, title="", title_de="Nur Deutsch"))
    assert no_main.status_code == 422 and 'id="title-error"' in no_main.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Session, session.id).translations["de"]["title"] == "Bewerben in Deutschland"

    # The event's own texts, and a room's name, through their forms.
    form = client.get(f"/console/e/{event.slug}/edit").get_data(as_text=True)
    assert 'name="description_nl"' in form
    fields = {"title": event.title, "slug": event.slug, "day": event.local(event.starts_at).date().isoformat(),
              "starts": "09:00", "ends": "17:00", "timezone": "Europe/Berlin", "languages": ["en", "de"],
              "main_language": "en", "title_de": "Willkommenstag", "description_nl": "Een dag voor talent."}
    assert client.post(f"/console/e/{event.slug}/edit", data=fields).status_code == 303
    room = event.rooms[0]
    assert client.post(f"/console/e/{event.slug}/rooms/{room.id}",
                       data={"name": "Great hall", "name_de": "Großer Saal", "name_nl": ""}).status_code == 303
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.translations == {"de": {"title": "Willkommenstag"}, "nl": {"description": "Een dag voor talent."}}
    assert db.session.get(Room, room.id).translations == {"de": {"name": "Großer Saal"}}


def test_changing_the_main_language_needs_its_texts_and_swaps_them(client, db):
    event = _event_with_room(db)
    session = _texts(event)
    login(client, team_for(event)["staff"])
    fields = {"title": event.title, "description": event.description, "slug": event.slug,
              "day": event.local(event.starts_at).date().isoformat(), "starts": "09:00", "ends": "17:00",
              "timezone": "Europe/Berlin", "languages": ["en", "de"], "main_language": "de",
              "title_de": "Willkommenstag", "description_de": "Ein Tag für Talente."}
    refused = client.post(f"/console/e/{event.slug}/edit", data=fields)  # the room has no German name
    assert refused.status_code == 422 and "Deutsch can become the main language" in refused.get_data(as_text=True)
    event.rooms[0].translations = {"de": {"name": "Großer Saal"}}
    db.session.commit()
    assert client.post(f"/console/e/{event.slug}/edit", data=fields).status_code == 303
    db.session.expire_all()
    event, session = db.session.get(Event, event.id), db.session.get(Session, session.id)
    assert (event.main_language, event.title, session.title) == ("de", "Willkommenstag", "Bewerben in Deutschland")
    assert session.translations["en"] == {"title": "Applying in Germany", "abstract": "CV and letter."}
    assert localized(session, "title", "en") == "Applying in Germany"


def test_public_pages_and_api_in_the_readers_language_with_fallback(client, db):
    event = _event_with_room(db)
    session = _texts(event)
    de = _read(client, f"/e/{event.slug}/s/{session.id}?lang=de")
    assert "Bewerben in Deutschland" in de and "Lebenslauf und Brief." in de and "Great hall" in de
    nl = _read(client, f"/e/{event.slug}/s/{session.id}?lang=nl")
    # Dutch title; no Dutch abstract: the main (English) one.
    assert "Solliciteren in Duitsland" in nl and "CV and letter." in nl and "Grote zaal" in nl
    en = _read(client, f"/e/{event.slug}/s/{session.id}?lang=en")
    assert "Applying in Germany" in en and "Bewerben" not in en
    page = _read(client, f"/e/{event.slug}/?lang=de")
    assert "Willkommenstag" in page and "Bewerben in Deutschland" in page
    assert event.title in _read(client, f"/e/{event.slug}/?lang=nl")  # no Dutch title

    refresh()
    booklet = pdf_text(client.get(f"/e/{event.slug}/programme.pdf?lang=nl").data)  # the programme booklet
    assert "Solliciteren in Duitsland" in booklet and "Grote zaal" in booklet and "CV and letter." in booklet

    refresh()
    fresh = client.application.test_client()  # no cookie remembering the page's ?lang=
    api = fresh.get(f"/api/v1/events/{event.slug}/sessions", headers={"Accept-Language": "de"}).get_json()
    item = next(s for s in api["sessions"] if s["id"] == session.id)
    assert item["title"] == "Bewerben in Deutschland" and item["room"] == "Great hall"
    assert item["translations"]["en"]["title"] == "Applying in Germany"
    assert item["translations"]["nl"] == {"title": "Solliciteren in Duitsland"}


def test_personal_feed_and_agenda_pdf_follow_the_attendees_language(client, db):
    event = _event_with_room(db)
    session = _texts(event)
    dutch, german = _register(event, session, "nl"), _register(event, session, "de")

    def feed(registration) -> dict:
        refresh()
        body = client.get(f"/calendar/{feeds.feed_token(registration_id=registration.id)}.ics").data
        (item,) = vevents(body).values()
        return item["component"]

    nl = feed(dutch)
    assert str(nl["SUMMARY"]) == "Solliciteren in Duitsland" and str(nl["LOCATION"]).startswith("Grote zaal")
    assert "CV and letter." in str(nl["DESCRIPTION"])  # no Dutch abstract: the main one
    de = feed(german)
    assert str(de["SUMMARY"]) == "Bewerben in Deutschland" and "Lebenslauf und Brief." in str(de["DESCRIPTION"])
    assert str(de["LOCATION"]).startswith("Great hall")

    # The public feed: ?lang=, else the event's main language (whatever the client's Accept-Language).
    refresh()
    public = vevents(client.get(f"/e/{event.slug}/programme.ics?lang=nl").data)
    assert [str(e["component"]["SUMMARY"]) for e in public.values()] == ["Solliciteren in Duitsland"]
    refresh()
    plain = vevents(client.get(f"/e/{event.slug}/programme.ics", headers={"Accept-Language": "de"}).data)
    assert [str(e["component"]["SUMMARY"]) for e in plain.values()] == ["Applying in Germany"]

    refresh()
    text = pdf_text(client.get(f"/r/{german.token}/agenda.pdf").data)
    assert "Bewerben in Deutschland" in text and "Willkommenstag" in text
    refresh()
    text = pdf_text(client.get(f"/r/{dutch.token}/agenda.pdf").data)
    assert "Solliciteren in Duitsland" in text and "Grote zaal" in text and event.title in text

    # The confirmation mail, in each attendee's language.
    from app.mail import memory_outbox, send_pending
    send_pending()
    mails = {m["To"]: m for m in memory_outbox() if "Ana" in m.get_body(("plain",)).get_content()}
    german_mail = mails["de@example.org"].get_body(("plain",)).get_content()
    assert "Willkommenstag" in mails["de@example.org"]["Subject"] and "Bewerben in Deutschland" in german_mail
    dutch_mail = mails["nl@example.org"].get_body(("plain",)).get_content()
    assert "Solliciteren in Duitsland, Grote zaal" in dutch_mail


def test_staff_see_the_missing_translations_with_links(client, db):
    event = _event_with_room(db)
    session = _texts(event)
    other = Session(event=event, title="Blue Card", abstract="", starts_at=event.starts_at, ends_at=event.ends_at)
    db.session.add(other)
    db.session.commit()
    login(client, team_for(event)["staff"])
    page = client.get(f"/console/e/{event.slug}/sessions").get_data(as_text=True)
    panel = page[page.index('id="translations"'):page.index("</section>", page.index('id="translations"'))]
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel)))
    # German: the other session's title, the room; Dutch: the day's title and description, the other session's
    # title, the first session's abstract.
    assert "Deutsch : 2 texts missing" in text and "Nederlands : 4 texts missing" in text
    assert "1 session has no Deutsch title." in text and "1 room has no Deutsch name." in text
    assert "1 session has no Nederlands abstract." in text and "The day's description has no Nederlands" in text
    assert f'/console/e/{event.slug}/sessions/{other.id}/edit' in panel
    assert f'/console/e/{event.slug}/sessions/{session.id}/edit' in panel  # its Dutch abstract is missing


def test_employers_write_their_text_per_language_and_readers_get_theirs(client, db):
    from events.employers.models import Organisation
    event = _event_with_room(db)
    employer = team_for(event)["employer"]
    login(client, employer)
    form = client.get("/employer/profile").get_data(as_text=True)
    assert 'name="description_de"' in form and 'name="description_nl"' in form
    data = {"description": "Adhesives and more.", "description_de": "Klebstoffe und mehr.", "description_nl": "",
            "required_languages-0-code": "", "required_languages-0-level": "",
            "required_languages-1-code": "", "required_languages-1-level": ""}
    assert client.post("/employer/profile", data=data).status_code == 303
    organisation = db.session.get(Organisation, employer.organisation_id)
    assert organisation.translations == {"de": {"description": "Klebstoffe und mehr."}}
    assert localized(organisation, "description", "de") == "Klebstoffe und mehr."
    assert localized(organisation, "description", "nl") == "Adhesives and more."
    # Dutch as the main language: refused while there is no Dutch text; German works and swaps the texts.
    refused = client.post("/employer/profile", data={**data, "main_language": "nl"})
    assert refused.status_code == 422 and "Write the text in Nederlands first" in refused.get_data(as_text=True)
    assert client.post("/employer/profile", data={**data, "main_language": "de"}).status_code == 303
    db.session.expire_all()
    organisation = db.session.get(Organisation, employer.organisation_id)
    assert (organisation.main_language, organisation.description) == ("de", "Klebstoffe und mehr.")
    assert organisation.translations == {"en": {"description": "Adhesives and more."}}


def test_a_badge_prints_the_days_title_in_its_holders_language(client, db):
    from badges import services as badges
    event = _event_with_room(db)
    session = _texts(event)
    german, dutch = _register(event, session, "de"), _register(event, session, "nl")
    badges.issue_event_badges(event)
    titles = {badge.registration_id: badges.card_for(badge).event_title
              for badge in badges.select_badges(event, role="attendee")}
    assert titles == {german.id: "Willkommenstag", dutch.id: event.title}  # no Dutch title: the main one
