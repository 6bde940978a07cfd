"""1:1 meetings on the day itself: no-shows free their tables, attendees stand by, freed tables are offered to them."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db, utcnow
from app.mail import queue_mail
from events.employers.partnerships import contacts_of
from events.meetings.build import build_instance, num
from events.meetings.matching.solver import solve
from events.meetings.models import Meeting, MeetingSetup, MeetingStatus, StandbyAttendee
from events.meetings.services import can_wish, meetings_of, notify_changes, refuse
from events.registration.models import Registration


NO_SHOW_LEAD = timedelta(minutes=5)


def mark_no_show(setup: MeetingSetup, registration_id: int, now: datetime | None = None) -> int:
    """The attendee is not here: their meetings that have not ended are freed. Returns how many."""
    now = now or utcnow()
    freed = [m for m in meetings_of(setup, (MeetingStatus.PUBLISHED,))
             if m.registration_id == registration_id and m.slot.ends_at > now]
    for m in freed:
        m.status, m.sequence = MeetingStatus.NO_SHOW, m.sequence + 1
    for organisation_id in sorted({m.organisation_id for m in freed}):
        for contact in contacts_of(organisation_id):
            queue_mail(contact.email, "meetings_employer", locale=contact.locale, event=setup.session.event,
                       setup=setup)
    db.session.commit()
    return len(freed)


def employer_no_show(organisation_id: int, meeting_id: int, now: datetime | None = None) -> Meeting:
    """An employer marks one of its own meetings as a no-show at its table (from a few minutes before it starts):
    the table-slot is free for staff to offer to attendees on standby."""
    now = now or utcnow()
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.organisation_id != organisation_id:
        refuse("not_found", _("No such meeting at your tables."), status=404)
    if meeting.status != MeetingStatus.PUBLISHED:
        refuse("not_published", _("This meeting is not on the schedule any more."))
    if now < meeting.slot.starts_at - NO_SHOW_LEAD:
        refuse("not_started", _("You can mark a no-show once the meeting is about to start."))
    meeting.status, meeting.sequence, meeting.updated_at = MeetingStatus.NO_SHOW, meeting.sequence + 1, now
    db.session.commit()
    return meeting


def upcoming(meetings: list[Meeting], now: datetime | None = None) -> dict[int, str]:
    """Per table, its meeting now ("now") and the one after it ("next"): {meeting id: "now" | "next"}."""
    now = now or utcnow()
    out: dict[int, str] = {}
    by_table: dict[tuple[int, int, int], list[Meeting]] = {}
    for m in meetings:
        if m.status == MeetingStatus.PUBLISHED and m.slot.ends_at > now:
            by_table.setdefault((m.setup_id, m.organisation_id, m.table), []).append(m)
    for table_meetings in by_table.values():
        table_meetings.sort(key=lambda m: m.slot.starts_at)
        first = table_meetings[0]
        if first.slot.starts_at <= now:
            out[first.id] = "now"
            if len(table_meetings) > 1:
                out[table_meetings[1].id] = "next"
        else:
            out[first.id] = "next"
    return out


def add_standby(setup: MeetingSetup, registration_id: int) -> None:
    registration = db.session.get(Registration, registration_id)
    if registration is None or not can_wish(setup, registration):
        refuse("not_eligible", _("Only confirmed attendees who share their profile can stand by."), status=422)
    if not db.session.scalars(select(StandbyAttendee).where(StandbyAttendee.setup_id == setup.id,
                                                            StandbyAttendee.registration_id == registration_id)
                              ).first():
        db.session.add(StandbyAttendee(setup_id=setup.id, registration_id=registration_id))
    db.session.commit()


def standby_of(setup: MeetingSetup) -> list[StandbyAttendee]:
    return list(db.session.scalars(select(StandbyAttendee).where(StandbyAttendee.setup_id == setup.id)
                                   .order_by(StandbyAttendee.created_at)))


def refill_from_standby(setup: MeetingSetup, now: datetime | None = None) -> list[Meeting]:
    """Offer table-slots freed by no-shows, in slots that have not started, to attendees on standby.

    Runs synchronously (few people, few slots) and publishes at once: on the day there is no time for a draft."""
    now = now or utcnow()
    standby = {s.registration_id for s in standby_of(setup)}
    if not standby:
        refuse("no_standby", _("Nobody is on standby."))
    built = build_instance(setup, setup.mode, slots_after=now, only_attendees=standby)
    if not built.instance.slots:
        refuse("too_late", _("No meeting slot is left in this session."))
    schedule = solve(built.instance, setup.mode)
    new = []
    for m in schedule.meetings:
        if m.kind != "new":
            continue
        meeting = Meeting(setup_id=setup.id, registration_id=num(m.attendee), organisation_id=num(m.employer),
                          slot_id=num(m.slot), table=m.table, score=m.score, kind="standby",
                          reasons=[{"code": c, "points": p, "text": t} for c, p, t in m.reasons],
                          status=MeetingStatus.PUBLISHED)
        db.session.add(meeting)
        new.append(meeting)
    db.session.flush()
    notify_changes(setup, new)
    db.session.commit()
    return new
