from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import UTCDateTime, db, str_enum, utcnow


class EventRoleKind(str, enum.Enum):
    STAFF = "staff"  # runs the event: programme, registrations, partners, matching, badges, check-in
    DOOR = "door"    # check-in only


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower-case
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set for employer contacts: the organisation they speak for.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"),
                                                        index=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation = relationship("Organisation")
    event_roles: Mapped[list[EventRole]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt, werkzeug's current default

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def roles_for(self, event_id: int) -> set[EventRoleKind]:
        return {r.role for r in self.event_roles if r.event_id == event_id}

    def is_staff_for(self, event_id: int) -> bool:
        return self.is_admin or EventRoleKind.STAFF in self.roles_for(event_id)

    def can_check_in(self, event_id: int) -> bool:
        return self.is_staff_for(event_id) or EventRoleKind.DOOR in self.roles_for(event_id)

    @property
    def is_employer(self) -> bool:
        return self.organisation_id is not None


class EventRole(db.Model):
    __tablename__ = "event_role"
    __table_args__ = (UniqueConstraint("user_id", "event_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    role: Mapped[EventRoleKind] = mapped_column(str_enum(EventRoleKind, "event_role_kind", 16))

    user: Mapped[User] = relationship(back_populates="event_roles")
