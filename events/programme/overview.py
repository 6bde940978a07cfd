"""The console's "day at a glance": the scheduled sessions by local day as rooms × time, with the clashes of each
session (the drawing itself is events/programme/grid.py, pure functions)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from events.programme.grid import clashes, day_grid
from events.programme.models import Event, Session, SessionStatus


@dataclass
class GridDay:
    date: date
    columns: list
    rows: list            # (start, end, cells) as events.programme.grid.day_grid makes them
    clashes: dict         # session id -> [Clash]


def programme_grid(event: Event) -> list[GridDay]:
    """The scheduled sessions by local day as rooms × time, with the clashes of each session."""
    sessions = db.session.scalars(
        select(Session).where(Session.event_id == event.id, Session.status == SessionStatus.SCHEDULED)
        .options(selectinload(Session.room)).order_by(Session.starts_at, Session.id)).all()
    by_day: dict[date, list[Session]] = {}
    for s in sessions:
        by_day.setdefault(event.local(s.starts_at).date(), []).append(s)
    room_order = [r.name for r in event.rooms]
    days = []
    for day, items in sorted(by_day.items()):
        columns, rows = day_grid(items, room_order)
        days.append(GridDay(day, columns, rows, clashes(items)))
    return days
