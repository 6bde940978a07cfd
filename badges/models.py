from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, utcnow


def _enum(cls, name):
    return Enum(cls, name=name, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class BadgeRole(str, enum.Enum):
    ATTENDEE = "attendee"
    EMPLOYER = "employer"
    STAFF = "staff"
    SPEAKER = "speaker"


class BadgeStatus(str, enum.Enum):
    ACTIVE = "active"
    REVOKED = "revoked"


class Badge(db.Model):
    """One issue of a badge. Re-issuing revokes this row and adds one with the next version.

    Only a hash of the token is stored (see badges.tokens): a leaked database prints no working badge.
    """

    __tablename__ = "badge"
    __table_args__ = (
        Index("ix_badge_registration", "registration_id", "status"),
        Index("ix_badge_user_event", "user_id", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[BadgeRole] = mapped_column(_enum(BadgeRole, "badge_role"), default=BadgeRole.ATTENDEE)
    version: Mapped[int] = mapped_column(Integer, default=1)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[BadgeStatus] = mapped_column(_enum(BadgeStatus, "badge_status"), default=BadgeStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration = relationship("Registration")
    user = relationship("User")
    event = relationship("Event")
