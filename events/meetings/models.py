"""1:1 meetings of a networking session: setup, slots, participating employers, wishes, rules and meetings."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, str_enum, utcnow


class MeetingSetup(db.Model):
    """Turns one networking Session into meeting slots."""

    __tablename__ = "meeting_setup"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"), unique=True)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=10)
    changeover_minutes: Mapped[int] = mapped_column(Integer, default=5)
    max_meetings_per_attendee: Mapped[int] = mapped_column(Integer, default=2)
    max_wishes: Mapped[int] = mapped_column(Integer, default=5)
    mode: Mapped[str] = mapped_column(String(16), default="fair")
    draft_stats: Mapped[dict | None] = mapped_column(JSON)
    draft_job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session = relationship("Session")
    slots: Mapped[list[MeetingSlot]] = relationship(back_populates="setup", cascade="all, delete-orphan",
                                                    order_by="MeetingSlot.position")
    employers: Mapped[list[MeetingEmployer]] = relationship(back_populates="setup",
                                                            cascade="all, delete-orphan")


class MeetingSlot(db.Model):
    __tablename__ = "meeting_slot"
    __table_args__ = (UniqueConstraint("setup_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    setup_id: Mapped[int] = mapped_column(ForeignKey("meeting_setup.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    setup: Mapped[MeetingSetup] = relationship(back_populates="slots")


class MeetingEmployer(db.Model):
    """An organisation meeting attendees in this session, with its number of tables."""

    __tablename__ = "meeting_employer"
    __table_args__ = (UniqueConstraint("setup_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    setup_id: Mapped[int] = mapped_column(ForeignKey("meeting_setup.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    tables: Mapped[int] = mapped_column(Integer, default=1)
    first_table: Mapped[int] = mapped_column(Integer, default=1)  # the number on its first table in the room
    max_meetings: Mapped[int | None] = mapped_column(Integer)

    setup: Mapped[MeetingSetup] = relationship(back_populates="employers")
    organisation = relationship("Organisation")


class AttendeeWish(db.Model):
    """An attendee's ranked wish (rank 1 first) or "not interested" (rank NULL) for one employer."""

    __tablename__ = "meeting_attendee_wish"
    __table_args__ = (UniqueConstraint("setup_id", "registration_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    setup_id: Mapped[int] = mapped_column(ForeignKey("meeting_setup.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    rank: Mapped[int | None] = mapped_column(Integer)
    not_interested: Mapped[bool] = mapped_column(Boolean, default=False)


class EmployerChoiceKind(str, enum.Enum):
    WISH = "wish"
    EXCLUDE = "exclude"


class EmployerChoice(db.Model):
    """An employer's wish to meet, or exclusion of, one consenting attendee."""

    __tablename__ = "meeting_employer_choice"
    __table_args__ = (UniqueConstraint("setup_id", "organisation_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    setup_id: Mapped[int] = mapped_column(ForeignKey("meeting_setup.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    kind: Mapped[EmployerChoiceKind] = mapped_column(str_enum(EmployerChoiceKind, "employer_choice_kind"))


class PairRuleKind(str, enum.Enum):
    PIN = "pin"
    FORBID = "forbid"


class PairRule(db.Model):
    """Staff's word on a pair: pinned to (slot, table), or forbidden."""

    __tablename__ = "meeting_pair_rule"
    __table_args__ = (UniqueConstraint("setup_id", "registration_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    setup_id: Mapped[int] = mapped_column(ForeignKey("meeting_setup.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    kind: Mapped[PairRuleKind] = mapped_column(str_enum(PairRuleKind, "pair_rule_kind"))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_slot.id", ondelete="CASCADE"))
    table: Mapped[int | None] = mapped_column(Integer)  # 0-based, as in the matcher


class MeetingStatus(str, enum.Enum):
    DRAFT = "draft"          # proposed by the last run, not visible to attendees or employers
    PUBLISHED = "published"  # confirmed; stays where it is in later runs
    CANCELLED = "cancelled"  # withdrawn after publishing (kept for calendars)
    NO_SHOW = "no_show"      # the attendee did not turn up; the table-slot is free again


class Meeting(db.Model):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    setup_id: Mapped[int] = mapped_column(ForeignKey("meeting_setup.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("meeting_slot.id", ondelete="CASCADE"))
    table: Mapped[int] = mapped_column(Integer)  # 0-based within the employer's tables
    score: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # [{"code", "points", "text"}]
    kind: Mapped[str] = mapped_column(String(16), default="new")  # new | pinned | existing
    status: Mapped[MeetingStatus] = mapped_column(str_enum(MeetingStatus, "meeting_status"),
                                                  default=MeetingStatus.DRAFT)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # calendar SEQUENCE
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    setup: Mapped[MeetingSetup] = relationship()
    slot: Mapped[MeetingSlot] = relationship()
    registration = relationship("Registration")
    organisation = relationship("Organisation")


class StandbyAttendee(db.Model):
    """On the day: a checked-in attendee who would take a meeting freed by a no-show."""

    __tablename__ = "meeting_standby"
    __table_args__ = (UniqueConstraint("setup_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    setup_id: Mapped[int] = mapped_column(ForeignKey("meeting_setup.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration = relationship("Registration")


class RatingSide(str, enum.Enum):
    ATTENDEE = "attendee"
    EMPLOYER = "employer"


class MeetingRating(db.Model):
    """After the day: how one side rated one meeting it had (1-5, a comment); one per meeting and side, editable
    until the event's rating round closes."""

    __tablename__ = "meeting_rating"
    __table_args__ = (UniqueConstraint("meeting_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    side: Mapped[RatingSide] = mapped_column(str_enum(RatingSide, "rating_side"))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RatingRound(db.Model):
    """The event's meeting ratings: open from the first mail until ``closes_at``."""

    __tablename__ = "meeting_rating_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RatingMail(db.Model):
    """The rating mail was written to the outbox for this person ("r<registration id>" or "u<user id>"), once,
    under a unique key."""

    __tablename__ = "meeting_rating_mail"
    __table_args__ = (UniqueConstraint("event_id", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(24))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
