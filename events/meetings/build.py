"""From the database to a matcher instance (``events.meetings.matching`` JSON format) and back.

Ids in the instance: attendee ``r<registration id>``, employer ``o<organisation id>``, slot ``s<meeting slot id>``.
Fixed meetings (published ones, then staff pins) are checked here before the matcher sees them: one that became
infeasible (the attendee cancelled, withdrew consent, marked the employer "not interested", got busy…) is left
out and reported, because the matcher refuses an instance with an infeasible fixed meeting.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from events.employers.profiles import profile_for
from events.meetings.matching.instance import Instance
from events.meetings.matching.json_format import FORMAT, instance_from_dict
from events.meetings.matching.scoring import is_allowed
from events.meetings.models import (AttendeeWish, EmployerChoice, EmployerChoiceKind, Meeting, MeetingEmployer,
                                    MeetingSetup, MeetingStatus, PairRule, PairRuleKind)
from events.registration.models import Enrolment, EnrolmentStatus, Registration, RegistrationStatus
from events.programme.models import Session, SessionStatus


def aid(registration_id: int) -> str:
    return f"r{registration_id}"


def eid(organisation_id: int) -> str:
    return f"o{organisation_id}"


def sid(slot_id: int) -> str:
    return f"s{slot_id}"


def num(ident: str) -> int:
    return int(ident[1:])


def eligible_registrations(setup: MeetingSetup) -> list[Registration]:
    """Who may be matched: confirmed registrations of the event that consented to share their profile."""
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == setup.session.event_id,
                                   Registration.status == RegistrationStatus.CONFIRMED,
                                   Registration.consent_sharing_at.is_not(None))
        .order_by(Registration.id)))


def busy_slots(setup: MeetingSetup, registration_ids: list[int]) -> dict[int, set[int]]:
    """Slots in which each attendee sits in another session (a confirmed seat overlapping the slot)."""
    if not registration_ids:
        return {}
    rows = db.session.execute(
        select(Enrolment.registration_id, Session.starts_at, Session.ends_at)
        .join(Session, Session.id == Enrolment.session_id)
        .where(Enrolment.registration_id.in_(registration_ids), Enrolment.status == EnrolmentStatus.CONFIRMED,
               Session.status != SessionStatus.CANCELLED, Session.id != setup.session_id,
               Session.starts_at < setup.session.ends_at, Session.ends_at > setup.session.starts_at)).all()
    out: dict[int, set[int]] = {}
    for registration_id, start, end in rows:
        for slot in setup.slots:
            if start < slot.ends_at and slot.starts_at < end:
                out.setdefault(registration_id, set()).add(slot.id)
    return out


@dataclass
class Built:
    instance: Instance
    dropped: list[Meeting] = field(default_factory=list)     # published meetings that cannot stay
    dropped_pins: list[PairRule] = field(default_factory=list)


def _fixed_ok(inst: Instance, att_id, emp_id, slot_id, table, used, counts) -> bool:
    att, emp = inst.att.get(att_id), inst.emp.get(emp_id)
    if att is None or emp is None or slot_id not in inst.slot_index or not (0 <= table < emp.tables):
        return False
    if slot_id in att.busy_slots or not is_allowed(inst, att, emp)[0]:
        return False
    keys = {("a", att_id, slot_id), ("t", emp_id, table, slot_id), ("p", att_id, emp_id)}
    if keys & used:
        return False
    if counts.get(att_id, 0) >= att.max_meetings or counts.get(emp_id, 0) >= inst.employer_cap(emp):
        return False
    used |= keys
    counts[att_id] = counts.get(att_id, 0) + 1
    counts[emp_id] = counts.get(emp_id, 0) + 1
    return True


def _cap(setup: MeetingSetup, registration_id: int, published: list[Meeting], slot_ids: set[int],
         slots_after: datetime | None, only_attendees: set[int] | None) -> int | None:
    """How many meetings the attendee may have in the slots matched now; None leaves them out."""
    fixed_here = sum(1 for m in published if m.registration_id == registration_id and m.slot_id in slot_ids)
    if only_attendees is not None and registration_id not in only_attendees:
        return fixed_here or None  # not on standby: keeps what it has, gets nothing new
    if slots_after is not None:
        held = sum(1 for m in published if m.registration_id == registration_id and m.slot_id not in slot_ids)
        return max(setup.max_meetings_per_attendee - held, fixed_here)
    return setup.max_meetings_per_attendee


def _attendee(registration: Registration, cap: int, own: list[AttendeeWish], busy: set[int],
              participating: set[int]) -> dict:
    person = registration.attendee
    own = sorted(own, key=lambda w: (w.rank or 0, w.id))
    return {
        "id": aid(registration.id), "name": person.badge_name,
        "degree_level": person.degree_level.value if person.degree_level else "",
        "field": (person.field_of_study or "").strip().lower(),
        "languages": dict(person.languages or {}), "seeks": list(person.seeking or []),
        "wishes": [eid(w.organisation_id) for w in own if w.rank and w.organisation_id in participating],
        "not_interested": [eid(w.organisation_id) for w in own
                           if w.not_interested and w.organisation_id in participating],
        "busy_slots": [sid(s) for s in sorted(busy)],
        "max_meetings": cap,
    }


def _employer(me: MeetingEmployer, own: list[EmployerChoice], present: set[str]) -> dict:
    profile = profile_for(me.organisation_id)
    return {
        "id": eid(me.organisation_id), "name": me.organisation.name, "tables": me.tables,
        "offers": list(profile.offers or []), "fields": [f.lower() for f in profile.fields_of_study or []],
        "degree_levels": list(profile.degree_levels or []),
        "required_languages": dict(profile.required_languages or {}),
        "wishes": [aid(c.registration_id) for c in own if c.kind == EmployerChoiceKind.WISH
                   and aid(c.registration_id) in present],
        "exclusions": [aid(c.registration_id) for c in own if c.kind == EmployerChoiceKind.EXCLUDE
                       and aid(c.registration_id) in present],
        "max_meetings": me.max_meetings,
    }


def _attendees(setup: MeetingSetup, registrations: list[Registration], published: list[Meeting],
               slot_ids: set[int], participating: set[int], slots_after: datetime | None,
               only_attendees: set[int] | None) -> tuple[list[dict], list[list[str]]]:
    """The attendees' part of the instance, and the pairs that met in earlier slots (they must not meet again)."""
    busy = busy_slots(setup, [r.id for r in registrations])
    wishes: dict[int, list[AttendeeWish]] = {}
    for w in db.session.scalars(select(AttendeeWish).where(AttendeeWish.setup_id == setup.id)):
        wishes.setdefault(w.registration_id, []).append(w)
    attendees, met_before = [], []
    for registration in registrations:
        cap = _cap(setup, registration.id, published, slot_ids, slots_after, only_attendees)
        if cap is None:
            continue
        if slots_after is not None and (only_attendees is None or registration.id in only_attendees):
            met_before += [[aid(registration.id), eid(m.organisation_id)] for m in published
                           if m.registration_id == registration.id and m.slot_id not in slot_ids
                           and m.organisation_id in participating]
        attendees.append(_attendee(registration, cap, wishes.get(registration.id, []),
                                   busy.get(registration.id, set()) & slot_ids, participating))
    return attendees, met_before


def _employers(setup: MeetingSetup, eligible: set[int], present: set[str]) -> list[dict]:
    choices: dict[int, list[EmployerChoice]] = {}
    for c in db.session.scalars(select(EmployerChoice).where(EmployerChoice.setup_id == setup.id)):
        if c.registration_id in eligible:
            choices.setdefault(c.organisation_id, []).append(c)
    return [_employer(me, choices.get(me.organisation_id, []), present)
            for me in sorted(setup.employers, key=lambda e: e.organisation_id)]


def _fixed_meetings(built: Built, published: list[Meeting], rules: list[PairRule],
                    slot_ids: set[int]) -> tuple[list[dict], list[dict]]:
    """Published meetings (``existing``) and staff pins (``pinned``) that still fit; the others go to ``built``."""
    inst = built.instance
    used: set = set()
    counts: dict = {}
    existing = []
    for m in published:
        if m.slot_id not in slot_ids:
            continue
        if _fixed_ok(inst, aid(m.registration_id), eid(m.organisation_id), sid(m.slot_id), m.table, used, counts):
            existing.append({"attendee": aid(m.registration_id), "employer": eid(m.organisation_id),
                             "slot": sid(m.slot_id), "table": m.table})
        else:
            built.dropped.append(m)
    met = {(m.registration_id, m.organisation_id) for m in published}
    pinned = []
    for rule in rules:
        if rule.kind != PairRuleKind.PIN or (rule.registration_id, rule.organisation_id) in met:
            continue  # a pin that is published already is an existing meeting now
        if rule.slot_id in slot_ids and _fixed_ok(inst, aid(rule.registration_id), eid(rule.organisation_id),
                                                  sid(rule.slot_id), rule.table or 0, used, counts):
            pinned.append({"attendee": aid(rule.registration_id), "employer": eid(rule.organisation_id),
                           "slot": sid(rule.slot_id), "table": rule.table or 0})
        else:
            built.dropped_pins.append(rule)
    return existing, pinned


def build_instance(setup: MeetingSetup, mode: str = "fair", *, slots_after: datetime | None = None,
                   only_attendees: set[int] | None = None) -> Built:
    """The instance for a (re-)run. ``slots_after``/``only_attendees``: the on-the-day refill for standby."""
    slots = [s for s in setup.slots if slots_after is None or s.starts_at >= slots_after]
    slot_ids = {s.id for s in slots}
    registrations = eligible_registrations(setup)
    eligible = {r.id for r in registrations}
    published = list(db.session.scalars(select(Meeting).where(
        Meeting.setup_id == setup.id, Meeting.status == MeetingStatus.PUBLISHED).order_by(Meeting.id)))
    rules = list(db.session.scalars(select(PairRule).where(PairRule.setup_id == setup.id).order_by(PairRule.id)))
    participating = {me.organisation_id for me in setup.employers}

    attendees, met_before = _attendees(setup, registrations, published, slot_ids, participating, slots_after,
                                       only_attendees)
    present = {a["id"] for a in attendees}
    forbidden = [[aid(r.registration_id), eid(r.organisation_id)] for r in rules
                 if r.kind == PairRuleKind.FORBID and r.registration_id in eligible
                 and r.organisation_id in participating] + met_before
    data = {"format": FORMAT, "mode": mode,
            "slots": [{"id": sid(s.id), "start": s.starts_at.isoformat(), "end": s.ends_at.isoformat()}
                      for s in slots],
            "employers": _employers(setup, eligible, present), "attendees": attendees,
            "forbidden": [f for f in forbidden if f[0] in present]}
    built = Built(instance_from_dict(data))
    data["existing"], data["pinned"] = _fixed_meetings(built, published, rules, slot_ids)
    built.instance = instance_from_dict(data)
    return built
