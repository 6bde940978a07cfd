"""Feed links and SEQUENCE bookkeeping for calendar items.

Calendar apps only replace an item they already hold when its SEQUENCE grows, so every change to what a feed
shows bumps a counter: Session.sequence when its title, times, room, status or text change (and when its room is
renamed or the venue moves), Enrolment.sequence when its status changes (written by events/registration/store.py,
the one write path of enrolments). A personal item's SEQUENCE is the sum of the two, so it grows whenever either
grows.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import UTCDateTime, db, utcnow
from events.programme.models import Event, Room, Session


class AgendaFeed(db.Model):
    """The version of one holder's personal feed link; renewing the link bumps it and the old URL stops working.

    The link itself is derived (HMAC of the holder and the version, see events.agendas.feeds), so nothing secret
    is stored. No row means version 1: showing a link never writes to the database.
    """

    __tablename__ = "agenda_feed"
    __table_args__ = (UniqueConstraint("user_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"),
                                                        unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


SESSION_FIELDS = ("title", "abstract", "starts_at", "ends_at", "room_id", "status", "kind", "language",
                  "speakers", "host_organisation_id", "translations")
EVENT_FIELDS = ("title", "venue", "address", "timezone", "translations", "main_language")


def _changed(obj, fields) -> bool:
    state = sa_inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def bump_sequences(session, flush_context, instances) -> None:
    """Before each flush of the application's session (attached by events/agendas/feature.py)."""
    bumped: set[int] = set()
    for obj in list(session.dirty):
        if isinstance(obj, Session) and obj.id not in bumped and _changed(obj, SESSION_FIELDS):
            obj.sequence = (obj.sequence or 0) + 1
            bumped.add(obj.id)
        elif isinstance(obj, (Room, Event)) and obj.id is not None:
            fields = ("name", "translations") if isinstance(obj, Room) else EVENT_FIELDS
            if not _changed(obj, fields):
                continue
            column = Session.room_id if isinstance(obj, Room) else Session.event_id
            with session.no_autoflush:
                affected = session.scalars(select(Session).where(column == obj.id)).all()
            for item in affected:
                if item.id not in bumped:
                    item.sequence = (item.sequence or 0) + 1
                    item.updated_at = utcnow()
                    bumped.add(item.id)
