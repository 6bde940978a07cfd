from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import UTCDateTime, db, str_enum, utcnow

# A hash of a random password nobody knows, with werkzeug's default scrypt parameters (the cost of every hash
# set_password writes; tests/accounts/test_login_timing.py keeps them equal). Logging in with an unknown or
# inactive address checks the password against it, so that the answer takes as long as for a real account.
DUMMY_PASSWORD_HASH = (
    "scrypt:32768:8:1$nP08RFEQWfyfZecD$defb6140f1f920641b7f504581d0c398deabc7373535e017ce14d8eb8a3831420a5cbb5a"
    "ecc6358340b2d6addbbbd39d9ab638c9e9efcc709c251e3f53b259cb")


def check_against_dummy(password: str) -> bool:
    """The work of one password check, for a login that has no password to check; always False."""
    check_password_hash(DUMMY_PASSWORD_HASH, password)
    return False


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

    # The signed-in session (UserSession) this instance was loaded through, set by the user loader; not columns.
    current_session_id = None
    current_session_seen_at = None

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt, werkzeug's current default

    def check_password(self, password: str) -> bool:
        if not self.password_hash:  # no password yet: the same work as a wrong one
            return check_against_dummy(password)
        return check_password_hash(self.password_hash, password)

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


class UserSession(db.Model):
    """One signed-in browser session. The cookie carries a random token and the table only its hash, so a copy of
    the table opens no session. Logging out ends this row; a new password ends all of the user's rows."""
    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex of the cookie's token
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # to a few minutes
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordReset(db.Model):
    """A "forgot your password?" link: random, stored only hashed, valid for a while, used once."""
    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """Counters of failed logins when there is no Redis (see throttle.py): one row per account or network
    address, counting in a window that ends at window_ends_at. The key is an HMAC, never the address itself."""
    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
