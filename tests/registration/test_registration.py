"""Registration rules through the real service and database: places, seats, waiting lists, double opt-in."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import utcnow
from app.mail import OutboxMessage, memory_outbox, send_pending
from events.registration import services
from events.registration import queries
from events.registration.rules import RegistrationError
from events.registration.models import Enrolment, EnrolmentStatus, Registration, RegistrationStatus
from tests.factories import make_event, make_session, register


def _mails(db, template):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)).all()


def test_double_opt_in_confirms_and_mails(db):
    event = make_event()
    workshop = make_session(event, capacity=5)
    registration = register(event, "ana@example.org", [workshop], confirm=False)
    assert registration.status == RegistrationStatus.PENDING
    assert registration.expires_at is not None
    (mail,) = _mails(db, "confirm_registration")
    assert mail.to == "ana@example.org"
    assert f"/r/{registration.token}/confirm" in mail.body_text
    services.confirm_email(registration)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.expires_at is None
    assert _mails(db, "registration_confirmed")
    assert send_pending() == (2, 0)
    assert {m["Subject"] for m in memory_outbox()} >= {
        f"Please confirm your registration for {event.title}", f"You are registered for {event.title}"}


def test_full_session_waitlists_in_order_and_promotes_on_drop(db):
    event = make_event()
    workshop = make_session(event, capacity=2)
    first, second = register(event, sessions=[workshop]), register(event, sessions=[workshop])
    third, fourth = register(event, sessions=[workshop]), register(event, sessions=[workshop])
    statuses = [r.enrolments[0].status for r in (first, second, third, fourth)]
    assert statuses == [EnrolmentStatus.CONFIRMED] * 2 + [EnrolmentStatus.WAITLISTED] * 2
    assert [queries.waitlist_position(r.enrolments[0]) for r in (third, fourth)] == [1, 2]

    services.drop(first, workshop.id)
    db.session.expire_all()
    assert third.enrolments[0].status == EnrolmentStatus.CONFIRMED
    assert queries.waitlist_position(fourth.enrolments[0]) == 1
    (mail,) = _mails(db, "seat_confirmed")
    assert mail.to == third.attendee.email
    assert queries.seats_for(workshop).taken == 2


def test_overlapping_sessions_cannot_both_be_held(db):
    event = make_event()
    a = make_session(event, offset_minutes=0, minutes=60, title="CV clinic")
    b = make_session(event, offset_minutes=30, minutes=60, title="Residence permits")
    c = make_session(event, offset_minutes=60, minutes=60, title="Networking")
    with pytest.raises(RegistrationError) as error:
        register(event, sessions=[a, b])
    assert error.value.code == "sessions_overlap"
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0  # nothing half-written
    registration = register(event, sessions=[a, c])  # back to back is fine
    with pytest.raises(RegistrationError) as error:
        services.enrol(registration, b.id)
    assert error.value.code == "sessions_overlap"


def test_same_email_twice_sends_the_link_again(db):
    event = make_event()
    first = register(event, "Ana@Example.org", confirm=False)
    again = services.register_attendee(event.slug, services.RegistrationRequest(
        email="ana@example.org ", profile=services.Profile(full_name="Someone else", badge_name="X"),
        consent_processing=True))
    assert again.created is False and again.registration.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert first.attendee.full_name == "Ngozi Okafor"  # an unproven address cannot rewrite a profile
    assert len(_mails(db, "registration_link")) == 1


def test_registration_window(db):
    event = make_event(registration_opens_at=utcnow() + timedelta(days=1))
    with pytest.raises(RegistrationError) as error:
        register(event)
    assert error.value.code == "registration_not_open_yet"
    event = make_event(registration_closes_at=utcnow() - timedelta(minutes=1))
    with pytest.raises(RegistrationError) as error:
        register(event)
    assert error.value.code == "registration_closed"


def test_unconfirmed_registrations_expire_and_release_seats(db, app):
    event = make_event()
    workshop = make_session(event, capacity=1)
    stale = register(event, sessions=[workshop], confirm=False)
    waiting = register(event, sessions=[workshop])
    assert waiting.enrolments[0].status == EnrolmentStatus.WAITLISTED
    assert services.expire_unconfirmed(now=utcnow() + timedelta(hours=app.config["PENDING_REGISTRATION_HOURS"],
                                                                 minutes=1)) == 1
    db.session.expire_all()
    assert stale.status == RegistrationStatus.CANCELLED and stale.cancel_reason == "expired"
    assert waiting.enrolments[0].status == EnrolmentStatus.CONFIRMED
    assert stale.enrolments[0].status == EnrolmentStatus.DROPPED


def test_event_capacity_waitlist_and_promotion(db):
    event = make_event(capacity=2)
    workshop = make_session(event, capacity=10)
    a, b = register(event, sessions=[workshop]), register(event, sessions=[workshop])
    c = register(event, sessions=[workshop])
    assert c.status == RegistrationStatus.WAITLISTED
    assert c.enrolments[0].status == EnrolmentStatus.WAITLISTED  # no seat without a place at the event
    assert queries.event_waitlist_position(c) == 1
    services.cancel_registration(a)
    db.session.expire_all()
    assert c.status == RegistrationStatus.CONFIRMED  # e-mail was confirmed while waiting
    assert c.enrolments[0].status == EnrolmentStatus.CONFIRMED
    assert _mails(db, "place_confirmed")
    assert queries.places_taken(event) == 2
    del b


def test_cancel_frees_every_seat(db):
    event = make_event()
    s1 = make_session(event, capacity=1)
    s2 = make_session(event, offset_minutes=120, capacity=1)
    holder = register(event, sessions=[s1, s2])
    w1, w2 = register(event, sessions=[s1]), register(event, sessions=[s2])
    services.cancel_registration(holder)
    db.session.expire_all()
    assert w1.enrolments[0].status == EnrolmentStatus.CONFIRMED
    assert w2.enrolments[0].status == EnrolmentStatus.CONFIRMED
    assert holder.status == RegistrationStatus.CANCELLED
    assert db.session.scalar(select(func.count()).select_from(Enrolment)
                             .where(Enrolment.status == EnrolmentStatus.CONFIRMED)) == 2


def test_failing_mail_server_keeps_the_registration_and_retries(db, app):
    event = make_event()
    registration = register(event, confirm=False)
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_TIMEOUT=2)
    try:
        assert send_pending() == (0, 1)
    finally:
        app.config.update(MAIL_BACKEND="memory")
    (mail,) = _mails(db, "confirm_registration")
    assert mail.sent_at is None and mail.attempts == 1 and "Connection" in mail.last_error
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.PENDING
    mail.next_attempt_at = utcnow()
    db.session.commit()
    assert send_pending() == (1, 0)
    assert len(memory_outbox()) == 1


def test_mail_is_rendered_when_sent_from_the_rows_it_names(db):
    event = make_event(title="Welcome Day Düsseldorf")
    workshop = make_session(event, capacity=1, title="Residence permit after graduation")
    registration = register(event, "ana@example.org", [workshop], confirm=False)
    row = db.session.execute(select(OutboxMessage.__table__.c.body_text, OutboxMessage.__table__.c.context)
                             .where(OutboxMessage.template == "confirm_registration")).one()
    # Written under the event's lock as references only: nothing rendered yet.
    assert row.body_text == "" and row.context["values"]["registration"] == {"$model": "Registration",
                                                                             "id": registration.id}
    assert send_pending() == (1, 0)
    (sent,) = memory_outbox()
    assert "Welcome Day Düsseldorf" in sent["Subject"]
    body = sent.get_body(("plain",)).get_content()
    assert f"/r/{registration.token}/confirm" in body and "Residence permit after graduation" in body
    stored = db.session.execute(select(OutboxMessage.__table__.c.subject, OutboxMessage.__table__.c.body_text)
                                .where(OutboxMessage.template == "confirm_registration")).one()
    # Sent: the subject is kept for the record, not the text, which carries the secret link.
    assert stored.subject == sent["Subject"] and stored.body_text == ""
    assert registration.token not in str(db.session.execute(select(OutboxMessage.__table__)).all())


def test_mail_about_a_deleted_registration_is_not_sent(db):
    event = make_event()
    registration = register(event, "ana@example.org", confirm=False)
    db.session.delete(db.session.get(Registration, registration.id))
    db.session.commit()
    assert send_pending() == (0, 1)
    assert memory_outbox() == []
    (mail,) = _mails(db, "confirm_registration")
    assert mail.failed and "Registration" in mail.last_error and mail.subject == ""
    assert send_pending() == (0, 0)  # not retried


def test_every_status_change_of_an_enrolment_grows_its_calendar_sequence(db):
    """The store bumps SEQUENCE (calendar apps replace an item only when it grows), on every path that writes."""
    event = make_event()
    session = make_session(event, capacity=1)
    first = register(event, sessions=[session])
    second = register(event, sessions=[session])

    def sequence_of(registration):
        return db.session.scalar(select(Enrolment.sequence).where(Enrolment.registration_id == registration.id))

    assert (sequence_of(first), sequence_of(second)) == (0, 0)
    services.drop(first, session.id)  # confirmed -> dropped; the second moves up: waitlisted -> confirmed
    assert (sequence_of(first), sequence_of(second)) == (1, 1)
    services.enrol(first, session.id)  # dropped -> waitlisted (the seat is taken)
    assert sequence_of(first) == 2
    services.cancel_registration(second)  # confirmed -> dropped; the first moves up
    assert (sequence_of(first), sequence_of(second)) == (3, 2)
