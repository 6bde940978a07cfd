"""Check-in figures for the staff console (dashboard and exports); badges/feature.py names them to
app.console.plugins."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from badges.door.checkin import MAIN
from badges.models import CheckIn


def first_check_ins(event) -> dict[int, datetime]:
    """registration id -> when they came in through the main entrance."""
    rows = db.session.execute(select(CheckIn.holder, CheckIn.checked_in_at).where(
        CheckIn.event_id == event.id, CheckIn.door == MAIN, CheckIn.holder.like("r%"))).all()
    return {int(holder[1:]): at for holder, at in rows}


def checkin_rows(event):
    header = ["holder", "door", "station", "checked_in_at"]
    rows = db.session.execute(select(CheckIn.holder, CheckIn.door, CheckIn.station, CheckIn.checked_in_at)
                              .where(CheckIn.event_id == event.id).order_by(CheckIn.checked_in_at)).all()
    return header, [[h, d, s, at] for h, d, s, at in rows]  # typed: each export writes the time its way
