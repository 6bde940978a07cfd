"""Rules of the 1:1 meetings: setup, wishes, running the matcher as a job, draft, publish (the day itself: day.py).

Draft meetings are what the last run proposed; only staff see them. Publishing turns them into confirmed
meetings, which every later run keeps exactly where they are (the matcher's ``existing``): changes after
publishing are incremental and only fill what is free.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.accounts.models import User
from app.extensions import db, utcnow
from app.jobs import JobContext, enqueue
from app.mail import queue_mail
from events.employers.partnerships import contacts_of, is_accepted_partner
from events.meetings.matching.instance import MODES
from events.meetings.matching.solver import solve
from events.meetings.matching.validate import validate_schedule
from events.meetings.build import build_instance, eligible_registrations, num
from events.meetings.models import (AttendeeWish, EmployerChoice, EmployerChoiceKind, Meeting, MeetingEmployer,
                                    MeetingSetup, MeetingSlot, MeetingStatus, PairRule, PairRuleKind)
from events.programme.models import Event, Session, SessionKind
from events.registration.models import Registration, RegistrationStatus


class MeetingError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None, status: int = 409):
        super().__init__(message)
        self.code, self.message, self.field, self.status = code, message, field, status


def refuse(code: str, message: str, field: str | None = None, status: int = 409):
    """A rule said no: nothing of the call is kept, the caller gets a MeetingError."""
    db.session.rollback()
    raise MeetingError(code, message, field, status)


# ------------------------------------------------------------------------------------------ reading


def networking_sessions(event: Event) -> list[Session]:
    return [s for s in event.sessions if s.kind == SessionKind.NETWORKING and not s.is_cancelled]


def setup_for_session(session: Session) -> MeetingSetup | None:
    return db.session.scalars(select(MeetingSetup).where(MeetingSetup.session_id == session.id)).first()


def setups_of(event: Event) -> list[MeetingSetup]:
    return list(db.session.scalars(select(MeetingSetup).join(Session).where(Session.event_id == event.id)
                                   .order_by(Session.starts_at)))


def meetings_of(setup: MeetingSetup, statuses=(MeetingStatus.DRAFT, MeetingStatus.PUBLISHED)) -> list[Meeting]:
    return list(db.session.scalars(
        select(Meeting).join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .where(Meeting.setup_id == setup.id, Meeting.status.in_(statuses))
        .order_by(MeetingSlot.position, Meeting.organisation_id, Meeting.table)))


def table_number(setup: MeetingSetup, organisation_id: int, table: int) -> int:
    """Tables are numbered through the room: the first employer has 1..k, the next k+1.., in setup order."""
    for me in setup.employers:
        if me.organisation_id == organisation_id:
            return me.first_table + table
    return table + 1


# ------------------------------------------------------------------------------------------ setup


def _slot_times(session: Session, minutes: int, changeover: int) -> list[tuple[datetime, datetime]]:
    out, start = [], session.starts_at
    while start + timedelta(minutes=minutes) <= session.ends_at:
        out.append((start, start + timedelta(minutes=minutes)))
        start += timedelta(minutes=minutes + changeover)
    return out


def configure(session: Session, *, slot_minutes: int, changeover_minutes: int, max_meetings: int,
              max_wishes: int) -> MeetingSetup:
    """Create or change the setup; slots are (re)generated while nothing is published."""
    if session.kind != SessionKind.NETWORKING:
        refuse("not_networking", _("Only networking sessions can hold 1:1 meetings."), status=422)
    setup = setup_for_session(session) or MeetingSetup(session=session)
    times = _slot_times(session, slot_minutes, changeover_minutes)
    if not times:
        refuse("no_slots", _("The session is too short for one meeting of this length."), field="slot_minutes",
               status=422)
    changed = (setup.slot_minutes, setup.changeover_minutes) != (slot_minutes, changeover_minutes) or not setup.slots
    if changed and setup.id and meetings_of(setup, (MeetingStatus.PUBLISHED, MeetingStatus.NO_SHOW,
                                                    MeetingStatus.CANCELLED)):
        refuse("published", _("Meetings are published already: the slot length cannot change any more."),
               field="slot_minutes")
    setup.slot_minutes, setup.changeover_minutes = slot_minutes, changeover_minutes
    setup.max_meetings_per_attendee, setup.max_wishes = max_meetings, max_wishes
    db.session.add(setup)
    if changed:
        if setup.id:
            db.session.execute(delete(Meeting).where(Meeting.setup_id == setup.id))
            db.session.execute(delete(PairRule).where(PairRule.setup_id == setup.id,
                                                      PairRule.kind == PairRuleKind.PIN))
        setup.slots.clear()
        db.session.flush()
        setup.slots.extend(MeetingSlot(position=i, starts_at=a, ends_at=b) for i, (a, b) in enumerate(times))
        setup.draft_stats = None
    db.session.commit()
    return setup


def set_employer(setup: MeetingSetup, organisation_id: int, tables: int, max_meetings: int | None = None) -> None:
    """Add an accepted partner with its tables, change its tables, or remove it (tables 0)."""
    event_id = setup.session.event_id
    if not is_accepted_partner(organisation_id, event_id):
        refuse("not_partner", _("Only accepted partners of this welcome day can hold tables."), field="organisation_id",
               status=422)
    current = next((me for me in setup.employers if me.organisation_id == organisation_id), None)
    published = [m for m in meetings_of(setup, (MeetingStatus.PUBLISHED,)) if m.organisation_id == organisation_id]
    if published and (tables == 0 or tables <= max(m.table for m in published)):
        refuse("tables_in_use", _("Published meetings use these tables; cancel them first."), field="tables")
    if tables == 0:
        if current is not None:
            setup.employers.remove(current)
    elif current is None:
        setup.employers.append(MeetingEmployer(organisation_id=organisation_id, tables=tables,
                                               max_meetings=max_meetings))
    else:
        current.tables, current.max_meetings = tables, max_meetings
    db.session.flush()
    first = 1
    for me in sorted(setup.employers, key=lambda e: e.id):
        me.first_table, first = first, first + me.tables
    db.session.commit()


# ------------------------------------------------------------------------------------------ wishes


def can_wish(setup: MeetingSetup, registration: Registration) -> bool:
    return (registration.event_id == setup.session.event_id and registration.status == RegistrationStatus.CONFIRMED
            and registration.consent_sharing_at is not None)


def attendee_wishes(setup: MeetingSetup, registration: Registration) -> list[AttendeeWish]:
    return list(db.session.scalars(select(AttendeeWish).where(AttendeeWish.setup_id == setup.id,
                                                              AttendeeWish.registration_id == registration.id)))


def save_attendee_wishes(setup: MeetingSetup, registration: Registration, ranked: list[int],
                         not_interested: list[int]) -> None:
    """Replace the attendee's wishes: ``ranked`` organisation ids (rank 1 first) and "not interested" ones."""
    if not can_wish(setup, registration):
        refuse("no_consent", _("Only confirmed attendees who share their profile with employers can choose "
                            "employers to meet."), status=403)
    participating = {me.organisation_id for me in setup.employers}
    if len(ranked) > setup.max_wishes:
        refuse("too_many", _("Choose at most %(num)d employers.", num=setup.max_wishes), field="ranked", status=422)
    if len(set(ranked)) != len(ranked):
        refuse("duplicate", _("Each employer only once in your ranking, please."), field="ranked", status=422)
    if not set(ranked) | set(not_interested) <= participating:
        refuse("unknown_employer", _("An employer you chose does not take part in this session."), field="ranked",
               status=422)
    if set(ranked) & set(not_interested):
        refuse("contradiction", _("An employer cannot be both wished for and “not interested”."), field="ranked",
               status=422)
    db.session.execute(delete(AttendeeWish).where(AttendeeWish.setup_id == setup.id,
                                                  AttendeeWish.registration_id == registration.id))
    for rank, organisation_id in enumerate(ranked, start=1):
        db.session.add(AttendeeWish(setup_id=setup.id, registration_id=registration.id,
                                    organisation_id=organisation_id, rank=rank))
    for organisation_id in sorted(set(not_interested)):
        db.session.add(AttendeeWish(setup_id=setup.id, registration_id=registration.id,
                                    organisation_id=organisation_id, not_interested=True))
    db.session.commit()


def employer_pool(setup: MeetingSetup, organisation_id: int) -> tuple[list[Registration], dict[int, str]]:
    """The consenting attendees an employer may choose from, with its current choices {registration: kind}."""
    choices = {c.registration_id: c.kind.value for c in db.session.scalars(select(EmployerChoice).where(
        EmployerChoice.setup_id == setup.id, EmployerChoice.organisation_id == organisation_id))}
    return eligible_registrations(setup), choices


def save_employer_choices(setup: MeetingSetup, organisation_id: int, wishes: list[int],
                          exclusions: list[int]) -> None:
    if organisation_id not in {me.organisation_id for me in setup.employers}:
        refuse("not_participating", _("Your organisation has no table in this session."), status=403)
    if set(wishes) & set(exclusions):
        refuse("contradiction", _("An attendee cannot be both wished for and excluded."), field="wishes", status=422)
    eligible = {r.id for r in eligible_registrations(setup)}
    if not set(wishes) | set(exclusions) <= eligible:
        refuse("not_eligible", _("You can only choose attendees who share their profile."), field="wishes",
               status=422)
    db.session.execute(delete(EmployerChoice).where(EmployerChoice.setup_id == setup.id,
                                                    EmployerChoice.organisation_id == organisation_id))
    for kind, ids in ((EmployerChoiceKind.WISH, wishes), (EmployerChoiceKind.EXCLUDE, exclusions)):
        for registration_id in sorted(set(ids)):
            db.session.add(EmployerChoice(setup_id=setup.id, organisation_id=organisation_id,
                                          registration_id=registration_id, kind=kind))
    db.session.commit()


# ------------------------------------------------------------------------------------------ running


def start_run(setup: MeetingSetup, mode: str, user: User | None):
    if mode not in MODES:
        refuse("bad_mode", _("Choose “fair” or “best total”."), field="mode", status=422)
    if not setup.employers or not setup.slots:
        refuse("nothing_to_match", _("Add at least one employer with tables first."))
    setup.mode = mode
    db.session.commit()
    setup_id = setup.id
    job = enqueue("meetings.solve", event_id=setup.session.event_id, user_id=user.id if user else None,
                  setup_id=setup_id, mode=mode)
    # with JOBS_EAGER the job ran already and ended the session: work on fresh rows
    db.session.get(MeetingSetup, setup_id).draft_job_id = job.id
    db.session.commit()
    return job


def run_matching(ctx: JobContext, setup_id: int, mode: str = "fair") -> None:
    ctx.progress(0, 3, _("reading wishes and profiles"), force=True)
    setup = db.session.get(MeetingSetup, setup_id)
    built = build_instance(setup, mode)
    ctx.progress(1, 3, _("matching the attendees"), force=True)
    schedule = solve(built.instance, mode)
    violations = validate_schedule(built.instance, schedule)
    if violations:  # never expected: the matcher validates its own output; refuse to store a broken draft
        raise RuntimeError("matcher output violates: " + "; ".join(violations[:5]))
    ctx.progress(2, 3, _("saving the draft"), force=True)
    _store_draft(setup, built, schedule)
    ctx.finish_with(meetings=len(schedule.meetings), percent_of_bound=schedule.stats.get("percent_of_bound"))
    ctx.progress(3, 3, _("draft ready"), force=True)


def _store_draft(setup: MeetingSetup, built, schedule) -> None:
    db.session.execute(delete(Meeting).where(Meeting.setup_id == setup.id, Meeting.status == MeetingStatus.DRAFT))
    for m in schedule.meetings:
        if m.kind == "existing":
            continue
        db.session.add(Meeting(setup_id=setup.id, registration_id=num(m.attendee), organisation_id=num(m.employer),
                               slot_id=num(m.slot), table=m.table, score=m.score, kind=m.kind,
                               reasons=[{"code": c, "points": p, "text": t} for c, p, t in m.reasons],
                               status=MeetingStatus.DRAFT))
    stats = dict(schedule.stats)
    stats["dropped_existing"] = [m.id for m in built.dropped]
    stats["dropped_pins"] = len(built.dropped_pins)
    stats["eligible_attendees"] = len(built.instance.attendees)
    setup.draft_stats = stats
    db.session.commit()


def run_now(setup: MeetingSetup, mode: str = "fair") -> dict:
    """Run the matcher in this process (CLI, tests); same result as the job."""
    built = build_instance(setup, mode)
    schedule = solve(built.instance, mode)
    _store_draft(setup, built, schedule)
    return setup.draft_stats


def set_rule(setup: MeetingSetup, registration_id: int, organisation_id: int, kind: str,
             slot_id: int | None = None, table: int | None = None) -> None:
    """Pin a pair to (slot, table), forbid it, or clear the rule (kind "clear")."""
    db.session.execute(delete(PairRule).where(PairRule.setup_id == setup.id,
                                              PairRule.registration_id == registration_id,
                                              PairRule.organisation_id == organisation_id))
    if kind == "clear":
        db.session.commit()
        return
    if kind == PairRuleKind.PIN.value:
        me = next((e for e in setup.employers if e.organisation_id == organisation_id), None)
        if me is None or slot_id not in {s.id for s in setup.slots} or table is None or not 0 <= table < me.tables:
            refuse("bad_pin", _("Pin to a slot and table of this session."), status=422)
    elif kind != PairRuleKind.FORBID.value:
        refuse("bad_rule", _("Unknown rule."), status=422)
    db.session.add(PairRule(setup_id=setup.id, registration_id=registration_id, organisation_id=organisation_id,
                            kind=PairRuleKind(kind), slot_id=slot_id if kind == "pin" else None,
                            table=table if kind == "pin" else None))
    db.session.commit()


def rules_of(setup: MeetingSetup) -> list[PairRule]:
    return list(db.session.scalars(select(PairRule).where(PairRule.setup_id == setup.id).order_by(PairRule.id)))


# ------------------------------------------------------------------------------------------ publishing


def _to_publish(setup: MeetingSetup) -> tuple[list[Meeting], list[Meeting]]:
    """(drafts, published meetings the last run could not keep)."""
    dropped_ids = set((setup.draft_stats or {}).get("dropped_existing", []))
    return (meetings_of(setup, (MeetingStatus.DRAFT,)),
            [m for m in meetings_of(setup, (MeetingStatus.PUBLISHED,)) if m.id in dropped_ids])


def _recipients(changed: list[Meeting]) -> tuple[int, int]:
    return (len({m.registration_id for m in changed}),
            sum(len(contacts_of(o)) for o in {m.organisation_id for m in changed}))


def publish_recipients(setup: MeetingSetup) -> tuple[int, int]:
    """Whom publishing now would mail: (attendees, employer contacts); staff confirm these numbers."""
    drafts, cancelled = _to_publish(setup)
    return _recipients(drafts + cancelled)


def publish(setup: MeetingSetup, expected: tuple[int, int] | None = None) -> tuple[int, int]:
    """Confirm the draft; cancel published meetings the last run could not keep; tell everyone concerned.

    ``expected``: the (attendees, contacts) staff confirmed; if a new run changed them meanwhile, nothing is
    published or mailed. Returns (published, cancelled)."""
    setup = db.session.scalars(select(MeetingSetup).where(MeetingSetup.id == setup.id).with_for_update()
                               .execution_options(populate_existing=True)).one()
    drafts, cancelled = _to_publish(setup)
    if not drafts and not cancelled:
        refuse("no_draft", _("There is no draft to publish: run the matching first."))
    if expected is not None and tuple(expected) != _recipients(drafts + cancelled):
        refuse("changed", _("The draft changed since you looked: check who gets mail, then confirm again."))
    now = utcnow()
    for m in cancelled:
        m.status, m.sequence, m.updated_at = MeetingStatus.CANCELLED, m.sequence + 1, now
    for m in drafts:
        m.status, m.updated_at = MeetingStatus.PUBLISHED, now
    setup.published_at, setup.draft_stats = now, None
    notify_changes(setup, drafts + cancelled)
    db.session.commit()
    return len(drafts), len(cancelled)


def notify_changes(setup: MeetingSetup, changed: list[Meeting]) -> None:
    """Mail each attendee concerned their meetings as they stand now, and tell the employers concerned."""
    event = setup.session.event
    registrations = {m.registration_id: m.registration for m in changed}
    for registration in registrations.values():
        mine = [m for m in meetings_of(setup, (MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED))
                if m.registration_id == registration.id]
        queue_mail(registration.attendee.email, "meetings_attendee", locale=registration.attendee.locale,
                   event=event, setup=setup, registration=registration, meetings=mine,
                   table_number=lambda m: table_number(setup, m.organisation_id, m.table))
    for organisation_id in sorted({m.organisation_id for m in changed}):
        for contact in contacts_of(organisation_id):
            queue_mail(contact.email, "meetings_employer", locale=contact.locale, event=event, setup=setup)


def cancel_meeting(setup: MeetingSetup, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.setup_id != setup.id or meeting.status != MeetingStatus.PUBLISHED:
        refuse("not_found", _("No such published meeting."), status=404)
    meeting.status, meeting.sequence = MeetingStatus.CANCELLED, meeting.sequence + 1
    notify_changes(setup, [meeting])
    db.session.commit()
    return meeting


def meetings_for_registration(registration: Registration) -> list[Meeting]:
    return list(db.session.scalars(
        select(Meeting).join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .where(Meeting.registration_id == registration.id, Meeting.status != MeetingStatus.DRAFT)
        .order_by(MeetingSlot.starts_at)))


def meetings_for_organisation(organisation_id: int, event: Event) -> list[Meeting]:
    return list(db.session.scalars(
        select(Meeting).join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .join(MeetingSetup, MeetingSetup.id == Meeting.setup_id).join(Session, Session.id == MeetingSetup.session_id)
        .where(Meeting.organisation_id == organisation_id, Session.event_id == event.id,
               Meeting.status != MeetingStatus.DRAFT)
        .order_by(MeetingSlot.starts_at, Meeting.table)))

