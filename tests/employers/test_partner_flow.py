"""The whole partner story through the web pages: apply, accept, invitation, password, login, book, approve."""
from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.mail import OutboxMessage
from events.employers.invitations import accept_invitation
from events.employers.models import BookingStatus, EventPartner, PartnerStatus, WorkshopBooking
from events.employers.partnerships import decide_candidacy
from events.registration.models import EnrolmentStatus
from events.programme.models import Session, SessionStatus
from tests.employers.helpers import PASSWORD, link_token, login, mails, make_slot, make_staff
from tests.factories import make_event, register

APPLICATION = {"organisation_name": "Maasland Materials NV", "kind": "company", "website": "https://maasland.example",
               "contact_name": "Els Peeters", "contact_email": "Els@Maasland.example", "role": "lead_partner",
               "offers": "Internships in materials science", "message": "We would love to join."}


def test_apply_accept_invite_book_approve_withdraw(client, db):
    event = make_event(contact_email="team@welcomeday.example")
    staff = make_staff(event)

    response = client.post(f"/e/{event.slug}/partner", data=APPLICATION)
    assert response.status_code == 200 and "Thank you" in response.get_data(as_text=True)
    partner = db.session.scalars(select(EventPartner)).one()
    assert partner.status == PartnerStatus.APPLIED and partner.candidacy.contact_email == "els@maasland.example"
    assert mails("partner_applied")[0].to == "els@maasland.example"
    assert mails("partner_applied_staff")[0].to == "team@welcomeday.example"
    again = client.post(f"/e/{event.slug}/partner", data=APPLICATION)
    assert again.status_code == 422 and "already applied" in again.get_data(as_text=True)

    login(client, staff.email)
    response = client.post(f"/console/e/{event.slug}/partners?partner={partner.id}",
                           data={"decision": "accept", "message": "Welcome aboard!"})
    assert response.status_code == 303
    db.session.expire_all()
    assert partner.status == PartnerStatus.ACCEPTED
    assert "Welcome aboard!" in mails("partner_accepted")[0].body_text
    (invitation_mail,) = mails("employer_invitation")
    token = link_token(invitation_mail.body_text, "/employer/invite/")
    client.post("/account/logout")

    assert client.get("/employer/invite/not-a-token").status_code == 410
    short = client.post(f"/employer/invite/{token}", data={"name": "Els", "password": "short", "password2": "short"})
    assert short.status_code == 422
    response = client.post(f"/employer/invite/{token}",
                           data={"name": "Els Peeters", "password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 303
    user = db.session.scalars(select(User).where(User.email == "els@maasland.example")).one()
    assert user.organisation_id == partner.organisation_id
    assert user.password_hash.startswith("scrypt:")
    assert client.get(f"/employer/invite/{token}").status_code == 410  # used once only
    client.post("/account/logout")
    login(client, "els@maasland.example")

    slot = make_slot(event, capacity=12)
    page = client.get(f"/employer/e/{event.slug}/")
    assert page.status_code == 200 and f"/slots/{slot.id}/book" in page.get_data(as_text=True)
    too_big = client.post(f"/employer/e/{event.slug}/slots/{slot.id}/book",
                          data={"title": "Materials lab", "language": "en", "capacity": 13})
    assert too_big.status_code == 422 and "holds 12" in too_big.get_data(as_text=True)
    response = client.post(f"/employer/e/{event.slug}/slots/{slot.id}/book",
                           data={"title": "Materials lab", "abstract": "Hands-on.", "language": "en",
                                 "capacity": 12})
    assert response.status_code == 303
    booking = db.session.scalars(select(WorkshopBooking)).one()
    assert booking.status == BookingStatus.REQUESTED

    login(client, staff.email)
    response = client.post(f"/console/e/{event.slug}/bookings/{booking.id}",
                           data={"decision": "accept", "message": "See you there"})
    assert response.status_code == 303
    db.session.expire_all()
    session = db.session.get(Session, booking.session_id)
    assert session.host_organisation_id == partner.organisation_id and session.capacity == 12
    assert session.room_id == slot.room_id and session.starts_at == slot.starts_at
    assert "Materials lab" in client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert mails("workshop_decided")[0].to == "els@maasland.example"

    registration = register(event, "guest@example.org", sessions=[session])
    assert registration.enrolments[0].status == EnrolmentStatus.CONFIRMED

    login(client, "els@maasland.example")
    response = client.post(f"/employer/e/{event.slug}/bookings/{booking.id}/withdraw")
    assert response.status_code == 303
    db.session.expire_all()
    assert booking.status == BookingStatus.WITHDRAWN and booking.holding_slot_id is None
    assert session.status == SessionStatus.CANCELLED
    assert registration.enrolments[0].status == EnrolmentStatus.DROPPED
    assert [m.to for m in mails("workshop_cancelled")] == ["guest@example.org"]


def test_decline_sends_message_and_creates_no_account(client, db):
    event = make_event()
    staff = make_staff(event)
    client.post(f"/e/{event.slug}/partner", data=APPLICATION)
    partner = db.session.scalars(select(EventPartner)).one()
    login(client, staff.email)
    client.post(f"/console/e/{event.slug}/partners?partner={partner.id}",
                data={"decision": "decline", "message": "Full this year."})
    db.session.expire_all()
    assert partner.status == PartnerStatus.DECLINED
    assert "Full this year." in mails("partner_declined")[0].body_text
    assert mails("employer_invitation") == []


def test_application_form_validates(client, db):
    event = make_event()
    response = client.post(f"/e/{event.slug}/partner", data={**APPLICATION, "contact_email": "nope",
                                                              "organisation_name": "", "role": "boss"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "does not look like an e-mail" in body and "Please name your organisation" in body
    assert db.session.scalars(select(EventPartner)).all() == []


def test_partner_mails_and_account_follow_the_applicants_language(client, db):
    event = make_event()
    response = client.post(f"/e/{event.slug}/partner?lang=de", data={
        **APPLICATION, "organisation_name": "Rheinchemie GmbH", "contact_email": "jana@rheinchemie.example"})
    assert response.status_code == 200  # the "thank you" page
    partner = db.session.scalars(db.select(EventPartner).where(EventPartner.event_id == event.id)).one()
    assert partner.candidacy.locale == "de"
    staff = User(email="staff@example.org", is_admin=True)
    db.session.add(staff)
    db.session.commit()
    decide_candidacy(event, partner.id, True, "Willkommen!", staff)
    invitation = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.template == "employer_invitation")).one()
    accepted = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.template == "partner_accepted")).one()
    # German, not the English "Your employer account for …" and "Welcome on board: …"
    assert "Rheinchemie GmbH" in invitation.subject and not invitation.subject.startswith("Your employer account")
    assert event.title in accepted.subject and not accepted.subject.startswith("Welcome on board")
    token = invitation.body_text.split("/employer/invite/")[1].split()[0]
    user = accept_invitation(token, "Jana Roth", "a-long-password-1")
    assert user.locale == "de"
