"""The attendee's employer cards: what each offers and needs, and why it fits them or may not (the matcher's own
filters and reasons), with filters that keep the ranks of the employers they hide."""
from __future__ import annotations

import re

import pytest
from flask_babel import refresh

from events.employers.profiles import ProfileData, save_profile
from events.meetings import services
from events.programme.models import SessionKind
from events.registration import services as registration_services
from tests.employers.helpers import make_partner
from tests.factories import make_event, make_session, profile


@pytest.fixture
def day(db):
    event = make_event()
    session = make_session(event, offset_minutes=300, minutes=45, capacity=None, kind=SessionKind.NETWORKING)
    chem, _u = make_partner(event, name="ChemCo GmbH", email="hr@chemco.example")
    save_profile(chem.id, ProfileData(offers=["job", "internship"], fields_of_study=["Chemistry"],
                                      required_languages={"de": "C1"}, visa_support=True, locations=["Düsseldorf"],
                                      sectors=["Chemicals"], description="Adhesives and more."))
    lab, _u = make_partner(event, name="Research Lab", email="hr@lab.example")
    save_profile(lab.id, ProfileData(offers=["phd"], degree_levels=["phd"], blue_card_support=True))
    open_, _u = make_partner(event, name="Open Startup", email="hr@open.example")
    save_profile(open_.id, ProfileData(offers=["job"], fields_of_study=["Chemistry"], required_languages={"en": "B2"}))
    setup = services.configure(session, slot_minutes=10, changeover_minutes=5, max_meetings=2, max_wishes=3)
    for org in (chem, lab, open_):
        services.set_employer(setup, org.id, 1)
    result = registration_services.register_attendee(event.slug, registration_services.RegistrationRequest(
        email="ana@example.org", consent_processing=True, consent_sharing=True,
        profile=profile("Ana Pérez", degree_level="master", field_of_study="Chemistry",
                        languages={"en": "C1", "de": "B1"}, seeking=["job"])))
    registration = registration_services.confirm_email(result.registration)
    url = f"/r/{registration.token}/meetings/{session.id}"
    return {"setup": setup, "registration": registration, "url": url, "chem": chem, "lab": lab, "open": open_}


def _cards(page: str) -> list[str]:
    return re.findall(r'<li class="card employer-card" id="employer-(\d+)">', page)


def test_each_card_says_what_the_employer_offers_and_why_it_fits_or_not(client, day):
    page = client.get(day["url"]).text
    assert len(_cards(page)) == 3
    # in name order: ChemCo, Open Startup, Research Lab
    chem = page[page.index(f'id="employer-{day["chem"].id}"'):page.index(f'id="employer-{day["open"].id}"')]
    assert "Jobs, Internships" in chem and "German (C1)" in chem and "helps with the visa" in chem
    assert "Düsseldorf" in chem and "Chemicals" in chem and "any degree" in chem
    assert "We cannot match you with this employer:" in chem
    assert "German at level C1 is required; the profile says B1." in chem
    lab = page[page.index(f'id="employer-{day["lab"].id}"'):]
    assert "PhD places" in lab and "supports Blue Card applications" in lab
    assert "The employer looks for PhD; the degree is Master." in lab
    assert "The employer offers PhD places; the attendee looks for A job." in lab
    open_ = page[page.index(f'id="employer-{day["open"].id}"'):page.index(f'id="employer-{day["lab"].id}"')]
    assert "Why it fits you:" in open_ and "the field of study fits" in open_
    assert "languages above what is asked for" in open_ and "both look for the same kind of position" in open_
    refresh()
    german = client.get(day["url"] + "?lang=de").text
    assert "Stellen, Praktika" in german and "Deutsch (C1)" in german and "Warum es zu Ihnen passt:" in german


def test_filters_show_some_and_keep_the_ranks_of_the_others(client, day):
    assert client.post(day["url"], data={f"rank-{day['chem'].id}": "1", f"not-{day['lab'].id}": "y"}
                       ).status_code == 303
    assert _cards(client.get(day["url"], query_string={"offer": "phd"}).text) == [str(day["lab"].id)]
    assert set(_cards(client.get(day["url"], query_string={"support": "y"}).text)) == {
        str(day["chem"].id), str(day["lab"].id)}
    only_fitting = client.get(day["url"], query_string={"fits": "y"}).text
    assert _cards(only_fitting) == [str(day["open"].id)] and "1 of 3 employers shown" in only_fitting
    # the hidden employers keep their rank and "not interested" in the form that saves
    assert f'<input type="hidden" name="rank-{day["chem"].id}" value="1">' in only_fitting
    assert f'<input type="hidden" name="not-{day["lab"].id}" value="y">' in only_fitting
    bad = client.get(day["url"], query_string={"offer": "gold"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.text and len(_cards(bad.text)) == 3
