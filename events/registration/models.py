"""Who comes: attendees, their registrations for an event and their enrolments in sessions."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, str_enum, utcnow
from events.registration import links

if TYPE_CHECKING:  # relationships only; SQLAlchemy resolves them by class name
    from events.programme.models import Event, Session


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


class Attendee(db.Model):
    """An international graduate. One profile per e-mail address, shared by their registrations."""

    __tablename__ = "attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    full_name: Mapped[str] = mapped_column(String(200))
    badge_name: Mapped[str] = mapped_column(String(80))
    # The name in Latin letters as the attendee spells it (optional; else a transliteration is shown).
    latin_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    country: Mapped[str] = mapped_column(String(2), default="")  # ISO 3166-1 alpha-2
    university: Mapped[str] = mapped_column(String(200), default="")
    degree_level: Mapped[DegreeLevel | None] = mapped_column(str_enum(DegreeLevel, "degree_level"))
    field_of_study: Mapped[str] = mapped_column(String(200), default="")
    graduation_date: Mapped[date | None] = mapped_column(Date)
    # {"de": "B2", "en": "C1"}: ISO 639-1 code to CEFR level (or "native").
    languages: Mapped[dict] = mapped_column(JSON, default=dict)
    seeking: Mapped[list] = mapped_column(JSON, default=list)  # values of Seeking
    locale: Mapped[str] = mapped_column(String(8), default="en")
    # What searches compare with (app.text.search_key of the names, e-mail and university: folded, and spelled in
    # Latin letters for other scripts); written by the one store with the columns it is made of.
    search_key: Mapped[str] = mapped_column(Text, default="", server_default="")
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
    # legacy_token_hash is that of a clear link from before, which keeps working (events/registration/links.py).
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
    # Registered on the spot at the door (badges/door/walkins.py): counted apart on the dashboard and in exports.
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    attendee: Mapped[Attendee] = relationship(back_populates="registrations")
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="registration",
                                                       cascade="all, delete-orphan")

    @property
    def token(self) -> str:
        """The secret link's token, built from the nonce; for a row from before, building it stores its new link
        in the current transaction (see events/registration/links.py)."""
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


class PlaceCount(db.Model):
    """Places held at an event (registrations pending or confirmed), as a counter the one write path keeps
    (events/registration/store.py): the sum of an event's rows. New registrations for an event without an overall
    capacity run side by side under a share lock of the event's row (events/registration/locking.py), so they
    cannot update one counter in that row; each adds to the shard of its registration id instead
    (``PLACE_SHARDS`` rows at most per event), and waits only for the registration before it in the same shard."""

    __tablename__ = "place_count"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    taken: Mapped[int] = mapped_column(Integer, default=0)


PLACE_SHARDS = 8
