"""Reminders before the day: due by the event's days ("7,1"), once per person (a rerun sends nothing), in the
person's language, with badge, agenda and calendar attached; the scheduled command; the staff page with its
setting and a preview in every language."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from app.audit import AuditEntry
from app.mail import OutboxMessage, build_email
from events.registration import services as registration
from events.reminders import services
from events.reminders.models import ReminderSent
from tests.factories import make_event, make_session, profile
from tests.roles import login, team_for

SUBJECTS = {"en": "See you soon", "de": "Bis bald", "nl": "Tot snel"}


def _person(event, email, locale, *, confirm=True, sessions=()):
    result = registration.register_attendee(event.slug, registration.RegistrationRequest(
        email=email, profile=profile("Lea Kim", locale=locale), consent_processing=True,
        session_ids=[s.id for s in sessions]))
    return registration.confirm_email(result.registration) if confirm else result.registration


def _reminders(db) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "reminder")
                                   .order_by(OutboxMessage.id)))


@pytest.fixture
def day(db):
    start = (datetime.now(timezone.utc) + timedelta(days=20)).replace(hour=8, minute=0, second=0, microsecond=0)
    event = make_event(starts_at=start, reminder_days="7,1", venue="Haus der Universität",
                       address="Schadowplatz 14, 40212 Düsseldorf")
    session = make_session(event, offset_minutes=60, speakers="Dr. Ada Lovelace")
    people = {"de": _person(event, "de@example.org", "de", sessions=[session]),
              "nl": _person(event, "nl@example.org", "nl", sessions=[session]),
              "en": _person(event, "en@example.org", "en")}
    _person(event, "pending@example.org", "de", confirm=False)  # address not confirmed: no reminder
    registration.cancel_registration(_person(event, "gone@example.org", "de"))  # cancelled: none
    return event, people


def test_each_reminder_goes_once_to_each_confirmed_person_in_their_language(db, day):
    event, people = day
    assert services.send_due(event.starts_at - timedelta(days=8)) == 0  # not yet
    week_before = event.starts_at - timedelta(days=6, hours=23)
    assert services.send_due(week_before) == 3
    assert services.send_due(week_before) == 0 and services.send_due(week_before + timedelta(hours=5)) == 0
    sent = _reminders(db)
    assert sorted(m.to for m in sent) == ["de@example.org", "en@example.org", "nl@example.org"]
    for message in sent:
        lang = message.context["locale"]
        assert message.subject.startswith(SUBJECTS[lang]) and event.title in message.subject
        assert "Schadowplatz 14" in message.body_text and "openstreetmap.org" in message.body_text
    day_before = event.starts_at - timedelta(hours=20)
    assert services.send_due(day_before) == 3 and services.send_due(day_before) == 0
    assert services.send_due(event.starts_at + timedelta(minutes=1)) == 0  # the day has begun
    rows = db.session.execute(select(ReminderSent.registration_id, ReminderSent.days_before)).all()
    assert sorted(rows) == sorted((r.id, d) for r in people.values() for d in (7, 1))


@pytest.mark.slow
def test_the_reminder_carries_badge_agenda_and_calendar_in_the_persons_language(db, day):
    event, people = day
    services.send_due(event.starts_at - timedelta(days=6))
    words = {"de": ("Teilnehmer/in", "Ihr Tag", "Referentinnen und Referenten"),
             "nl": ("Deelnemer", "Je dag", "Sprekers")}
    for message in _reminders(db):
        lang = message.context["locale"]
        if lang not in words:
            continue
        role, heading, speakers = words[lang]
        files = {part.get_filename(): part.get_content() for part in build_email(message).iter_attachments()}
        assert set(files) == {f"badge-{event.slug}.pdf", f"{event.slug}-agenda.pdf", f"{event.slug}-agenda.ics"}
        badge = PdfReader(io.BytesIO(files[f"badge-{event.slug}.pdf"])).pages[0].extract_text()
        agenda = PdfReader(io.BytesIO(files[f"{event.slug}-agenda.pdf"])).pages[0].extract_text()
        assert role.upper() in badge.upper() and heading.upper() in agenda.upper()
        calendar = Calendar.from_ical(files[f"{event.slug}-agenda.ics"])
        assert any(speakers in str(e.get("description", "")) for e in calendar.walk("VEVENT"))


def test_someone_registering_late_gets_the_current_window_only(db):
    event = make_event(reminder_days="7,1")
    now = event.starts_at - timedelta(days=3)
    _person(event, "late@example.org", "nl")
    assert services.due_window(event, now) == 7
    assert services.send_due(now) == 1
    assert services.send_due(event.starts_at - timedelta(hours=2)) == 1  # then the day before
    assert services.send_due(event.starts_at - timedelta(hours=1)) == 0
    no_reminders = make_event(reminder_days="")
    _person(no_reminders, "none@example.org", "en")
    assert services.send_due(no_reminders.starts_at - timedelta(hours=2)) == 0


def test_the_scheduled_command(app, db, day):
    event, _people = day
    runner = app.test_cli_runner()
    moment = (event.starts_at - timedelta(days=6)).isoformat()
    assert "reminders written: 3" in runner.invoke(args=["reminders", "send", "--now", moment]).output
    assert "reminders written: 0" in runner.invoke(args=["reminders", "send", "--now", moment]).output
    naive = runner.invoke(args=["reminders", "send", "--now", "2027-03-20T09:00"])
    assert naive.exit_code != 0 and "offset" in naive.output


@pytest.mark.parametrize("lang", ["en", "de", "nl"])
def test_staff_see_the_setting_what_was_sent_and_a_preview(client, db, day, lang):
    event, _people = day
    services.send_due(event.starts_at - timedelta(days=6))
    login(client, team_for(event)["staff"])
    page = client.get(f"/console/e/{event.slug}/reminders?preview={lang}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and SUBJECTS[lang] in html and "Schadowplatz 14" in html
    assert "PREVIEW" in html and "de@example.org" not in html  # a stand-in, nobody's link
    assert f"badge-{event.slug}.pdf" in html


def test_staff_change_the_days_and_bad_days_are_refused(client, db, day):
    event, _people = day
    login(client, team_for(event)["staff"])
    url = f"/console/e/{event.slug}/reminders"
    bad = client.post(url, data={"days": "3, 0, x"})
    assert bad.status_code == 422 and "is not a number of days from 1 to 60" in bad.get_data(as_text=True)
    assert db.session.get(type(event), event.id).reminder_days == "7,1"
    assert client.post(url, data={"days": " 1; 3 ,3"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(type(event), event.id).reminder_days == "3,1"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reminders.settings")).one()
    assert entry.event_id == event.id
    assert client.post(url, data={"days": ""}).status_code == 303
    db.session.expire_all()
    assert db.session.get(type(event), event.id).reminder_days == ""
