"""What reminders keep: one row per registration and reminder sent, so that a rerun sends nothing twice."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import UTCDateTime, db, utcnow


class ReminderSent(db.Model):
    """The reminder ``days_before`` the day was written to the outbox for this registration (in the same
    transaction as its mail: the mail exists exactly when this row does)."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("registration_id", "days_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    days_before: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
