"""Meeting figures reach the staff console's dashboard and exports."""
from __future__ import annotations

from datetime import timedelta

from app.console.plugins import figure
from events.meetings import services
from events.meetings.models import MeetingSlot
from tests.meetings.helpers import networking_day


def test_planned_and_held_meetings_and_export_rows(db):
    event, setup, orgs, users, regs, _ = networking_day()
    services.run_now(setup)
    assert figure("meetings")(event) == {"planned": 0, "held": 0}  # drafts are not planned yet
    published, _cancelled = services.publish(setup)
    assert figure("meetings")(event) == {"planned": published, "held": 0}  # the day is still ahead

    first_slot = min(setup.slots, key=lambda s: s.position)
    in_first = sum(1 for m in services.meetings_of(setup) if m.slot_id == first_slot.id)
    shift = first_slot.ends_at - event.starts_at + timedelta(days=40)
    for slot in db.session.scalars(db.select(MeetingSlot).where(MeetingSlot.id == first_slot.id)):
        slot.starts_at -= shift
        slot.ends_at -= shift  # the first slot is over
    db.session.commit()
    assert figure("meetings")(event) == {"planned": published, "held": in_first}

    header, rows = figure("meeting_rows")(event)
    assert header[:4] == ["starts_at", "ends_at", "organisation", "table"]
    assert len(rows) == published
    assert {row[2] for row in rows} <= {org.name for org in orgs}
