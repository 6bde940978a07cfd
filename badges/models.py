from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, str_enum, utcnow


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
    role: Mapped[BadgeRole] = mapped_column(str_enum(BadgeRole, "badge_role", 16), default=BadgeRole.ATTENDEE)
    version: Mapped[int] = mapped_column(Integer, default=1)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[BadgeStatus] = mapped_column(str_enum(BadgeStatus, "badge_status", 16), default=BadgeStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration = relationship("Registration")
    user = relationship("User")
    event = relationship("Event")


class ScanResult(str, enum.Enum):
    OK = "ok"             # admitted now
    ALREADY = "already"   # admitted before: let them in, but say when and where
    REJECTED = "rejected"


# The fixed list of reasons a scan is rejected (the API and the door page show these, never free text).
REJECT_REASONS = ("invalid", "revoked", "cancelled", "waitlisted", "another_event", "not_enrolled",
                  "outside_window")
# The scan log's reason for an attempt answered 409 (a nonce reused for another scan): never a verdict's.
NONCE_REUSED = "nonce_reused"


class CheckIn(db.Model):
    """A holder's admission at one door scope: the event's entrance ("main") or one session ("session-12").

    The unique constraint is what makes two doors scanning the same badge at once admit it once: the second
    insert fails (PostgreSQL waits for the first to commit) and that scan is answered "already".
    Keyed by the holder, not the badge, so that a re-issued badge still shows as checked in.
    """

    __tablename__ = "check_in"
    # The unique index is the only one on event_id, so each scan's lookup of its holder probes it (a second index
    # on (event, time) won while the table's statistics were an empty table's, at the start of every door day,
    # and then each scan read every check-in at the door). Lists by time sort in memory.
    __table_args__ = (UniqueConstraint("event_id", "holder", "door"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    holder: Mapped[str] = mapped_column(String(24))  # "r<registration id>" or "u<user id>"
    door: Mapped[str] = mapped_column(String(24))    # "main" or "session-<id>"
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge.id", ondelete="CASCADE"), index=True)
    station: Mapped[str] = mapped_column(String(60), default="")  # "Door 2", the device's name
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_device.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class ScanLog(db.Model):
    """Every scan, admitted or not, online or uploaded later.

    A client nonce names one scan of one device: it is unique per event and *scope*, the device that made it
    ("device-<id>" for a scanner app, "user-<id>" for a signed-in door page). Two devices may happen to pick the
    same nonce; neither may answer for the other's scan. A reused nonce for another badge or door is logged as
    rejected (reason "nonce_reused") with no nonce, so that the first scan keeps its nonce.
    """

    __tablename__ = "scan_log"
    # As for check_in: the unique index is the only one leading with event_id, so the nonce probe of every scan
    # uses it. The door's "latest scans" read by time of arrival.
    __table_args__ = (UniqueConstraint("event_id", "scope", "nonce"),
                      Index("ix_scan_log_received", "received_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    # Spelled out rather than derived from device_id / user_id: those become NULL when a device or user is
    # deleted, and a nonce must stay taken.
    scope: Mapped[str] = mapped_column(String(24), default="", server_default="")
    nonce: Mapped[str | None] = mapped_column(String(64))
    door: Mapped[str] = mapped_column(String(24))
    station: Mapped[str] = mapped_column(String(60), default="")
    device_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_device.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    badge_id: Mapped[int | None] = mapped_column(ForeignKey("badge.id", ondelete="SET NULL"))
    result: Mapped[ScanResult] = mapped_column(str_enum(ScanResult, "scan_result", 16))
    reason: Mapped[str] = mapped_column(String(24), default="")
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)   # on the device
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # by the server
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    # An offline scan the device admitted although another door had admitted the holder first.
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckinDevice(db.Model):
    """A scanner app's credential for one event. Only a hash of the token is stored; revoking is final."""

    __tablename__ = "checkin_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def active(self) -> bool:
        return self.revoked_at is None
