"""What the feedback survey keeps: the event's questions, one answer per person, the invitation mails sent."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import UTCDateTime, db, utcnow


class FeedbackSurvey(db.Model):
    """The questions staff chose for one event. Open from the end of the day until ``closed_at``."""

    __tablename__ = "feedback_survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    ask_overall: Mapped[bool] = mapped_column(Boolean, default=True)
    ask_sessions: Mapped[bool] = mapped_column(Boolean, default=True)
    ask_comment: Mapped[bool] = mapped_column(Boolean, default=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FeedbackAnswer(db.Model):
    """One person's answer. ``respondent`` is a keyed hash of the registration: it keeps one answer per person
    and lets them edit it, while an anonymous answer stores no ``registration_id`` (results cannot name them)."""

    __tablename__ = "feedback_answer"
    __table_args__ = (UniqueConstraint("survey_id", "respondent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("feedback_survey.id", ondelete="CASCADE"), index=True)
    respondent: Mapped[str] = mapped_column(String(64))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"))
    overall: Mapped[int | None] = mapped_column(Integer)
    session_ratings: Mapped[dict] = mapped_column(JSON, default=dict)  # {"<session id>": 1..5}
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FeedbackInvitation(db.Model):
    """The survey's invitation was written to the outbox for this registration (with the mail, in one
    transaction, under a unique key: a rerun sends nothing twice)."""

    __tablename__ = "feedback_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
