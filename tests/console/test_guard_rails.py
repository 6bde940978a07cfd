"""Issue 15: destructive actions confirm or can be undone, and the defects staff met (contact address, address
hint, dashboard figures, badge counts, the icon). Real database, real pages through the test client."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.audit import AuditEntry
from app.mail import OutboxMessage
from badges import tokens
from badges.models import BadgeRole
from badges.services import badge_counts
from events.dashboard import figures
from events.registration import desk, services
from events.registration.models import EnrolmentStatus, RegistrationStatus
from tests.factories import make_event, make_session, register


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _cancel(client, event, r):
    return client.post(f"/console/e/{event.slug}/registrations/{r.id}/cancel", data={"confirmed": "1"})


def _reinstate(client, event, r):
    return client.post(f"/console/e/{event.slug}/registrations/{r.id}/reinstate", follow_redirects=True)


# ----------------------------------------------------------------------------------------------- reinstating


def test_reinstate_gives_back_a_free_seat_with_audit_and_mail(staff_client, event, db):
    workshop, talk = event.sessions
    r = register(event, "ana@example.org", sessions=[workshop, talk])
    token = r.token
    _cancel(staff_client, event, r)
    db.session.expire_all()
    assert r.status == RegistrationStatus.CANCELLED
    page = _text(staff_client.get(f"/console/e/{event.slug}/registrations/{r.id}"))
    assert "Reinstate the registration" in page
    mails = len(db.session.scalars(select(OutboxMessage)).all())
    response = _reinstate(staff_client, event, r)
    assert "The registration is back" in _text(response)
    db.session.expire_all()
    assert r.status == RegistrationStatus.CONFIRMED and r.cancelled_at is None and r.cancel_reason == ""
    assert {e.session_id: e.status for e in r.enrolments} == {workshop.id: EnrolmentStatus.CONFIRMED,
                                                             talk.id: EnrolmentStatus.CONFIRMED}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.reinstate")).one()
    assert entry.before["status"] == "cancelled" and entry.after["status"] == "confirmed"
    outbox = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(outbox) == mails + 1 and outbox[-1].template == "registration_confirmed"
    assert staff_client.get(f"/r/{token}").status_code == 200  # the personal link works again
    again = _reinstate(staff_client, event, r)
    assert "Only a cancelled registration can be reinstated." in _text(again)


def test_reinstate_joins_the_end_of_the_waiting_list_when_the_seat_has_gone(staff_client, event, db):
    workshop = event.sessions[0]  # two seats
    a = register(event, sessions=[workshop])
    b = register(event, sessions=[workshop])
    c = register(event, sessions=[workshop])
    d = register(event, sessions=[workshop])
    assert c.enrolments[0].status == EnrolmentStatus.WAITLISTED
    _cancel(staff_client, event, a)
    db.session.expire_all()
    assert c.enrolments[0].status == EnrolmentStatus.CONFIRMED  # the seat went to the first in line
    _reinstate(staff_client, event, a)
    db.session.expire_all()
    assert a.status == RegistrationStatus.CONFIRMED
    assert a.enrolments[0].status == EnrolmentStatus.WAITLISTED
    assert a.enrolments[0].queue_seq > d.enrolments[0].queue_seq  # behind who was already waiting
    assert [e.status for e in (b.enrolments[0], c.enrolments[0])] == [EnrolmentStatus.CONFIRMED] * 2
    page = _text(staff_client.get(f"/console/e/{event.slug}/registrations/{a.id}"))
    assert "Waiting list: number 2" in page


def test_reinstate_onto_the_event_waiting_list_when_the_day_is_full(staff_client, event, db):
    event.capacity = 1
    db.session.commit()
    first = register(event)
    _cancel(staff_client, event, first)
    register(event)  # takes the only place
    _reinstate(staff_client, event, first)
    db.session.expire_all()
    assert first.status == RegistrationStatus.WAITLISTED and first.queue_seq is not None


def test_reinstate_keeps_sessions_dropped_before_the_cancellation_dropped(staff_client, event, db):
    workshop, talk = event.sessions
    r = register(event, sessions=[workshop, talk])
    services.drop(r, talk.id)
    _cancel(staff_client, event, r)
    _reinstate(staff_client, event, r)
    db.session.expire_all()
    assert {e.session_id: e.status for e in r.enrolments} == {workshop.id: EnrolmentStatus.CONFIRMED,
                                                             talk.id: EnrolmentStatus.DROPPED}


def test_the_cancel_confirmation_page_says_what_goes(staff_client, event, db):
    workshop, talk = event.sessions
    holder = register(event, sessions=[workshop])
    register(event, sessions=[workshop])
    waiting = register(event, sessions=[workshop, talk])
    page = _text(staff_client.get(f"/console/e/{event.slug}/registrations/{waiting.id}/confirm-cancel"))
    assert "They leave 1 waiting list." in page and "Yes, cancel the registration" in page
    page = _text(staff_client.get(f"/console/e/{event.slug}/registrations/{holder.id}/confirm-cancel"))
    assert "Their seat goes to the next person waiting: CV clinic" in page
    _cancel(staff_client, event, holder)
    done = staff_client.get(f"/console/e/{event.slug}/registrations/{holder.id}/confirm-cancel")
    assert done.status_code == 303  # nothing left to ask


# ----------------------------------------------------------------------------------------------- seats


def test_a_seat_over_capacity_shows_as_overbooked(staff_client, event, db):
    workshop = event.sessions[0]
    people = [register(event, sessions=[workshop]) for _ in range(3)]
    desk.give_seat(people[2], workshop.id, override=True, reason="Extra chair")
    programme = _text(staff_client.get(f"/console/e/{event.slug}/sessions"))
    assert "3/2 overbooked" in programme
    person = _text(staff_client.get(f"/console/e/{event.slug}/registrations/{people[0].id}"))
    assert "3 of 2 seats taken overbooked" in person
    dashboard = _text(staff_client.get(f"/console/e/{event.slug}/"))
    assert "overbooked CV clinic (3/2)" in dashboard
    assert "3/2 · overbooked" in dashboard  # the bar's note
    assert 'class="over"' in staff_client.get(f"/console/e/{event.slug}/").get_data(as_text=True)


def test_the_override_is_offered_only_where_the_session_is_full(staff_client, event, db):
    workshop, talk = event.sessions
    register(event, sessions=[workshop])
    register(event, sessions=[workshop])
    waiting = register(event, sessions=[workshop])
    html = staff_client.get(f"/console/e/{event.slug}/registrations/{waiting.id}").get_data(as_text=True)
    assert 'name="override"' in html and 'name="reason"' in html
    response = staff_client.post(f"/console/e/{event.slug}/registrations/{waiting.id}/seat",
                                 data={"session_id": workshop.id, "override": "y", "reason": "x" * 301},
                                 follow_redirects=True)
    assert "in at most 300 characters" in _text(response)
    db.session.expire_all()
    assert waiting.enrolments[0].status == EnrolmentStatus.WAITLISTED


# ----------------------------------------------------------------------------------------------- defects


def test_the_demo_contact_address_is_accepted_and_bad_ones_are_not(admin_client, event, db):
    page = admin_client.get(f"/console/e/{event.slug}/edit").get_data(as_text=True)
    assert "/e//" not in page and f"/e/<span" in page and f">{event.slug}</span>/" in page
    data = {"title": event.title, "slug": event.slug, "day": "2031-05-10", "starts": "09:00", "ends": "17:00",
            "timezone": "Europe/Berlin", "languages": ["en"], "contact_email": "team@welcomeday.local"}
    response = admin_client.post(f"/console/e/{event.slug}/edit", data=data)
    assert response.status_code == 303
    db.session.expire_all()
    assert event.contact_email == "team@welcomeday.local"
    for bad in ("team@@welcomeday.local", "no-at-sign", "a b@example.org"):
        refused = admin_client.post(f"/console/e/{event.slug}/edit", data={**data, "contact_email": bad})
        assert refused.status_code == 422 and "This does not look like an e-mail address." in _text(refused)


def test_the_dashboard_counts_people_waiting_for_sessions(staff_client, event, db):
    workshop = event.sessions[0]
    for _ in range(5):
        register(event, sessions=[workshop])
    numbers = figures.build(event)
    assert numbers.counts.get("waitlisted", 0) == 0 and numbers.waiting_for_sessions == 3
    page = _text(staff_client.get(f"/console/e/{event.slug}/"))
    assert "0 on the waiting list for the day" in page
    assert "3 people waiting for a seat in a session (3 places on waiting lists)" in page


def test_the_dashboard_axis_has_whole_numbers_only(staff_client, event, db):
    for _ in range(5):
        register(event)
    html = staff_client.get(f"/console/e/{event.slug}/").get_data(as_text=True)
    ticks = re.findall(r'class="tick"[^>]*>([^<]*)<', html)
    numeric = [t.replace(" %", "") for t in ticks if re.fullmatch(r"[\d.]+( %)?", t)]
    assert numeric and all(t.isdigit() for t in numeric), ticks


def test_badge_page_counts_everyone_who_gets_a_badge_before_the_first_print(staff_client, event, team, db):
    people = [register(event) for _ in range(3)]
    register(event, confirm=False)  # pending: holds a place, gets a badge too
    tokens.ensure_badge(event.id, registration_id=people[0].id)  # one badge issued so far
    counts = badge_counts(event)
    assert counts.by_role[BadgeRole.ATTENDEE.value] == 4
    assert counts.by_role[BadgeRole.STAFF.value] == 2  # the team's staff and door members
    assert counts.people == counts.not_printed == 4 + 2 + counts.by_role["employer"]
    page = _text(staff_client.get(f"/console/e/{event.slug}/badges"))
    assert f"{counts.people} people get a badge" in page and "4 attendees" in page
    assert f"{counts.not_printed} badges not printed yet" in page and "1 badges" not in page


def test_the_icon_is_served(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in page and client.get("/static/img/favicon.svg").status_code == 200


def test_an_event_without_registrations_counts_nobody(db):
    event = make_event()
    make_session(event, capacity=1)
    assert badge_counts(event).people == 0
