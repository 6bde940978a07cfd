"""Meeting figures for the staff console's dashboard and exports; events/meetings/feature.py names them to
app.console.plugins."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db, utcnow
from events.meetings.models import Meeting, MeetingSetup, MeetingSlot, MeetingStatus
from events.programme.models import Session


def _published(event):
    return db.session.execute(
        select(Meeting, MeetingSlot).join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .join(MeetingSetup, MeetingSetup.id == Meeting.setup_id)
        .join(Session, Session.id == MeetingSetup.session_id)
        .where(Session.event_id == event.id,
               Meeting.status.in_([MeetingStatus.PUBLISHED, MeetingStatus.NO_SHOW, MeetingStatus.CANCELLED]))
        .order_by(MeetingSlot.starts_at, Meeting.organisation_id, Meeting.table)
    ).all()


def meeting_counts(event) -> dict[str, int]:
    """Planned: published meetings; held: those whose slot is over and whose attendee came."""
    now = utcnow()
    rows = _published(event)
    planned = [m for m, _slot in rows if m.status == MeetingStatus.PUBLISHED]
    held = [m for m, slot in rows if m.status == MeetingStatus.PUBLISHED and slot.ends_at <= now]
    return {"planned": len(planned), "held": len(held)}


def meeting_rows(event):
    header = ["starts_at", "ends_at", "organisation", "table", "full_name", "email", "status", "score", "reasons"]
    rows = []
    for meeting, slot in _published(event):
        attendee = meeting.registration.attendee
        rows.append([slot.starts_at, slot.ends_at,  # typed: each export writes the time its way
                     meeting.organisation.name, meeting.table + 1, attendee.full_name, attendee.email,
                     meeting.status.value, meeting.score,
                     "; ".join(r.get("text", "") for r in meeting.reasons or [])])
    return header, rows
