"""Registrations in the console: search, by hand, seats and waiting lists, resend, cancel."""
from __future__ import annotations

from sqlalchemy import select

from app.audit import AuditEntry
from app.mail import OutboxMessage
from events.registration.models import EnrolmentStatus, Registration, RegistrationStatus
from tests.factories import make_event, register


def test_search_filter_sort(staff_client, event):
    register(event, "zoe@example.org", name="Zoë Adeyemi")
    register(event, "li@example.org", name="李 明")
    register(event, "ana@example.org", name="Ana Pérez", confirm=False)
    html = staff_client.get(f"/console/e/{event.slug}/registrations?sort=name").get_data(as_text=True)
    assert html.index("Ana Pérez") < html.index("Zoë Adeyemi") < html.index("李 明")
    html = staff_client.get(f"/console/e/{event.slug}/registrations?q=ZOË").get_data(as_text=True)
    assert "Zoë Adeyemi" in html and "Ana Pérez" not in html
    html = staff_client.get(f"/console/e/{event.slug}/registrations?status=pending").get_data(as_text=True)
    assert "Ana Pérez" in html and "Zoë Adeyemi" not in html
    # Odd input is ignored, never an error.
    assert staff_client.get(f"/console/e/{event.slug}/registrations?page=x&sort=drop&session=%01"
                            "&q=%25_").status_code == 200


def test_search_by_session(staff_client, event):
    register(event, "a@example.org", sessions=[event.sessions[0]], name="In Workshop")
    register(event, "b@example.org", name="Not In Workshop")
    html = staff_client.get(f"/console/e/{event.slug}/registrations?session={event.sessions[0].id}").get_data(
        as_text=True)
    assert "In Workshop" in html and "Not In Workshop" not in html


def test_register_by_hand_even_when_full(staff_client, event, db):
    event.capacity = 1
    db.session.commit()
    register(event)
    response = staff_client.post(f"/console/e/{event.slug}/registrations/new", data={
        "email": "walkin@example.org", "full_name": "Walk In", "locale": "de", "country": "UA",
        "sessions": [str(event.sessions[0].id)], "consent": "y"})
    assert response.status_code == 303
    r = db.session.scalars(select(Registration).join(Registration.attendee)
                           .where(Registration.attendee.has(email="walkin@example.org"))).one()
    assert r.status == RegistrationStatus.CONFIRMED and r.consent_processing_version.endswith("(staff)")
    assert r.enrolments[0].status == EnrolmentStatus.CONFIRMED
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == "walkin@example.org")).one()
    again = staff_client.post(f"/console/e/{event.slug}/registrations/new", data={
        "email": "WALKIN@example.org", "full_name": "Walk In", "locale": "de", "consent": "y"})
    assert again.status_code == 422
    assert "already registered" in again.get_data(as_text=True)
    missing = staff_client.post(f"/console/e/{event.slug}/registrations/new", data={
        "email": "x@example.org", "full_name": "X", "locale": "en"})
    assert missing.status_code == 422


def test_move_between_waiting_list_and_seat(staff_client, event, db):
    workshop = event.sessions[0]
    a, b, c = (register(event, sessions=[workshop]) for _ in range(3))
    assert c.enrolments[0].status == EnrolmentStatus.WAITLISTED
    url = f"/console/e/{event.slug}/registrations/{a.id}/waitlist"
    assert staff_client.post(url, data={"session_id": workshop.id}).status_code == 303
    db.session.expire_all()
    assert a.enrolments[0].status == EnrolmentStatus.WAITLISTED
    assert c.enrolments[0].status == EnrolmentStatus.CONFIRMED  # the first in line got the seat
    # The session is full: a seat beyond its capacity needs the explicit override and a reason.
    seat_url = f"/console/e/{event.slug}/registrations/{a.id}/seat"
    refused = staff_client.post(seat_url, data={"session_id": workshop.id}, follow_redirects=True)
    assert "is full (2 of 2 seats taken)" in refused.get_data(as_text=True)
    refused = staff_client.post(seat_url, data={"session_id": workshop.id, "override": "y", "reason": "  "},
                                follow_redirects=True)
    assert "Please say why" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert a.enrolments[0].status == EnrolmentStatus.WAITLISTED
    assert staff_client.post(seat_url, data={"session_id": workshop.id, "override": "y",
                                             "reason": "Speaker's guest"}).status_code == 303
    db.session.expire_all()
    assert a.enrolments[0].status == EnrolmentStatus.CONFIRMED  # staff may go beyond the capacity, on purpose
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["enrolment.waitlist", "enrolment.overbook"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "enrolment.overbook")).one()
    assert entry.before["enrolments"][str(workshop.id)] == "waitlisted"
    assert entry.after["enrolments"][str(workshop.id)] == "confirmed"
    assert entry.after["reason"] == "Speaker's guest" and entry.after["seats"] == "3/2"
    response = staff_client.post(f"/console/e/{event.slug}/registrations/{a.id}/seat",
                                 data={"session_id": workshop.id}, follow_redirects=True)
    assert "already has a seat" in response.get_data(as_text=True)


def test_give_a_place_from_the_event_waiting_list(staff_client, event, db):
    event.capacity = 1
    db.session.commit()
    register(event)
    waiting = register(event)
    assert waiting.status == RegistrationStatus.WAITLISTED
    staff_client.post(f"/console/e/{event.slug}/registrations/{waiting.id}/place")
    db.session.expire_all()
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_resend_and_cancel(staff_client, event, db):
    r = register(event, "ana@example.org", sessions=[event.sessions[0]])
    before = len(db.session.scalars(select(OutboxMessage)).all())
    staff_client.post(f"/console/e/{event.slug}/registrations/{r.id}/resend",
                      data={"template": "registration_link"})
    assert len(db.session.scalars(select(OutboxMessage)).all()) == before + 1
    response = staff_client.post(f"/console/e/{event.slug}/registrations/{r.id}/resend",
                                 data={"template": "../../etc/passwd"}, follow_redirects=True)
    assert "Unknown e-mail." in response.get_data(as_text=True)
    # One click only asks: the confirmation page says what goes; its button cancels.
    asked = staff_client.post(f"/console/e/{event.slug}/registrations/{r.id}/cancel")
    assert asked.status_code == 303 and asked.location.endswith(f"/registrations/{r.id}/confirm-cancel")
    db.session.expire_all()
    assert r.status == RegistrationStatus.CONFIRMED
    page = staff_client.get(asked.location).get_data(as_text=True)
    assert "Cancel the registration of" in page and "Their seat goes to the next person waiting" in page
    staff_client.post(f"/console/e/{event.slug}/registrations/{r.id}/cancel", data={"confirmed": "1"})
    db.session.expire_all()
    assert r.status == RegistrationStatus.CANCELLED and r.cancel_reason == "staff"
    assert staff_client.post(f"/console/e/{event.slug}/registrations/{r.id}/explode").status_code == 404


def test_registration_of_another_event_is_404(staff_client, event):
    other = make_event()
    r = register(other)
    assert staff_client.get(f"/console/e/{event.slug}/registrations/{r.id}").status_code == 404
    assert staff_client.post(f"/console/e/{event.slug}/registrations/{r.id}/cancel").status_code == 404
