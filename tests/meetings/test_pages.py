"""Meeting pages and permissions: staff job run, attendee wishes, employer choices, agenda items."""
from __future__ import annotations


import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqlalchemy import func, select

from app.extensions import db as _db
from app.mail import OutboxMessage
from app.jobs import JobStatus, wait_for
from events.agendas.items import items_for_registration, items_for_user
from events.meetings import services
from events.meetings.build import build_instance
from events.meetings.matching.solver import solve
from events.meetings.matching.validate import validate_schedule
from events.meetings.models import MeetingStatus
from tests.conftest import empty_tables
from tests.employers.helpers import login, make_staff
from tests.meetings.helpers import networking_day


def _outbox_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def _publish(setup):
    services.run_now(setup)
    services.publish(setup)
    return services.meetings_of(setup, (MeetingStatus.PUBLISHED,))


def test_staff_runs_the_job_and_publishes_through_the_pages(client, db):
    event, setup, orgs, users, regs, _ = networking_day()
    staff = make_staff(event)
    base = f"/console/e/{event.slug}/meetings/{setup.session_id}"
    login(client, users[0].email)
    assert client.get(base).status_code == 403
    login(client, staff.email)
    assert client.get(f"/console/e/{event.slug}/meetings").status_code == 200
    response = client.post(base + "/run", data={"mode": "best_total"})
    assert response.status_code == 303 and "job=" in response.headers["Location"]
    job_id = int(response.headers["Location"].split("job=")[1])
    assert wait_for(job_id, timeout=60).status == JobStatus.DONE
    db.session.expire_all()
    page = client.get(base).get_data(as_text=True)
    assert "What limits the draft" in page and "attendees who want a meeting have one" in page
    assert "of the upper bound" not in page and "Publish and notify everyone" in page
    assert client.get(base + "/instance.json").json["format"] == "welcomeday.match/1"
    attendees, contacts = services.publish_recipients(setup)
    mailed_before = _outbox_count(db)
    assert attendees > 0 and contacts == len({m.organisation_id for m in services.meetings_of(setup)})
    assert (f"sends e-mail to {attendees} attendees and {contacts} employer contacts" in page
            and f"I understand that {attendees + contacts} people get an e-mail now" in page)
    # not ticked: nothing is published, nobody is mailed, and the page says why
    unticked = client.post(base + "/publish", data={"attendees": attendees, "contacts": contacts},
                           follow_redirects=True)
    assert "Tick the box to confirm who gets mail." in unticked.get_data(as_text=True)
    assert client.post(base + "/publish", data={"understood": "y"}).status_code == 400
    # numbers that are no longer true (a run finished meanwhile): nothing happens either
    stale = client.post(base + "/publish", data={"understood": "y", "attendees": attendees + 1,
                                                 "contacts": contacts}, follow_redirects=True)
    assert "The draft changed since you looked" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert not services.meetings_of(setup, (MeetingStatus.PUBLISHED,))
    assert _outbox_count(db) == mailed_before
    assert client.post(base + "/publish", data={"understood": "y", "attendees": attendees,
                                                "contacts": contacts}).status_code == 303
    db.session.expire_all()
    assert services.meetings_of(setup, (MeetingStatus.PUBLISHED,))
    assert _outbox_count(db) == mailed_before + attendees + contacts


def test_staff_save_the_slot_settings(client, db):
    event, setup, orgs, users, regs, _ = networking_day()
    login(client, make_staff(event).email)
    base = f"/console/e/{event.slug}/meetings/{setup.session_id}"
    response = client.post(base + "/configure", data={"slot_minutes": 15, "changeover_minutes": 5,
                                                      "max_meetings": 2, "max_wishes": 4}, follow_redirects=True)
    assert response.status_code == 200 and "Saved." in response.get_data(as_text=True)
    db.session.expire_all()
    assert setup.slot_minutes == 15 and setup.max_wishes == 4


def test_attendee_sees_only_own_meetings_and_validated_wishes(client, db):
    event, setup, orgs, _, regs, _ = networking_day()
    meetings = _publish(setup)
    mine = [m for m in meetings if m.registration_id == regs[1].id]
    others = [m for m in meetings if m.registration_id != regs[1].id]
    page = client.get(f"/r/{regs[1].token}").get_data(as_text=True)
    assert "Choose employers to meet" in page
    for m in mine:
        assert m.organisation.name in page
    assert len([o for o in orgs if o.name in page]) == len({m.organisation_id for m in mine})
    assert others  # and the attendee page never names another attendee
    assert regs[2].attendee.full_name not in page

    url = f"/r/{regs[1].token}/meetings/{setup.session_id}"
    bad = client.post(url, data={f"rank-{orgs[0].id}": "1", f"rank-{orgs[1].id}": "1"})
    assert bad.status_code == 422 and "Each rank only once" in bad.get_data(as_text=True)
    both = client.post(url, data={f"rank-{orgs[0].id}": "1", f"not-{orgs[0].id}": "y"})
    assert both.status_code == 422
    assert client.post(url, data={f"rank-{orgs[2].id}": "1", f"rank-{orgs[0].id}": "2",
                                  f"not-{orgs[1].id}": "y"}).status_code == 303
    wishes = services.attendee_wishes(setup, regs[1])
    assert sorted((w.organisation_id, w.rank, w.not_interested) for w in wishes) == sorted(
        [(orgs[2].id, 1, False), (orgs[0].id, 2, False), (orgs[1].id, None, True)])
    assert client.get(f"/r/not-a-token/meetings/{setup.session_id}").status_code == 404


def test_wishes_need_consent_and_respect_the_limit(db):
    event, setup, orgs, _, regs, _ = networking_day(employers=5)
    with pytest.raises(services.MeetingError) as error:
        services.save_attendee_wishes(setup, regs[0], [o.id for o in orgs[:4]], [])
    assert error.value.code == "too_many"
    regs[0].consent_sharing_at = None
    db.session.commit()
    with pytest.raises(services.MeetingError) as error:
        services.save_attendee_wishes(setup, regs[0], [orgs[0].id], [])
    assert error.value.status == 403
    with pytest.raises(services.MeetingError):
        services.save_employer_choices(setup, orgs[0].id, [regs[0].id], [])  # not consenting: not in the pool


def test_employer_sees_only_its_own_table_and_consented_lines(client, db):
    event, setup, orgs, users, regs, _ = networking_day()
    meetings = _publish(setup)
    login(client, users[0].email)
    page = client.get(f"/employer/e/{event.slug}/meetings").get_data(as_text=True)
    own = [m for m in meetings if m.organisation_id == orgs[0].id]
    foreign = [m for m in meetings if m.organisation_id != orgs[0].id
               and m.registration_id not in {x.registration_id for x in own}]
    assert own and all(m.registration.attendee.full_name in page for m in own)
    assert all(m.registration.attendee.full_name not in page for m in foreign)
    assert all(m.registration.attendee.email not in page for m in own)  # e-mail is not a consented line
    other_setup_url = f"/employer/e/{event.slug}/meetings/{setup.session_id}/choose"
    assert client.get(other_setup_url).status_code == 200
    # an employer without a table in the session cannot open its pool
    services.set_employer(setup, orgs[2].id, 1)
    login(client, users[2].email)
    assert client.post(f"{other_setup_url}/{regs[0].id}", data={"choice": "wish"}).status_code == 303
    assert services.employer_pool(setup, orgs[2].id)[1] == {regs[0].id: "wish"}


def test_agenda_items_for_attendee_and_employer(db):
    event, setup, orgs, users, regs, _ = networking_day()
    meetings = _publish(setup)
    m = meetings[0]
    items = [i for i in items_for_registration(m.registration) if i.kind == "meeting"]
    item = next(i for i in items if i.uid == f"meeting-{m.id}@welcomeday")
    assert item.title == m.organisation.name and item.location.startswith("Foyer, table ")
    assert item.extra["table"] == services.table_number(setup, m.organisation_id, m.table)
    user = next(u for u, o in zip(users, orgs) if o.id == m.organisation_id)
    employer_items = items_for_user(user, event)
    assert any(i.starts_at == m.slot.starts_at and m.registration.attendee.full_name in i.description
               for i in employer_items)
    services.cancel_meeting(setup, m.id)
    cancelled = [i for i in items_for_registration(m.registration, include_cancelled=True)
                 if i.uid == item.uid]
    assert cancelled[0].status == "cancelled" and cancelled[0].sequence == 1
    assert item.uid not in {i.uid for i in items_for_registration(m.registration)}


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_wishes_always_give_a_valid_published_schedule(app, data):
    with app.app_context():
        try:
            tables = data.draw(st.integers(1, 2))
            event, setup, orgs, _, regs, _ = networking_day(attendees=data.draw(st.integers(2, 7)),
                                                            employers=data.draw(st.integers(1, 3)), tables=tables)
            for r in regs:
                ranked = data.draw(st.lists(st.sampled_from([o.id for o in orgs]), unique=True, max_size=3))
                rest = [o.id for o in orgs if o.id not in ranked]
                not_interested = data.draw(st.lists(st.sampled_from(rest), unique=True)) if rest else []
                services.save_attendee_wishes(setup, r, ranked, not_interested)
            mode = data.draw(st.sampled_from(["fair", "best_total"]))
            services.run_now(setup, mode)
            services.publish(setup) if services.meetings_of(setup) else None
            built = build_instance(setup, mode)
            assert not built.dropped
            assert validate_schedule(built.instance, solve(built.instance, mode)) == []
            for m in services.meetings_of(setup, (MeetingStatus.PUBLISHED,)):
                wish = {w.organisation_id: w for w in services.attendee_wishes(setup, m.registration)}
                assert not (m.organisation_id in wish and wish[m.organisation_id].not_interested)
        finally:
            _db.session.rollback()
            empty_tables()
