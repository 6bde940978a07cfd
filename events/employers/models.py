"""Partner candidacies, employer invitations and profiles, bookable workshop slots and their bookings."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.content import Translatable
from app.extensions import UTCDateTime, db, str_enum, utcnow

if TYPE_CHECKING:  # relationships only; SQLAlchemy resolves them by class name
    from events.programme.models import Event


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


class Organisation(Translatable, db.Model):
    __tablename__ = "organisation"
    # The partner text ("About the organisation") in ``main_language``, others in ``translations`` (app/content.py).
    translated_fields = ("description",)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"),
                                                   default=OrganisationKind.COMPANY)
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    main_language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnerships: Mapped[list[EventPartner]] = relationship(back_populates="organisation")

    @property
    def text_language(self) -> str:
        return self.main_language or "en"


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



class PartnerCandidacy(db.Model):
    """What an organisation said when it applied to take part in an event (one per EventPartner)."""

    __tablename__ = "partner_candidacy"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_partner_id: Mapped[int] = mapped_column(ForeignKey("event_partner.id", ondelete="CASCADE"), unique=True)
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    offers: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[str] = mapped_column(Text, default="")
    decision_message: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(8), default="en", server_default="en")  # the applicant's language
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner = relationship("EventPartner", backref=db.backref("candidacy", uselist=False,
                                                              cascade="all, delete-orphan"))


class EmployerInvitation(db.Model):
    """An invitation to become an employer contact; only the token's SHA-256 is stored."""

    __tablename__ = "employer_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    locale: Mapped[str] = mapped_column(String(8), default="en", server_default="en")  # for mails and the account
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    organisation = relationship("Organisation")


class EmployerProfile(db.Model):
    """What an organisation offers and looks for; the matcher's hard filters and score read it."""

    __tablename__ = "employer_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), unique=True)
    sectors: Mapped[list] = mapped_column(JSON, default=list)
    locations: Mapped[list] = mapped_column(JSON, default=list)
    offers: Mapped[list] = mapped_column(JSON, default=list)          # values of events.registration.models.Seeking
    fields_of_study: Mapped[list] = mapped_column(JSON, default=list)
    degree_levels: Mapped[list] = mapped_column(JSON, default=list)   # values of DegreeLevel; empty = any
    required_languages: Mapped[dict] = mapped_column(JSON, default=dict)  # {"de": "B2"}
    visa_support: Mapped[bool] = mapped_column(Boolean, default=False)
    blue_card_support: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation = relationship("Organisation", backref=db.backref("employer_profile", uselist=False))


class WorkshopSlot(db.Model):
    """A bookable time in a room, published by staff."""

    __tablename__ = "workshop_slot"
    __table_args__ = (UniqueConstraint("room_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdraw_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    room = relationship("Room")
    event = relationship("Event")


class BookingStatus(str, enum.Enum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


HOLDS_SLOT = (BookingStatus.REQUESTED, BookingStatus.APPROVED)


class WorkshopBooking(db.Model):
    """An employer's workshop in a slot.

    ``holding_slot_id`` equals ``slot_id`` while the booking holds the slot (requested or approved) and is NULL
    otherwise; its UNIQUE constraint is what makes a second booking of the same slot impossible, also when two
    transactions insert at the same moment (NULLs never collide, so old declined bookings do not block).
    """

    __tablename__ = "workshop_booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("workshop_slot.id", ondelete="CASCADE"), index=True)
    holding_slot_id: Mapped[int | None] = mapped_column(ForeignKey("workshop_slot.id", ondelete="CASCADE"),
                                                        unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    abstract: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    capacity: Mapped[int] = mapped_column(Integer)
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus, "booking_status"),
                                                  default=BookingStatus.REQUESTED)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session.id", ondelete="SET NULL"))
    staff_message: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    slot: Mapped[WorkshopSlot] = relationship(foreign_keys=[slot_id])
    organisation = relationship("Organisation")
    session = relationship("Session")
