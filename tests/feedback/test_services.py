"""The survey's rules through the real parts: who may answer (checked in at the door), one answer per person and
editable until closed, anonymous answers that name no one, invitations once per person who came in their
language, and the results."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit import AuditEntry
from app.mail import OutboxMessage
from events.aftercare.attendance import attendance
from events.feedback import services
from events.feedback.models import FeedbackAnswer
from tests.feedback.helpers import day_that_happened, now


@pytest.fixture
def day(db):
    event, sessions, people, statuses = day_that_happened()
    assert all(s == "ok" for s in statuses), statuses
    return event, sessions, people


def _open(event, anonymous=True, **questions):
    settings = dict(ask_overall=True, ask_sessions=True, ask_comment=True, anonymous=anonymous, closed=False)
    settings.update(questions)
    return services.save_survey(event, **settings)


def test_who_came_is_read_from_the_doors_check_ins(db, day):
    event, sessions, people = day
    seen = attendance(event)
    assert seen.came == {people["ngozi"].id, people["li"].id, people["pieter"].id}
    assert seen.sessions_of(people["ngozi"].id) == {sessions["workshop"].id, sessions["talk"].id}
    assert seen.sessions_of(people["pieter"].id) == {sessions["talk"].id}
    assert seen.sessions_of(people["ana"].id) == set()


def test_one_answer_per_person_editable_until_closed(db, day):
    event, sessions, people = day
    _open(event, anonymous=False)
    ngozi = people["ngozi"]
    services.submit_answer(ngozi, overall=4, session_ratings={sessions["workshop"].id: 5}, comment="Great")
    services.submit_answer(ngozi, overall=5, session_ratings={sessions["workshop"].id: 3,
                                                               sessions["talk"].id: 4}, comment="  Even better ")
    answers = db.session.scalars(select(FeedbackAnswer)).all()
    assert len(answers) == 1
    assert (answers[0].overall, answers[0].comment, answers[0].registration_id) == (5, "Even better", ngozi.id)
    assert answers[0].session_ratings == {str(sessions["workshop"].id): 3, str(sessions["talk"].id): 4}
    survey = _open(event, anonymous=False, closed=True)
    assert services.state(event, survey) == "closed"
    with pytest.raises(services.FeedbackError) as refused:
        services.submit_answer(ngozi, overall=1, session_ratings={}, comment="")
    assert refused.value.reason == "closed"
    assert db.session.scalars(select(FeedbackAnswer)).one().overall == 5
    assert [e.action for e in db.session.scalars(select(AuditEntry))].count("feedback.settings") == 2


def test_only_people_who_came_answer_and_rate_only_their_sessions(db, day):
    event, sessions, people = day
    _open(event)
    with pytest.raises(services.FeedbackError) as refused:
        services.submit_answer(people["ana"], overall=3, session_ratings={}, comment="")
    assert refused.value.reason == "not_attended"
    with pytest.raises(services.FeedbackError) as refused:  # Pieter was at the talk, not at the workshop
        services.submit_answer(people["pieter"], overall=3, session_ratings={sessions["workshop"].id: 5},
                               comment="")
    assert refused.value.reason == "bad_session"
    with pytest.raises(services.FeedbackError) as refused:
        services.submit_answer(people["pieter"], overall=9, session_ratings={}, comment="")
    assert refused.value.reason == "bad_rating"
    assert db.session.scalars(select(FeedbackAnswer)).all() == []


def test_the_survey_opens_when_the_day_is_over(db, day):
    event, _sessions, _people = day
    survey = _open(event)
    assert services.state(event, survey, event.ends_at - timedelta(minutes=1)) == "before"
    assert services.state(event, survey, event.ends_at) == "open"
    assert services.state(event, None) == "none"


def test_anonymous_results_name_no_one(db, day):
    event, sessions, people = day
    _open(event, anonymous=True)
    services.submit_answer(people["ngozi"], overall=5, session_ratings={sessions["talk"].id: 4}, comment="Merci")
    services.submit_answer(people["li"], overall=3, session_ratings={}, comment="Mehr Zeit für Fragen")
    services.submit_answer(people["pieter"], overall=4, session_ratings={sessions["talk"].id: 2}, comment="")
    assert db.session.scalars(select(FeedbackAnswer.registration_id)).all() == [None, None, None]
    r = services.results(event)
    assert (r.answers, r.overall_average) == (3, 4.0)
    assert r.distribution == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert [(s.session.title, s.count, s.average) for s in r.sessions] == [("Recognition of degrees", 2, 3.0)]
    assert sorted(r.comments) == [("Mehr Zeit für Fragen", None), ("Merci", None)]
    # still one answer per person: an anonymous answer is found again by its keyed respondent hash
    services.submit_answer(people["li"], overall=1, session_ratings={}, comment="")
    assert services.results(event).answers == 3 and services.results(event).overall_average == pytest.approx(3.33)


def test_named_results_show_the_person(db, day):
    event, _sessions, people = day
    _open(event, anonymous=False)
    services.submit_answer(people["li"], overall=3, session_ratings={}, comment="Gut")
    assert services.results(event).comments == [("Gut", "李小龙")]


def test_invitations_go_once_to_each_person_who_came_in_their_language(db, day):
    event, _sessions, people = day
    assert services.send_all() == 0  # no survey yet
    _open(event)
    assert services.send_invitations(event, event.ends_at - timedelta(hours=1)) == 0  # not over then
    assert services.send_all() == 3
    assert services.send_all() == 0
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "feedback_invitation")
                               .order_by(OutboxMessage.to)).all()
    assert [m.to for m in mails] == ["li@example.org", "ngozi@example.org", "pieter@example.org"]
    subjects = {m.to: m.subject for m in mails}
    assert subjects["li@example.org"].startswith("Wie war")
    assert subjects["pieter@example.org"].startswith("Hoe was")
    assert subjects["ngozi@example.org"].startswith("How was")
    assert f"/r/" in mails[0].body_text and "/feedback" in mails[0].body_text
    assert services.results(event).invited == 3


def test_the_send_command(app, db, day):
    event, _sessions, _people = day
    _open(event)
    result = app.test_cli_runner().invoke(args=["feedback", "send"])
    assert result.exit_code == 0 and "feedback invitations written: 3" in result.output
    result = app.test_cli_runner().invoke(args=["feedback", "send", "--now", (now()).isoformat()])
    assert "feedback invitations written: 0" in result.output
