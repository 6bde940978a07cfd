"""Data of a welcome day: events, rooms, sessions, organisations, attendees, registrations, enrolments.

Times are timezone-aware and stored in UTC; each event keeps its IANA zone for display and calendars.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, str_enum, utcnow


class EventStatus(str, enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class SessionKind(str, enum.Enum):
    WORKSHOP = "workshop"
    TALK = "talk"
    PANEL = "panel"
    NETWORKING = "networking"
    INFO_STAND = "info_stand"
    BREAK = "break"


class SessionStatus(str, enum.Enum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class OrganisationKind(str, enum.Enum):
    COMPANY = "company"
    RESEARCH_INSTITUTE = "research_institute"
    CHAMBER = "chamber"
    UNIVERSITY = "university"
    PUBLIC_BODY = "public_body"
    WELCOME_OFFICE = "welcome_office"


class PartnerRole(str, enum.Enum):
    LEAD = "lead_partner"
    CONTRIBUTING = "contributing_partner"
    EXHIBITOR = "exhibitor"


class PartnerStatus(str, enum.Enum):
    APPLIED = "applied"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class DegreeLevel(str, enum.Enum):
    BACHELOR = "bachelor"
    MASTER = "master"
    PHD = "phd"
    POSTDOC = "postdoc"
    OTHER = "other"


class Seeking(str, enum.Enum):
    JOB = "job"
    INTERNSHIP = "internship"
    PHD = "phd"
    MENTORING = "mentoring"
    INNOVATION_PROJECT = "innovation_project"


class RegistrationStatus(str, enum.Enum):
    PENDING = "pending"          # holds a place, e-mail address not yet confirmed
    CONFIRMED = "confirmed"      # holds a place, e-mail confirmed
    WAITLISTED = "waitlisted"    # the event is full; in line for a place
    CANCELLED = "cancelled"      # by the attendee, by staff, or expired unconfirmed


HOLDS_PLACE = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)


class EnrolmentStatus(str, enum.Enum):
    CONFIRMED = "confirmed"      # has a seat
    WAITLISTED = "waitlisted"    # in line for a seat, ordered by queue_seq
    DROPPED = "dropped"          # kept so that calendars can show the item as cancelled


class Event(db.Model):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus, "event_status"), default=EventStatus.DRAFT)
    languages: Mapped[list] = mapped_column(JSON, default=lambda: ["en"])
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # Arrival numbers for the event's waiting list, handed out under the event's lock (events/services.py).
    queue_counter: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Shown at /e/<slug>/privacy and linked from the consent on the registration form (empty: a default text).
    privacy_notice: Mapped[str] = mapped_column(Text, default="")
    # Last year's day this one was cloned from: the dashboard compares registrations with it.
    previous_event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    rooms: Mapped[list[Room]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                             order_by="Room.name")
    sessions: Mapped[list[Session]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                   order_by="(Session.starts_at, Session.id)")
    partners: Mapped[list[EventPartner]] = relationship(back_populates="event", cascade="all, delete-orphan")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def registration_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.status != EventStatus.PUBLISHED:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        closes = self.registration_closes_at or self.ends_at
        return now < closes

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class Room(db.Model):
    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int | None] = mapped_column(Integer)
    floor: Mapped[str] = mapped_column(String(80), default="")

    event: Mapped[Event] = relationship(back_populates="rooms")


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"),
                                                   default=OrganisationKind.COMPANY)
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnerships: Mapped[list[EventPartner]] = relationship(back_populates="organisation")


class EventPartner(db.Model):
    """An organisation's part in one event: lead or contributing partner, or exhibitor."""

    __tablename__ = "event_partner"
    __table_args__ = (UniqueConstraint("event_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    role: Mapped[PartnerRole] = mapped_column(str_enum(PartnerRole, "partner_role"), default=PartnerRole.CONTRIBUTING)
    status: Mapped[PartnerStatus] = mapped_column(str_enum(PartnerStatus, "partner_status"),
                                                  default=PartnerStatus.ACCEPTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="partners")
    organisation: Mapped[Organisation] = relationship(back_populates="partnerships")


class Session(db.Model):
    """One item of the programme: a workshop, talk, panel, networking slot…"""

    __tablename__ = "session"
    __table_args__ = (Index("ix_session_event_start", "event_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind, "session_kind"), default=SessionKind.WORKSHOP)
    title: Mapped[str] = mapped_column(String(200))
    abstract: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"))
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    language: Mapped[str] = mapped_column(String(8), default="en")
    host_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    speakers: Mapped[str] = mapped_column(String(300), default="")
    needs_seat: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[SessionStatus] = mapped_column(str_enum(SessionStatus, "session_status"),
                                                  default=SessionStatus.SCHEDULED)
    # iCalendar SEQUENCE: grows when what a calendar shows changes (see events/agendas/models.py).
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Arrival numbers for this session's waiting list, handed out under the session's lock (events/services.py).
    queue_counter: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="sessions")
    room: Mapped[Room | None] = relationship()
    host: Mapped[Organisation | None] = relationship()
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="session", cascade="all, delete-orphan")

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def limited(self) -> bool:
        return self.needs_seat and self.capacity is not None

    def overlaps(self, other: Session) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


class Attendee(db.Model):
    """An international graduate. One profile per e-mail address, shared by their registrations."""

    __tablename__ = "attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    full_name: Mapped[str] = mapped_column(String(200))
    badge_name: Mapped[str] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2), default="")  # ISO 3166-1 alpha-2
    university: Mapped[str] = mapped_column(String(200), default="")
    degree_level: Mapped[DegreeLevel | None] = mapped_column(str_enum(DegreeLevel, "degree_level"))
    field_of_study: Mapped[str] = mapped_column(String(200), default="")
    graduation_date: Mapped[date | None] = mapped_column(Date)
    # {"de": "B2", "en": "C1"}: ISO 639-1 code to CEFR level (or "native").
    languages: Mapped[dict] = mapped_column(JSON, default=dict)
    seeking: Mapped[list] = mapped_column(JSON, default=list)  # values of Seeking
    locale: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registrations: Mapped[list[Registration]] = relationship(back_populates="attendee")


class Registration(db.Model):
    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("event_id", "attendee_id"),
        Index("ix_registration_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus, "registration_status"))
    # The secret self-service link is derived from link_nonce with a key; only its SHA-256 is stored, and
    # legacy_token_hash is that of a clear link from before, which keeps working (events/links.py).
    link_nonce: Mapped[str | None] = mapped_column(String(64))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    legacy_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    queue_seq: Mapped[int | None] = mapped_column(Integer)  # arrival order on the event's waiting list
    consent_processing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_processing_version: Mapped[str] = mapped_column(String(32), default="")
    consent_sharing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_sharing_version: Mapped[str] = mapped_column(String(32), default="")
    # Profile sent with a registration for an e-mail we already know; applied once the address is confirmed.
    pending_profile: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    attendee: Mapped[Attendee] = relationship(back_populates="registrations")
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="registration",
                                                       cascade="all, delete-orphan")

    @property
    def token(self) -> str:
        """The secret link's token, built from the nonce; for a row from before, building it stores its new link
        in the current transaction (see events/links.py)."""
        from events import links  # links uses this model
        return links.token_for(self)

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDS_PLACE

    @property
    def active_enrolments(self) -> list[Enrolment]:
        items = [e for e in self.enrolments if e.status != EnrolmentStatus.DROPPED]
        return sorted(items, key=lambda e: (e.session.starts_at, e.session_id))


class Enrolment(db.Model):
    """A registration's place in one session: a seat, or a place on its waiting list."""

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("registration_id", "session_id"),
        Index("ix_enrolment_session_status", "session_id", "status", "queue_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    status: Mapped[EnrolmentStatus] = mapped_column(str_enum(EnrolmentStatus, "enrolment_status"))
    queue_seq: Mapped[int] = mapped_column(Integer, default=0)  # arrival order; the waiting list's order
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # bumped on status changes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="enrolments")
    session: Mapped[Session] = relationship(back_populates="enrolments")
