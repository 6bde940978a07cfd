"""The survey's pages through the test client: the attendee's form (answer, change, refused input, closed), the
console's questions and results (anonymous answers name no one)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from events.feedback import services
from events.feedback.models import FeedbackAnswer, FeedbackSurvey
from tests.feedback.helpers import day_that_happened
from tests.roles import login, team_for


@pytest.fixture
def day(db):
    event, sessions, people, statuses = day_that_happened()
    assert all(s == "ok" for s in statuses), statuses
    return event, sessions, people


def _csrf(html: str) -> str:
    """The form's CSRF token (the tests' configuration turns the check off; the field may be absent)."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return found.group(1) if found else ""


def _open(event, anonymous=True):
    services.save_survey(event, ask_overall=True, ask_sessions=True, ask_comment=True, anonymous=anonymous,
                         closed=False)


def test_an_attendee_answers_and_changes_the_answer(client, day):
    event, sessions, people = day
    _open(event)
    url = f"/r/{people['ngozi'].token}/feedback"
    page = client.get(url)
    assert page.status_code == 200 and "Applying in Germany" in page.text and "Recognition of degrees" in page.text
    data = {"csrf_token": _csrf(page.text), "overall": "4", f"session_{sessions['workshop'].id}": "5",
            "comment": "Más tiempo para preguntas"}
    response = client.post(url, data=data)
    assert response.status_code == 303
    page = client.get(url)
    assert "Save my changes" in page.text and re.search(r'value="4"[^>]*checked|checked[^>]*value="4"', page.text)
    response = client.post(url, data={**data, "overall": "2", "comment": ""})
    assert response.status_code == 303
    answer = services.answer_of(services.survey_of(event), people["ngozi"])
    assert (answer.overall, answer.comment, answer.registration_id) == (2, "", None)


def test_bad_input_is_refused_next_to_the_field_and_nothing_is_written(client, day, db):
    event, sessions, people = day
    _open(event)
    url = f"/r/{people['pieter'].token}/feedback"
    token = _csrf(client.get(url).text)
    for bad in ({"overall": "7"}, {"overall": "x"}, {"comment": "a\x00b"}, {"comment": "x" * 4001}):
        response = client.post(url, data={"csrf_token": token, **bad})
        assert response.status_code == 422, bad
        assert 'class="error"' in response.text
    # a session Pieter did not attend is not even a field of his form: the value is ignored
    response = client.post(url, data={"csrf_token": token, "overall": "3",
                                      f"session_{sessions['workshop'].id}": "5"})
    assert response.status_code == 303
    assert db.session.scalars(select(FeedbackAnswer.session_ratings)).all() == [{}]


def test_people_who_did_not_come_and_a_closed_survey(client, day, db):
    event, _sessions, people = day
    _open(event)
    page = client.get(f"/r/{people['ana'].token}/feedback")
    assert page.status_code == 200 and "for people who came" in page.text and "<form method=\"post\"" not in page.text
    survey = db.session.scalars(select(FeedbackSurvey)).one()
    services.save_survey(event, ask_overall=True, ask_sessions=True, ask_comment=True, anonymous=True, closed=True)
    url = f"/r/{people['ngozi'].token}/feedback"
    page = client.get(url)
    assert "The survey is closed" in page.text
    assert client.post(url, data={"overall": "5"}).status_code == 409
    assert db.session.scalars(select(FeedbackAnswer)).all() == [] and survey.closed_at is not None


def test_no_survey_no_page(client, day):
    _event, _sessions, people = day
    assert client.get(f"/r/{people['ngozi'].token}/feedback").status_code == 404


def test_staff_set_the_questions_and_read_the_results(client, day, db):
    event, sessions, people = day
    team = team_for(event)
    login(client, team["staff"])
    url = f"/console/e/{event.slug}/feedback"
    page = client.get(url)
    assert page.status_code == 200 and "not set up yet" in page.text
    response = client.post(url, data={"csrf_token": _csrf(page.text)})
    assert response.status_code == 422 and "Choose at least one question." in response.text
    response = client.post(url, data={"csrf_token": _csrf(page.text), "ask_overall": "y", "ask_sessions": "y",
                                      "ask_comment": "y", "anonymous": "y"})
    assert response.status_code == 303
    services.submit_answer(people["li"], overall=5, session_ratings={}, comment="Sehr hilfreich")
    services.submit_answer(people["ngozi"], overall=3, session_ratings={sessions["talk"].id: 4}, comment="")
    page = client.get(url).text
    assert "2 answers" in page and "Overall: 4.0 of 5" in page and "Sehr hilfreich" in page
    assert "Recognition of degrees" in page and "李小龙" not in page  # anonymous: no names
    client.post(url, data={"csrf_token": _csrf(page), "ask_overall": "y", "ask_comment": "y"})  # named now
    services.submit_answer(people["li"], overall=5, session_ratings={}, comment="Sehr hilfreich")
    assert "李小龙" in client.get(url).text
    client.post(url, data={"csrf_token": _csrf(page), "ask_overall": "y", "anonymous": "y"})  # anonymous again
    assert "李小龙" not in client.get(url).text
    assert db.session.scalars(select(FeedbackAnswer.registration_id)).all() == [None, None]
