"""Database → instance → matcher → draft → publish, with pins, forbids, incremental re-runs and no-shows."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.mail import OutboxMessage
from events.meetings.matching.solver import solve
from events.meetings.matching.validate import validate_schedule
from events.meetings import day, services
from events.meetings.build import aid, build_instance, eid, sid
from events.meetings.models import Meeting, MeetingStatus
from events.registration.services import cancel_registration
from tests.meetings.helpers import networking_day


def _mails(template):
    return list(_db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)))


def _published(setup):
    return services.meetings_of(setup, (MeetingStatus.PUBLISHED,))


def test_slots_busy_slots_and_wishes_reach_the_instance(db):
    event, setup, orgs, _, regs, workshop = networking_day()
    assert len(setup.slots) == 3 and setup.slots[1].starts_at - setup.slots[0].starts_at == timedelta(minutes=15)
    services.save_attendee_wishes(setup, regs[1], [orgs[2].id, orgs[0].id], [orgs[1].id])
    inst = build_instance(setup).instance
    first = inst.att[aid(regs[0].id)]
    assert first.busy_slots == (sid(setup.slots[0].id),)  # the CV clinic overlaps slot 1 only
    second = inst.att[aid(regs[1].id)]
    assert second.wishes == (eid(orgs[2].id), eid(orgs[0].id)) and second.not_interested == (eid(orgs[1].id),)
    assert inst.emp[eid(orgs[0].id)].fields == ("chemistry",)


def test_round_trip_publish_and_notify(db):
    event, setup, orgs, users, regs, _ = networking_day()
    services.save_attendee_wishes(setup, regs[2], [orgs[1].id], [])
    stats = services.run_now(setup)
    assert stats["percent_of_bound"] == 100.0
    drafts = services.meetings_of(setup)
    assert drafts and all(m.status == MeetingStatus.DRAFT for m in drafts)
    built = build_instance(setup)
    assert validate_schedule(built.instance, solve(built.instance)) == []
    wished = next(m for m in drafts if m.registration_id == regs[2].id and m.organisation_id == orgs[1].id)
    assert any(r["code"] == "attendee_wish" for r in wished.reasons)

    published, cancelled = services.publish(setup)
    assert published == len(drafts) and cancelled == 0
    people = {m.registration_id for m in drafts}
    assert {m.to for m in _mails("meetings_attendee")} == {r.attendee.email for r in regs if r.id in people}
    assert {m.to for m in _mails("meetings_employer")} == {u.email for u in users}
    body = next(m.body_text for m in _mails("meetings_attendee") if m.to == regs[2].attendee.email)
    assert "Employer1 GmbH" in body and "attendee's wish no. 1" in body


def test_pinned_stay_and_forbidden_never_meet(db):
    event, setup, orgs, _, regs, _ = networking_day()
    target_slot = setup.slots[2]
    services.set_rule(setup, regs[1].id, orgs[0].id, "pin", target_slot.id, 0)
    services.set_rule(setup, regs[3].id, orgs[2].id, "forbid")
    for _ in range(2):  # re-running keeps the pin
        services.run_now(setup)
        drafts = services.meetings_of(setup)
        pinned = [m for m in drafts if m.registration_id == regs[1].id and m.organisation_id == orgs[0].id]
        assert [(m.slot_id, m.table, m.kind) for m in pinned] == [(target_slot.id, 0, "pinned")]
        assert not [m for m in drafts if m.registration_id == regs[3].id and m.organisation_id == orgs[2].id]
    with pytest.raises(services.MeetingError):
        services.set_rule(setup, regs[1].id, orgs[0].id, "pin", target_slot.id, 5)  # no table 6


def test_incremental_rerun_keeps_published_and_refills_freed(db):
    event, setup, orgs, _, regs, _ = networking_day(attendees=10)
    services.run_now(setup)
    services.publish(setup)
    before = {(m.id, m.registration_id, m.organisation_id, m.slot_id, m.table) for m in _published(setup)}
    leaving = regs[5]
    cancel_registration(leaving)
    newcomer_wish = regs[6]
    services.save_attendee_wishes(setup, newcomer_wish, [orgs[0].id], [])
    stats = services.run_now(setup)
    dropped = set(stats["dropped_existing"])
    assert dropped == {m[0] for m in before if m[1] == leaving.id}
    published, cancelled = services.publish(setup)
    assert cancelled == len(dropped)
    after = {(m.id, m.registration_id, m.organisation_id, m.slot_id, m.table) for m in _published(setup)}
    assert {m for m in before if m[0] not in dropped} <= after  # confirmed meetings did not move
    built = build_instance(setup)
    schedule = solve(built.instance)
    assert validate_schedule(built.instance, schedule) == []
    assert all(m.kind == "existing" for m in schedule.meetings if
               (m.attendee, m.employer) in {(aid(x[1]), eid(x[2])) for x in after})


def test_no_show_frees_slots_for_standby(db):
    event, setup, orgs, _, regs, _ = networking_day(attendees=9, employers=2)
    # standby attendees are not in the first run: they arrive on the day
    for r in regs[6:]:
        r.consent_sharing_at = None
    _db.session.commit()
    services.run_now(setup)
    services.publish(setup)
    absent = next(r for r in regs[:6] if any(m.registration_id == r.id and m.slot.position == 2
                                             for m in _published(setup)))
    now = setup.slots[0].ends_at  # during the first slot's changeover
    assert day.mark_no_show(setup, absent.id, now=now) >= 1
    freed = [m for m in services.meetings_of(setup, (MeetingStatus.NO_SHOW,))]
    for r in regs[6:]:
        r.consent_sharing_at = r.created_at
    _db.session.commit()
    for r in regs[6:]:
        day.add_standby(setup, r.id)
    new = day.refill_from_standby(setup, now=now)
    assert new and {m.registration_id for m in new} <= {r.id for r in regs[6:]}
    assert all(m.slot.starts_at >= now for m in new)
    taken = {(m.organisation_id, m.table, m.slot_id) for m in new}
    assert taken & {(m.organisation_id, m.table, m.slot_id) for m in freed}
    busy = {}
    for m in _published(setup):  # no table holds two at once, no attendee has two at once
        assert busy.setdefault(("t", m.organisation_id, m.table, m.slot_id), m.id) == m.id
        assert busy.setdefault(("a", m.registration_id, m.slot_id), m.id) == m.id
    assert {m.to for m in _mails("meetings_attendee")} >= {r.attendee.email for r in regs[6:]
                                                          if r.id in {m.registration_id for m in new}}


def test_not_interested_after_publishing_cancels_on_next_publish(db):
    event, setup, orgs, _, regs, _ = networking_day()
    services.run_now(setup)
    services.publish(setup)
    meeting = _published(setup)[0]
    registration = meeting.registration
    services.save_attendee_wishes(setup, registration, [], [meeting.organisation_id])
    stats = services.run_now(setup)
    assert stats["dropped_existing"] == [meeting.id]
    services.publish(setup)
    _db.session.expire_all()
    assert _db.session.get(Meeting, meeting.id).status == MeetingStatus.CANCELLED
    assert _db.session.get(Meeting, meeting.id).sequence == 1
