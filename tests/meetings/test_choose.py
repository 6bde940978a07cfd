"""The employer's "Whom do you want to meet?": search, filters, sort, pages, one choice at a time; and the fit
shown there (and on the attendee's employer cards) is the matcher's own."""
from __future__ import annotations

import random
import re
from datetime import date

import pytest
from flask_babel import refresh
from sqlalchemy import select

from app.extensions import db as _db
from events.employers.profiles import ProfileData, save_profile
from events.meetings import choosing, services
from events.meetings.build import build_instance, eid
from events.meetings.fit import pair_fit
from events.meetings.matching.scoring import is_allowed, score_pair
from events.meetings.models import EmployerChoice
from events.registration import services as registration_services
from tests.employers.helpers import login, make_partner
from tests.factories import make_event, make_session, profile
from events.programme.models import SessionKind

PEOPLE = [  # name, latin_name, degree, field, languages, seeking, country, graduation
    ("Zoë Müller", "", "master", "Chemistry", {"de": "native", "en": "C1"}, ["job"], "DE", date(2027, 3, 31)),
    ("张伟", "", "phd", "Materials science", {"en": "B2", "zh": "native"}, ["phd", "job"], "CN", date(2027, 9, 30)),
    ("সুমাইয়া রহমান", "Sumaiya Rahman", "bachelor", "Computer science", {"en": "C1", "bn": "native"},
     ["internship"], "BD", date(2026, 12, 31)),
    ("Nguyễn Thị Lan", "", "master", "Economics", {"en": "B1", "vi": "native"}, ["job"], "VN", None),
    ("Ahmed Hassan", "", "master", "Chemistry", {"en": "C2", "de": "B1", "ar": "native"}, ["job", "internship"],
     "EG", date(2027, 6, 30)),
]


def _person(event, i, name, latin_name, degree, field, languages, seeking, country, graduation):
    result = registration_services.register_attendee(event.slug, registration_services.RegistrationRequest(
        email=f"p{i}@example.org", consent_processing=True, consent_sharing=True, session_ids=[],
        profile=profile(name, latin_name=latin_name, degree_level=degree, field_of_study=field, languages=languages,
                        seeking=seeking, country=country, graduation_date=graduation)))
    return registration_services.confirm_email(result.registration)


@pytest.fixture
def pool(db):
    event = make_event()
    session = make_session(event, offset_minutes=300, minutes=45, capacity=None, kind=SessionKind.NETWORKING,
                           title="Meet the employers")
    org, user = make_partner(event, name="Henkel AG", email="hr@henkel.example")
    save_profile(org.id, ProfileData(offers=["job", "internship"], fields_of_study=["Chemistry"],
                                     degree_levels=["master", "phd"], required_languages={"en": "B2"}))
    regs = [_person(event, i, *p) for i, p in enumerate(PEOPLE)]
    # someone who does not share the profile is not in the pool
    private = registration_services.register_attendee(event.slug, registration_services.RegistrationRequest(
        email="private@example.org", profile=profile("Hidden Person"), consent_processing=True,
        consent_sharing=False))
    private = registration_services.confirm_email(private.registration)
    setup = services.configure(session, slot_minutes=10, changeover_minutes=5, max_meetings=2, max_wishes=3)
    services.set_employer(setup, org.id, 1)
    return {"event": event, "setup": setup, "org": org, "user": user, "regs": regs, "private": private,
            "url": f"/employer/e/{event.slug}/meetings/{session.id}/choose"}


def _names(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", n).strip() for n in re.findall(r'<h2 class="name">(.*?)</h2>', page, re.S)]


def _get(client, pool, **args):
    response = client.get(pool["url"], query_string=args)
    return response.status_code, response.get_data(as_text=True)


def test_search_ignores_accents_and_case_and_finds_latin_spellings(client, pool):
    login(client, pool["user"].email)
    status, page = _get(client, pool)
    assert status == 200 and len(_names(page)) == 5 and "Hidden Person" not in page
    # each name in its own script with its Latin spelling beside it; the attendee's own spelling wins
    assert "张伟</bdi> <span class=\"latin\" translate=\"no\">(Zhang Wei)</span>" in page
    assert "(Sumaiya Rahman)" in page
    for query, expected in [("muller", "Zoë Müller"), ("ZOE", "Zoë Müller"), ("zhang wei", "张伟"),
                            ("sumaiya", "সুমাইয়া রহমান"), ("রহমান", "সুমাইয়া রহমান"), ("nguyen lan", "Nguyễn Thị Lan"),
                            ("economics", "Nguyễn Thị Lan")]:
        names = _names(_get(client, pool, q=query)[1])
        assert [n.split(" (")[0] for n in names] == [expected], (query, names)
    assert "Nobody matches these filters." in _get(client, pool, q="nobody-like-this")[1]


def test_filters_narrow_the_pool(client, pool):
    login(client, pool["user"].email)

    def found(**args):
        status, page = _get(client, pool, **args)
        assert status == 200, (args, page[:300])
        return {n.split(" (")[0] for n in _names(page)}

    assert found(degree="master") == {"Zoë Müller", "Nguyễn Thị Lan", "Ahmed Hassan"}
    assert found(field="chem") == {"Zoë Müller", "Ahmed Hassan"}
    assert found(language="de") == {"Zoë Müller", "Ahmed Hassan"}
    assert found(language="de", level="B2") == {"Zoë Müller"}   # native counts as above C2
    assert found(language="en", level="C1") == {"Zoë Müller", "সুমাইয়া রহমান", "Ahmed Hassan"}
    assert found(seeking="phd") == {"张伟"}
    assert found(country="BD") == {"সুমাইয়া রহমান"}
    assert found(graduated_from="2027-01-01", graduated_to="2027-06-30") == {"Zoë Müller", "Ahmed Hassan"}
    assert found(degree="master", seeking="internship") == {"Ahmed Hassan"}
    choosing.choose(pool["setup"], pool["org"].id, pool["regs"][0].id, "wish")
    choosing.choose(pool["setup"], pool["org"].id, pool["regs"][1].id, "exclude")
    assert found(chosen="wish") == {"Zoë Müller"}
    assert found(chosen="exclude") == {"张伟"}
    assert len(found(chosen="none")) == 3


def test_bad_filters_are_named_next_to_their_field_never_a_500(client, pool):
    login(client, pool["user"].email)
    for args, message in [({"degree": "wizard"}, "Not a valid choice"),
                          ({"graduated_from": "soon"}, "Not a valid date value"),
                          ({"graduated_from": "2027-06-01", "graduated_to": "2027-01-01"},
                           "The end comes before the start."),
                          ({"page": "0"}, "Number must be between 1 and 100000"), ({"page": "x"}, "Not a valid integer value"),
                          ({"q": "a\u202eb\U000f0000"}, "This contains a character we cannot store"),
                          ({"q": "x" * 101}, "Field cannot be longer than 100 characters"),
                          ({"sort": "random"}, "Not a valid choice")]:
        status, page = _get(client, pool, **args)
        assert status == 422 and message in page, (args, status)
        assert 'class="error"' in page and len(_names(page)) >= 1  # the other filters still apply
    assert _get(client, pool, q="a\x00b")[0] == 400  # NUL in a query: the application refuses any such request


def test_sorting_by_name_graduation_and_fit(client, pool):
    login(client, pool["user"].email)
    by_name = [n.split(" (")[0] for n in _names(_get(client, pool)[1])]
    # alphabetical by the Latin spelling, which a recruiter can read: Ahmed, Nguyen, Sumaiya, Zhang, Zoe
    assert by_name == ["Ahmed Hassan", "Nguyễn Thị Lan", "সুমাইয়া রহমান", "张伟", "Zoë Müller"]
    by_graduation = [n.split(" (")[0] for n in _names(_get(client, pool, sort="graduation")[1])]
    assert by_graduation == ["সুমাইয়া রহমান", "Zoë Müller", "Ahmed Hassan", "张伟", "Nguyễn Thị Lan"]
    page = _get(client, pool, sort="fit")[1]
    by_fit = [n.split(" (")[0] for n in _names(page)]
    # the chemists fit best (field, languages, jobs); the bachelor and the B1 English speaker cannot be paired
    assert by_fit[:3] == ["Ahmed Hassan", "Zoë Müller", "张伟"] and set(by_fit[3:]) == {"Nguyễn Thị Lan", "সুমাইয়া রহমান"}
    assert page.count("The matcher will not pair you:") == 2
    assert "English at level B2 is required; the profile says B1." in page
    assert "The employer looks for Master, PhD; the degree is Bachelor." in page


def test_pages_of_25_as_links(client, pool):
    for i in range(26):
        _person(pool["event"], 100 + i, f"Extra Person {i:02d}", "", "master", "Physics", {"en": "C1"}, ["job"],
                "IN", None)
    login(client, pool["user"].email)
    status, first = _get(client, pool, degree="master")
    assert status == 200 and len(_names(first)) == 25 and "Page 1 of 2" in first
    assert f'href="{pool["url"]}?page=2&amp;degree=master&amp;sort=name"' in first
    second = _get(client, pool, degree="master", page=2)[1]
    assert len(_names(second)) == 4 and "Page 2 of 2" in second
    assert len(_names(_get(client, pool, degree="master", page=99)[1])) == 4  # past the end: the last page


def test_each_choice_is_saved_as_it_is_made(client, pool):
    login(client, pool["user"].email)
    setup, org, regs = pool["setup"], pool["org"], pool["regs"]
    url = f"{pool['url']}/{regs[2].id}"
    answer = client.post(url, data={"choice": "wish"}, headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.json == {"choice": "wish", "message": "Saved."}
    assert choosing.choices_of(setup, org.id) == {regs[2].id: "wish"}
    assert client.post(url, data={"choice": "exclude"}, headers={"Accept": "application/json"}).json["choice"] \
        == "exclude"
    assert choosing.choices_of(setup, org.id) == {regs[2].id: "exclude"}
    bad = client.post(url, data={"choice": "maybe"}, headers={"Accept": "application/json"})
    assert bad.status_code == 422 and bad.json["error"]["reason"] == "invalid_choice"
    assert choosing.choices_of(setup, org.id) == {regs[2].id: "exclude"}
    # without JavaScript the form posts and the same view of the list comes back, at the same person
    back = f"{pool['url']}?degree=master&page=1"
    plain = client.post(url, data={"choice": "", "back": back})
    assert plain.status_code == 303 and plain.location.endswith(f"{back}#person-{regs[2].id}")
    assert choosing.choices_of(setup, org.id) == {}
    elsewhere = client.post(url, data={"choice": "wish", "back": "https://evil.example/"})
    assert elsewhere.location.endswith(f"{pool['url']}#person-{regs[2].id}")
    # only people of the pool: not someone who does not share the profile, nor an unknown id
    hidden = _db.session.scalars(select(EmployerChoice)).all()
    assert [c.registration_id for c in hidden] == [regs[2].id]
    for other in (pool["private"].id, 999999):
        refused = client.post(f"{pool['url']}/{other}", data={"choice": "wish"},
                              headers={"Accept": "application/json"})
        assert refused.status_code == 422 and refused.json["error"]["reason"] == "not_eligible"
    page = _get(client, pool)[1]
    assert 'aria-pressed="true">Want to meet' in page and "you want to meet 1" in page


def test_profile_values_read_in_the_readers_language(client, pool):
    login(client, pool["user"].email)
    english = _get(client, pool)[1]
    assert "German (native speaker)" in english and "Master · <bdi>Chemistry</bdi>" in english and "March 2027" in english
    refresh()  # the test's app context outlives each request: forget the locale it cached
    german = client.get(pool["url"] + "?lang=de").get_data(as_text=True)
    assert "Deutsch (Muttersprache)" in german and "Ägypten" in german and "März 2027" in german
    refresh()
    dutch = client.get(pool["url"] + "?lang=nl").get_data(as_text=True)
    assert "Duits (moedertaal)" in dutch and "Egypte" in dutch and "maart 2027" in dutch
    for page in (english, german, dutch):
        assert not re.search(r">\s*(master|phd|bachelor)\s*<", page) and "de native" not in page
        assert "job, internship" not in page


def test_the_fit_shown_is_the_matchers_own(db):
    """For random profiles, "allowed" is the matcher's hard filter and the points its profile score."""
    rng = random.Random(13)
    event = make_event()
    session = make_session(event, offset_minutes=300, minutes=45, capacity=None, kind=SessionKind.NETWORKING)
    setup = services.configure(session, slot_minutes=10, changeover_minutes=5, max_meetings=2, max_wishes=3)
    orgs = []
    for i in range(4):
        org, _user = make_partner(event, name=f"Org{i} GmbH", email=f"hr@org{i}.example")
        save_profile(org.id, ProfileData(
            offers=rng.sample(["job", "internship", "phd", "mentoring"], rng.randint(0, 2)),
            fields_of_study=rng.sample(["Chemistry", "Economics", "Physics"], rng.randint(0, 2)),
            degree_levels=rng.sample(["bachelor", "master", "phd"], rng.randint(0, 2)),
            required_languages=dict(rng.sample([("en", "B2"), ("de", "C1"), ("nl", "A2")], rng.randint(0, 2)))))
        services.set_employer(setup, org.id, 1)
        orgs.append(org)
    for i in range(25):
        _person(event, i, f"Person {i}", "", rng.choice(["bachelor", "master", "phd"]),
                rng.choice(["Chemistry", "Economics", "Physics"]),
                dict(rng.sample([("en", rng.choice(["B1", "C1", "native"])), ("de", rng.choice(["A2", "C2"])),
                                 ("nl", "B1")], rng.randint(1, 3))),
                rng.sample(["job", "internship", "phd", "mentoring"], rng.randint(1, 2)), "IN", None)
    inst = build_instance(setup).instance
    seen = set()
    for att in inst.attendees:
        for org in orgs:
            emp = inst.emp[eid(org.id)]
            fit = pair_fit(inst, att, emp)
            allowed, _why = is_allowed(inst, att, emp)
            assert fit.allowed == allowed
            seen.add(allowed)
            if allowed:
                score, _reasons = score_pair(inst, att, emp)
                assert fit.points == score - 1  # no wishes yet: everything but the base point is the profile
            else:
                assert fit.blockers
    assert seen == {True, False}


def test_latin_spelling_prefers_the_attendees_own_and_capitalises_caseless_scripts():
    from types import SimpleNamespace

    from events.meetings.agenda import latin_spelling
    assert latin_spelling(SimpleNamespace(full_name="张伟", latin_name="Wei Zhang")) == "Wei Zhang"
    assert latin_spelling(SimpleNamespace(full_name="张伟", latin_name="")) == "Zhang Wei"
    assert latin_spelling(SimpleNamespace(full_name="Zoë Müller", latin_name=None)) == ""
    assert latin_spelling(SimpleNamespace(full_name="አበበ ከበደ", latin_name="")) == "'Abebe Kebede"
