"""A lead: one organisation's note about one attendee it met at the day (one per organisation and registration;
a second scan updates it). Stored only when the attendee shares their profile with employers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, utcnow


class Lead(db.Model):
    __tablename__ = "lead"
    __table_args__ = (UniqueConstraint("organisation_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1..5, or none yet
    note: Mapped[str] = mapped_column(Text, default="")
    scanned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration = relationship("Registration")
    organisation = relationship("Organisation")
    scanned_by = relationship("User")
