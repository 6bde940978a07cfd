"""The feedback survey: its questions and state, one answer per person, invitations once per person who came,
and the results (averages, distribution, per session, free text; anonymous answers never name anyone).

The survey is open from the end of the day until staff close it. Who may answer: a registration that was checked
in at the door (main or any session). A session can be rated by someone checked in to it.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.audit import audit
from app.extensions import db, utcnow
from app.mail import queue_mail
from events.aftercare.attendance import attendance
from events.feedback.models import FeedbackAnswer, FeedbackInvitation, FeedbackSurvey
from events.programme.models import Event, Session
from events.registration.models import Registration

TEMPLATE = "feedback_invitation"
RATINGS = (1, 2, 3, 4, 5)
_CLAIM = {dialect: module.insert(FeedbackInvitation.__table__).on_conflict_do_nothing(
    index_elements=["registration_id"]).returning(FeedbackInvitation.id) for dialect, module in (("postgresql", postgresql), ("sqlite", sqlite))}


class FeedbackError(ValueError):
    """The answer cannot be taken; ``reason`` is machine-readable, the message says why."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def survey_of(event: Event) -> FeedbackSurvey | None:
    return db.session.scalar(select(FeedbackSurvey).where(FeedbackSurvey.event_id == event.id))


def state(event: Event, survey: FeedbackSurvey | None, now: datetime | None = None) -> str:
    """"none" (no survey set up), "before" (the day has not ended), "open" or "closed"."""
    now = now or utcnow()
    if survey is None:
        return "none"
    if survey.closed_at is not None and survey.closed_at <= now:
        return "closed"
    return "open" if event.ends_at <= now else "before"


def save_survey(event: Event, *, ask_overall: bool, ask_sessions: bool, ask_comment: bool, anonymous: bool,
                closed: bool) -> FeedbackSurvey:
    """Staff choose the questions and open or close the survey; with its audit entry, one transaction."""
    survey = survey_of(event)
    before = _settings(survey) if survey else None
    if survey is None:
        survey = FeedbackSurvey(event_id=event.id)
        db.session.add(survey)
    survey.ask_overall, survey.ask_sessions, survey.ask_comment = ask_overall, ask_sessions, ask_comment
    survey.anonymous = anonymous
    if closed and survey.closed_at is None:
        survey.closed_at = utcnow()
    elif not closed:
        survey.closed_at = None
    if anonymous and survey.id is not None:  # made anonymous: answers given by name lose the name, for good
        db.session.execute(update(FeedbackAnswer).where(FeedbackAnswer.survey_id == survey.id)
                           .values(registration_id=None))
    audit("feedback.settings", event, before=before, after=_settings(survey))
    db.session.commit()
    return survey


def _settings(survey: FeedbackSurvey) -> dict:
    return {"overall": survey.ask_overall, "sessions": survey.ask_sessions, "comment": survey.ask_comment,
            "anonymous": survey.anonymous, "closed": survey.closed_at is not None}


def respondent_key(survey: FeedbackSurvey, registration_id: int) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"feedback:{survey.id}:{registration_id}".encode(), hashlib.sha256).hexdigest()


def rateable_sessions(registration: Registration) -> list[Session]:
    """The sessions this person was checked in to, in the programme's order."""
    attended = attendance(registration.event).sessions_of(registration.id)
    return [s for s in registration.event.sessions if s.id in attended]


def came(registration: Registration) -> bool:
    return registration.id in attendance(registration.event).came


def answer_of(survey: FeedbackSurvey, registration: Registration) -> FeedbackAnswer | None:
    return db.session.scalar(select(FeedbackAnswer).where(
        FeedbackAnswer.survey_id == survey.id, FeedbackAnswer.respondent == respondent_key(survey, registration.id)))


def _rating(value, what: str) -> int | None:
    if value in (None, ""):
        return None
    if not isinstance(value, int) or value not in RATINGS:
        raise FeedbackError("bad_rating", f"{what}: a rating from 1 to 5")
    return value


def submit_answer(registration: Registration, *, overall: int | None, session_ratings: dict[int, int | None],
                  comment: str, now: datetime | None = None) -> FeedbackAnswer:
    """Take (or replace) this person's answer while the survey is open; one transaction."""
    event = registration.event
    survey = survey_of(event)
    if state(event, survey, now) != "open":
        raise FeedbackError("closed", "The survey is not open.")
    if not came(registration):
        raise FeedbackError("not_attended", "Only people who came can answer.")
    allowed = {s.id for s in rateable_sessions(registration)} if survey.ask_sessions else set()
    if set(session_ratings) - allowed:
        raise FeedbackError("bad_session", "A rating for a session you did not attend.")
    ratings = {str(sid): r for sid, r in ((sid, _rating(v, "session")) for sid, v in session_ratings.items())
               if r is not None}
    values = dict(overall=_rating(overall, "overall") if survey.ask_overall else None, session_ratings=ratings,
                  comment=(comment or "").strip()[:4000] if survey.ask_comment else "",
                  registration_id=None if survey.anonymous else registration.id)
    answer = answer_of(survey, registration)
    if answer is None:
        answer = FeedbackAnswer(survey_id=survey.id, respondent=respondent_key(survey, registration.id))
        db.session.add(answer)
    for name, value in values.items():
        setattr(answer, name, value)
    db.session.commit()
    return answer


def send_invitations(event: Event, now: datetime | None = None) -> int:
    """Write the survey's invitation to the outbox once for every person who came, in their language; one
    transaction. Nothing while the survey is not open."""
    survey = survey_of(event)
    if state(event, survey, now) != "open":
        return 0
    came_ids = attendance(event).came
    sent = select(FeedbackInvitation.registration_id)
    people = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.id.in_(sorted(came_ids)), Registration.id.not_in(sent))
        .order_by(Registration.id)) if came_ids else []
    conn = db.session.connection()
    count = 0
    for registration in people:
        claimed = conn.execute(_CLAIM[conn.dialect.name], {"registration_id": registration.id,
                                                           "sent_at": now or utcnow()}).first()
        if claimed is None:  # RETURNING gives no row when the key was there (rowcount is -1 on psycopg)
            continue  # another run sent it meanwhile
        attendee = registration.attendee
        queue_mail(attendee.email, TEMPLATE, locale=attendee.locale or "en", registration=registration, event=event)
        count += 1
    db.session.commit()
    return count


def send_all(now: datetime | None = None) -> int:
    """Every open survey's invitations (the command `flask feedback send`)."""
    now = now or utcnow()
    events = db.session.scalars(select(Event).join(FeedbackSurvey, FeedbackSurvey.event_id == Event.id)
                                .where(Event.ends_at <= now).order_by(Event.id)).all()
    return sum(send_invitations(event, now) for event in events)


@dataclass
class SessionResult:
    session: Session
    count: int
    average: float | None


@dataclass
class Results:
    answers: int
    overall_average: float | None
    distribution: dict[int, int]            # rating -> how many
    sessions: list[SessionResult]
    comments: list[tuple[str, str | None]]  # (text, the person's name, or None when anonymous)
    invited: int = 0
    extra: dict = field(default_factory=dict)


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def results(event: Event) -> Results:
    survey = survey_of(event)
    answers = list(db.session.scalars(select(FeedbackAnswer).where(FeedbackAnswer.survey_id == survey.id)
                                      .order_by(FeedbackAnswer.id))) if survey else []
    overall = [a.overall for a in answers if a.overall is not None]
    per_session: dict[int, list[int]] = {}
    for answer in answers:
        for sid, rating in answer.session_ratings.items():
            per_session.setdefault(int(sid), []).append(rating)
    names = {}
    named = [a.registration_id for a in answers if a.registration_id is not None]
    if named:
        names = {r.id: r.attendee.full_name for r in db.session.scalars(
            select(Registration).where(Registration.id.in_(named)))}
    invited = db.session.scalar(select(db.func.count()).select_from(FeedbackInvitation).join(
        Registration, Registration.id == FeedbackInvitation.registration_id).where(Registration.event_id == event.id))
    return Results(
        answers=len(answers), overall_average=_average(overall),
        distribution={r: overall.count(r) for r in RATINGS},
        sessions=[SessionResult(s, len(per_session.get(s.id, [])), _average(per_session.get(s.id, [])))
                  for s in event.sessions if s.id in per_session],
        comments=[(a.comment, names.get(a.registration_id)) for a in answers if a.comment],
        invited=invited or 0)


def figure_feedback(event: Event) -> dict | None:
    """The console figure "feedback": {"answers", "average"} or None without a survey (the funders' report)."""
    if survey_of(event) is None:
        return None
    r = results(event)
    return {"answers": r.answers, "average": r.overall_average, "distribution": r.distribution}
