"""Search as people type: the staff desk and the door find people whatever the case, the accents or the script
("muller" finds "Müller", "zhang" finds "张伟"), through the attendee's stored search key (one LIKE in SQL);
the key follows every change of a name, and the offline roster carries it for the door page's own search."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.text import search_key
from badges import services as badges
from events.registration import privacy, services
from events.registration.models import Attendee
from tests.factories import profile, register
from tests.roles import login
from tests.test_migrations import _flask, _fresh_database

PEOPLE = [("mueller@example.org", "Anna Müller"), ("zhang@example.org", "张伟"),
          ("nguyen@example.org", "Nguyễn Thị Minh Khai"), ("ivan@example.org", "Иван Петров"),
          ("orsted@example.org", "Søren Ørsted"), ("percent@example.org", "Ana 100% Pérez")]
QUERIES = [("muller", {"Anna Müller"}), ("MÜLLER", {"Anna Müller"}), ("zhang", {"张伟"}),
           ("zhangwei", {"张伟"}), ("张", {"张伟"}), ("nguyen minh", {"Nguyễn Thị Minh Khai"}),
           ("ivan", {"Иван Петров"}), ("петров", {"Иван Петров"}), ("orsted", {"Søren Ørsted"}),
           ("100%", {"Ana 100% Pérez"}), ("%", {"Ana 100% Pérez"}), ("_", set()), ("pérez 100", {"Ana 100% Pérez"}),
           ("anna zhang", set())]


@pytest.fixture
def people(event):
    return {name: register(event, email, name=name) for email, name in PEOPLE}


def _desk(client, event, q) -> set[str]:
    html = client.get(f"/console/e/{event.slug}/registrations", query_string={"q": q}).get_data(as_text=True)
    return {name for _email, name in PEOPLE if name in html}


def test_the_desk_search_folds_case_accents_and_scripts(client, team, event, people):
    login(client, team["staff"])
    assert {q: _desk(client, event, q) for q, _found in QUERIES} == dict(QUERIES)


def test_the_door_search_folds_case_accents_and_scripts(client, team, event, people):
    badges.issue_event_badges(event)
    login(client, team["door"])
    found = {}
    for q, _expected in QUERIES:
        response = client.get(f"/console/e/{event.slug}/door/main/search", query_string={"q": q})
        assert response.status_code == 200
        found[q] = {r["name"] for r in response.json["results"]}
    assert found == {q: names if len(q) >= 2 else set() for q, names in QUERIES}  # one letter: too short


def test_the_key_follows_the_profile_and_is_in_the_roster(client, team, event, people, db):
    registration = people["Anna Müller"]
    services.update_profile(registration, profile("Ånna Schröder"), consent_sharing=False)
    stored = db.session.scalars(select(Attendee).where(Attendee.email == "mueller@example.org")).one()
    assert stored.search_key == search_key("Ånna Schröder", "Ånna", "mueller@example.org", "HHU Düsseldorf")
    login(client, team["staff"])
    assert _desk(client, event, "schroder") == set() and "Ånna Schröder" in client.get(
        f"/console/e/{event.slug}/registrations?q=schroder").get_data(as_text=True)
    assert _desk(client, event, "muller") == set()
    badges.issue_event_badges(event)
    login(client, team["door"])
    roster = client.get(f"/console/e/{event.slug}/door/roster.json").json
    keys = {b["f"]: b["q"] for b in roster["badges"]}
    assert "zhang wei" in keys["张伟"] and "schroder" in keys["Ånna Schröder"]


def test_erasing_a_person_erases_their_search_key(event, people, db):
    registration = people["张伟"]
    privacy.erase_attendee(registration.attendee, "attendee")
    db.session.commit()
    stored = db.session.get(Attendee, registration.attendee_id)
    assert "zhang" not in stored.search_key and "张" not in stored.search_key


@pytest.mark.slow
def test_the_migration_fills_the_key_of_existing_attendees(database_url):
    url, drop = _fresh_database(database_url)
    try:
        assert _flask(url, "db", "upgrade", "5e3a9c1d7b20").returncode == 0
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO attendee (email, full_name, badge_name, country, university, field_of_study, languages, "
                "seeking, locale, created_at, updated_at) VALUES ('z@example.org', '张伟', '伟', 'CN', 'Universität "
                "Köln', '', '{}', '[]', 'de', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        upgrade = _flask(url, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr
        with engine.begin() as conn:
            key = conn.execute(sa.text("SELECT search_key FROM attendee")).scalar_one()
        assert key == search_key("张伟", "伟", "z@example.org", "Universität Köln")
        assert "zhang wei" in key and "universitat koln" in key
        engine.dispose()
    finally:
        drop()
