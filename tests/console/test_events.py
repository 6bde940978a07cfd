"""Events and programme through the console: create, edit, clone, publish, rooms, sessions, cancelling."""
from __future__ import annotations

from sqlalchemy import func, select

from app.audit import AuditEntry
from app.mail import OutboxMessage
from events.registration.models import EnrolmentStatus
from events.programme.models import Event, EventStatus, Session, SessionStatus
from tests.factories import register


def _event_form(**overrides):
    data = {"title": "Welcome Day Köln 2027", "slug": "koeln-2027", "description": "Hallo", "venue": "Gürzenich",
            "address": "Martinstraße 29, Köln", "timezone": "Europe/Berlin", "day": "2027-05-20",
            "starts": "09:00", "ends": "17:00", "registration_opens_at": "2027-01-10T08:00",
            "registration_closes_at": "2027-05-19T18:00", "capacity": "300", "languages": ["en", "de"],
            "contact_email": "team@example.org", "privacy_notice": ""}
    data.update(overrides)
    return data


def test_admin_creates_a_draft_in_the_event_time_zone(admin_client, db):
    response = admin_client.post("/console/events/new", data=_event_form())
    assert response.status_code == 303
    event = db.session.scalars(select(Event).where(Event.slug == "koeln-2027")).one()
    assert event.status == EventStatus.DRAFT
    assert event.starts_at.isoformat() == "2027-05-20T07:00:00+00:00"  # 09:00 summer time in Cologne
    assert event.registration_closes_at.isoformat() == "2027-05-19T16:00:00+00:00"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.create")).one()
    assert entry.after["slug"] == "koeln-2027" and entry.actor.startswith("admin-")


def test_event_form_errors_are_shown_next_to_fields(admin_client, event):
    response = admin_client.post("/console/events/new", data=_event_form(
        slug=event.slug, timezone="Mars/Olympus", ends="08:00", languages=[]))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Unknown time zone." in html
    assert "The day must end after it starts." in html
    assert "Choose at least one language." in html
    response = admin_client.post("/console/events/new", data=_event_form(slug=event.slug))
    assert response.status_code == 422
    assert "Another welcome day already uses this address." in response.get_data(as_text=True)


def test_editing_the_date_moves_the_programme(staff_client, event, db):
    talk = db.session.scalars(select(Session).where(Session.title == "Opening talk")).one()
    local_before = talk.starts_at.astimezone(event.tz).time()
    data = _event_form(slug=event.slug, title=event.title, day="2027-09-09", registration_opens_at="",
                       registration_closes_at="", capacity="")
    assert staff_client.post(f"/console/e/{event.slug}/edit", data=data).status_code == 303
    db.session.expire_all()
    assert talk.starts_at.astimezone(event.tz).date().isoformat() == "2027-09-09"
    assert talk.starts_at.astimezone(event.tz).time() == local_before
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.edit")).one()
    assert ("title", event.title, "Welcome Day Köln 2027") not in entry.changes()  # same title kept
    assert any(key == "starts_at" for key, _b, _a in entry.changes())


def test_clone_copies_programme_and_links_last_year(admin_client, event, db):
    register(event)
    response = admin_client.post(f"/console/e/{event.slug}/clone",
                                 data={"title": "Next year", "slug": "next-year", "day": "2028-03-23"})
    assert response.status_code == 303
    copy = db.session.scalars(select(Event).where(Event.slug == "next-year")).one()
    assert copy.previous_event_id == event.id and copy.status == EventStatus.DRAFT
    assert sorted(s.title for s in copy.sessions) == sorted(s.title for s in event.sessions)
    assert [r.name for r in copy.rooms] == ["Room A"]
    assert copy.sessions[0].starts_at.astimezone(copy.tz).date().isoformat() == "2028-03-23"
    assert copy.sessions[0].starts_at.astimezone(copy.tz).time() == event.sessions[0].starts_at.astimezone(
        event.tz).time()


def test_publish_needs_sessions_and_is_audited(admin_client, db):
    admin_client.post("/console/events/new", data=_event_form())
    event = db.session.scalars(select(Event).where(Event.slug == "koeln-2027")).one()
    response = admin_client.post(f"/console/e/{event.slug}/status", data={"status": "published"},
                                 follow_redirects=True)
    assert "Add at least one session before publishing." in response.get_data(as_text=True)
    room = admin_client.post(f"/console/e/{event.slug}/rooms", data={"name": "Saal 1", "capacity": "40"})
    assert room.status_code == 303
    response = admin_client.post(f"/console/e/{event.slug}/sessions/new", data={
        "title": "Bewerben in Deutschland", "kind": "workshop", "starts": "10:00", "ends": "11:00",
        "room_id": str(event.rooms[0].id), "capacity": "20", "needs_seat": "y", "language": "de"})
    assert response.status_code == 303
    admin_client.post(f"/console/e/{event.slug}/status", data={"status": "published"})
    db.session.expire_all()
    assert event.status == EventStatus.PUBLISHED
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["event.create", "room.create", "session.create", "event.publish"]
    assert admin_client.get(f"/e/{event.slug}/").status_code == 200


def test_session_room_of_another_event_is_refused(staff_client, event, db):
    from tests.factories import make_event, make_session
    other = make_event()
    make_session(other, room="Elsewhere")
    response = staff_client.post(f"/console/e/{event.slug}/sessions/new", data={
        "title": "X", "kind": "talk", "starts": "10:00", "ends": "11:00", "room_id": str(other.rooms[0].id),
        "language": "en"})
    assert response.status_code == 422


def test_raising_capacity_moves_the_waiting_list_up(staff_client, event, db):
    workshop = event.sessions[0]
    people = [register(event, sessions=[workshop]) for _ in range(4)]
    assert [p.enrolments[0].status for p in people].count(EnrolmentStatus.WAITLISTED) == 2
    response = staff_client.post(f"/console/e/{event.slug}/sessions/{workshop.id}/edit", data={
        "title": workshop.title, "kind": "workshop", "starts": workshop.starts_at.astimezone(event.tz)
        .strftime("%H:%M"), "ends": workshop.ends_at.astimezone(event.tz).strftime("%H:%M"),
        "room_id": str(workshop.room_id), "capacity": "3", "needs_seat": "y", "language": "en"})
    assert response.status_code == 303
    db.session.expire_all()
    assert [p.enrolments[0].status for p in people].count(EnrolmentStatus.CONFIRMED) == 3


def test_raising_and_lifting_the_event_capacity_promotes_the_waiting_list_in_order(staff_client, event, db):
    from events.registration.models import RegistrationStatus
    event.capacity = 2
    db.session.commit()
    people = [register(event) for _ in range(6)]
    assert [p.status for p in people] == [RegistrationStatus.CONFIRMED] * 2 + [RegistrationStatus.WAITLISTED] * 4
    form = _event_form(slug=event.slug, title=event.title, day=event.starts_at.astimezone(event.tz).date().isoformat(),
                       starts="09:00", ends="17:00", registration_opens_at="", registration_closes_at="")
    assert staff_client.post(f"/console/e/{event.slug}/edit", data={**form, "capacity": "4"}).status_code == 303
    db.session.expire_all()
    assert [p.status for p in people] == [RegistrationStatus.CONFIRMED] * 4 + [RegistrationStatus.WAITLISTED] * 2
    told = db.session.scalars(select(OutboxMessage.to).where(OutboxMessage.template == "place_confirmed")).all()
    assert sorted(told) == sorted(p.attendee.email for p in people[2:4])
    newcomer = register(event)  # the day is full again: behind those still waiting
    assert newcomer.status == RegistrationStatus.WAITLISTED
    assert staff_client.post(f"/console/e/{event.slug}/edit", data={**form, "capacity": ""}).status_code == 303
    db.session.expire_all()
    assert all(p.status == RegistrationStatus.CONFIRMED for p in [*people, newcomer])
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template == "place_confirmed")) == 5
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.edit")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.before["capacity"] == 4 and entry.after["capacity"] is None


def test_cancel_session_tells_attendees_and_drops_enrolments(staff_client, event, db):
    workshop = event.sessions[0]
    people = [register(event, sessions=[workshop]) for _ in range(3)]  # two seats, one waiting
    response = staff_client.post(f"/console/e/{event.slug}/sessions/{workshop.id}/cancel",
                                 data={"message": "The trainer is ill."})
    assert response.status_code == 303
    db.session.expire_all()
    assert workshop.status == SessionStatus.CANCELLED
    assert all(p.enrolments[0].status == EnrolmentStatus.DROPPED for p in people)
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "session_cancelled")).all()
    assert sorted(m.to for m in mails) == sorted(p.attendee.email for p in people)
    assert "The trainer is ill." in mails[0].body_text
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "session.cancel")).one()
    assert entry.before["status"] == "scheduled" and entry.after["status"] == "cancelled"
    assert entry.after["told"] == 3
