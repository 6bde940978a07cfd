"""Certificates of attendance (only for people who came, in their language, with the sessions they were checked in
to; names in any script) and the funders' one-page report beside last year's day; both PDFs read back."""
from __future__ import annotations

import io

import pytest
from flask_babel import refresh
from pypdf import PdfReader

from app.extensions import db as _db
from events.aftercare import services
from events.feedback import services as feedback
from tests.feedback.helpers import day_that_happened, person, scan
from tests.badges.helpers import live_event
from tests.roles import login, team_for


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def day(db):
    event, sessions, people, statuses = day_that_happened()
    assert all(s == "ok" for s in statuses), statuses
    return event, sessions, people


def test_a_certificate_lists_the_sessions_the_person_was_checked_in_to(client, day):
    event, _sessions, people = day
    response = client.get(f"/r/{people['ngozi'].token}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages, text = _text(response.data)
    assert pages == 1
    assert "Certificate of attendance" in text and "Ngozi Okafor" in text and event.title in text
    assert "Applying in Germany" in text and "Recognition of degrees" in text


def test_certificates_come_in_the_persons_language_and_any_script(client, day):
    _event, _sessions, people = day
    refresh()  # the test's app context carries the locale between requests; a real request starts afresh
    _pages, german = _text(client.get(f"/r/{people['li'].token}/certificate.pdf").data)
    assert "Teilnahmebescheinigung" in german and "李小龙" in german
    assert "Applying in Germany" not in german  # checked in at the main door only: no session listed
    _pages, dutch = _text(client.get(f"/r/{people['pieter'].token}/certificate.pdf").data)
    assert "Bewijs van deelname" in dutch and "Pieter de Vries" in dutch and "Recognition of degrees" in dutch
    assert "Applying in Germany" not in dutch


def test_no_certificate_for_someone_who_did_not_come(client, day):
    _event, _sessions, people = day
    response = client.get(f"/r/{people['ana'].token}/certificate.pdf")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "No certificate of attendance" in response.text
    with pytest.raises(services.NotAttended):
        services.certificate_sessions(people["ana"])
    assert client.get("/r/not-a-token/certificate.pdf").status_code == 404


def test_my_registration_offers_the_certificate_and_the_survey_only_to_people_who_came(client, day):
    event, _sessions, people = day
    feedback.save_survey(event, ask_overall=True, ask_sessions=True, ask_comment=True, anonymous=True,
                         closed=False)
    page = client.get(f"/r/{people['ngozi'].token}").text
    assert f"/r/{people['ngozi'].token}/certificate.pdf" in page and f"/r/{people['ngozi'].token}/feedback" in page
    page = client.get(f"/r/{people['ana'].token}").text
    assert "certificate.pdf" not in page and "/feedback" not in page


def test_the_funders_report_puts_the_figures_beside_last_years_day(client, day):
    event, _sessions, people = day
    last_year = live_event(title="Welcome day 2026")
    for n in range(2):
        scan(last_year, person(last_year, f"old{n}@example.org", "Olga Petrova"))
    person(last_year, "old-absent@example.org", "Omar Haddad")
    event.previous_event_id = last_year.id
    _db.session.commit()
    feedback.save_survey(event, ask_overall=True, ask_sessions=False, ask_comment=False, anonymous=True,
                         closed=False)
    feedback.submit_answer(people["ngozi"], overall=5, session_ratings={}, comment="")
    feedback.submit_answer(people["li"], overall=4, session_ratings={}, comment="")
    this, last = services.report(event)
    assert (this.registered, this.came, last.registered, last.came) == (4, 2, 3, 2)
    assert this.degrees == [("Master", 4)] and this.feedback["answers"] == 2 and this.feedback["average"] == 4.5
    assert this.sessions == [("Applying in Germany", 2, 20), ("Recognition of degrees", 3, 30)]
    login(client, team_for(event)["staff"])
    page = client.get(f"/console/e/{event.slug}/after-the-day")
    assert page.status_code == 200 and "Welcome day 2026" in page.text
    response = client.get(f"/console/e/{event.slug}/after-the-day/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages, text = _text(response.data)
    assert pages == 1
    for expected in ("Report for funders", "Welcome day 2027", "Welcome day 2026", "Registered", "Nigeria",
                     "HHU Düsseldorf", "Master", "4.5 of 5", "2 answers", "Applying in Germany 2/20"):
        assert expected in text, expected
    refresh()  # the test's app context carries the locale between requests; a real request starts afresh
    _pages, german = _text(client.get(f"/console/e/{event.slug}/after-the-day/report.pdf?lang=de").data)
    assert "Bericht für Förderer" in german and "Abschlüsse" in german
