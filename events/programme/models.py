"""The programme of a welcome day: events, rooms and sessions.

Times are timezone-aware and stored in UTC; each event keeps its IANA zone for display and calendars.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import (JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.content import Translatable
from app.extensions import UTCDateTime, db, str_enum, utcnow

if TYPE_CHECKING:  # relationships only; SQLAlchemy resolves them by class name
    from events.employers.models import EventPartner, Organisation
    from events.registration.models import Enrolment


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


class Event(Translatable, db.Model):
    __tablename__ = "event"
    # Title and description are written in ``main_language``; ``translations`` holds the others (app/content.py).
    translated_fields = ("title", "description")

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
    # The language of the texts in the columns (the event's, its sessions' and its rooms'); others: translations.
    main_language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # Reminder mails, whole days before the day ("7,1"; "" for none): events/reminders.
    reminder_days: Mapped[str] = mapped_column(String(40), default="7,1", server_default="7,1")
    # Arrival numbers for the event's waiting list, handed out under the event's lock (events/registration/services.py).
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
    def text_language(self) -> str:
        return self.main_language or "en"

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


class Room(Translatable, db.Model):
    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("event_id", "name"),)
    translated_fields = ("name",)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int | None] = mapped_column(Integer)
    floor: Mapped[str] = mapped_column(String(80), default="")

    event: Mapped[Event] = relationship(back_populates="rooms")

    @property
    def text_language(self) -> str:
        return self.event.text_language


class Session(Translatable, db.Model):
    """One item of the programme: a workshop, talk, panel, networking slot…"""

    translated_fields = ("title", "abstract")

    __tablename__ = "session"
    # A session has a length: an end at or before the start made feeds, PDFs and pages fail (issue 14).
    __table_args__ = (Index("ix_session_event_start", "event_id", "starts_at"),
                      CheckConstraint("ends_at > starts_at", name="ends_after_start"))

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
    # Why staff kept this session although it shares a room or a speaker with another at the same time (the
    # grid shows it; empty while there is no clash). See events/programme/services.py save_session.
    clash_override: Mapped[str] = mapped_column(String(300), default="", server_default="")
    needs_seat: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[SessionStatus] = mapped_column(str_enum(SessionStatus, "session_status"),
                                                  default=SessionStatus.SCHEDULED)
    # iCalendar SEQUENCE: grows when what a calendar shows changes (see events/agendas/models.py).
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Arrival numbers for this session's waiting list, handed out under the session's lock (events/registration/services.py).
    queue_counter: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Seats taken and the waiting list's length, counting enrolments of registrations that hold a place: counters
    # kept by the one write path (events/registration/store.py) under the lock, so nothing counts enrolments.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    seats_waiting: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="sessions")
    room: Mapped[Room | None] = relationship()
    host: Mapped[Organisation | None] = relationship()
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="session", cascade="all, delete-orphan")

    @property
    def text_language(self) -> str:
        return self.event.text_language

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def limited(self) -> bool:
        return self.needs_seat and self.capacity is not None

    def overlaps(self, other: Session) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at
