"""Walk-ins at the door: registered on the spot (consent, capacity, audit), checked in at once, the badge as a
90 × 55 mm label; a returning person is found, not duplicated; walk-ins counted on the dashboard and exported."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from flask_babel import refresh
from pypdf import PdfReader
from sqlalchemy import func, select

from app.accounts.models import EventRoleKind
from app.audit import AuditEntry
from app.extensions import db as _db
from app.mail import OutboxMessage
from badges import services, tokens
from badges.models import CheckIn
from events.registration import services as registration_services
from events.registration.models import Attendee, Registration, RegistrationStatus
from events.registration.walkins import WalkIn, WalkInError, register_walk_in
from tests.badges.helpers import decode_pdf_qr, live_event, staff_user
from tests.factories import register

NAME = "Amara Nwosu-Ångström"


@pytest.fixture
def eager_jobs(app):
    """A check-in starts drawing the label: in the request here, not in a thread that outlives the test."""
    app.config["JOBS_EAGER"] = True
    yield
    app.config["JOBS_EAGER"] = False


def _login(client, event, role=EventRoleKind.DOOR, email="door@example.org"):
    user = staff_user(event, email, role)
    client.post("/account/login", data={"email": email, "password": "door-password-123"})
    return user


def _form(**overrides) -> dict:
    data = {"full_name": NAME, "email": "Zoe.Walk@Example.org", "university": "HHU Düsseldorf", "country": "SE",
            "locale": "de", "consent_processing": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.slow
def test_a_walk_in_is_registered_checked_in_and_printed_on_a_label(client, db, eager_jobs):
    event = live_event()
    _login(client, event)
    page = client.get(f"/console/e/{event.slug}/door/walk-in")
    assert page.status_code == 200 and 'name="consent_processing"' in page.text
    assert f"/console/e/{event.slug}/door/walk-in" in client.get(f"/console/e/{event.slug}/door").text

    done = client.post(f"/console/e/{event.slug}/door/walk-in", data=_form())
    assert done.status_code == 303
    registration = _db.session.scalars(select(Registration)).one()
    assert done.location.endswith(f"/console/e/{event.slug}/door/walk-in/{registration.id}")
    assert registration.walk_in and registration.status == RegistrationStatus.CONFIRMED
    assert registration.consent_processing_version == registration_services.CONSENT_VERSION  # the public form's
    attendee = registration.attendee
    assert (attendee.email, attendee.full_name, attendee.country, attendee.locale) == (
        "zoe.walk@example.org", NAME, "SE", "de")
    entry = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.walk_in")).one()
    assert entry.target_id == registration.id and entry.after["walk_in"] is True
    check_in = _db.session.scalars(select(CheckIn)).one()
    assert (check_in.holder, check_in.door, check_in.station) == (f"r{registration.id}", "main", "Walk-ins")
    mail = _db.session.scalars(select(OutboxMessage)).one()
    assert mail.to == "zoe.walk@example.org" and mail.template == "registration_confirmed"

    shown = client.get(done.location)
    label_url = f"/console/e/{event.slug}/door/walk-in/{registration.id}/label.pdf"
    assert "Checked in" in shown.text and label_url in shown.text and 'target="_blank"' in shown.text

    label = client.get(label_url)  # the (eager) job drew it when the person was checked in
    assert label.status_code == 200 and label.mimetype == "application/pdf"
    assert "attachment" not in label.headers.get("Content-Disposition", "")  # opens in the tab, for printing
    reader = PdfReader(io.BytesIO(label.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (90, 55)
    text = reader.pages[0].extract_text()
    assert NAME in text  # on one line: the bold name is not wrapped over the university
    assert "TEILNEHMER/IN" in text.upper()  # the role in the person's language (German, chosen on the form)
    assert decode_pdf_qr(label.data) == [tokens.token_for(services.badge_for_registration(registration))]


def test_a_walk_in_before_the_doors_open_is_registered_and_told_why_not_checked_in(client, db):
    event = live_event()
    event.starts_at = event.starts_at + timedelta(days=2)  # the doors open three hours before the start
    event.ends_at = event.starts_at + timedelta(hours=8)
    _db.session.commit()
    _login(client, event)
    done = client.post(f"/console/e/{event.slug}/door/walk-in", data=_form(), follow_redirects=True)
    assert done.status_code == 200
    assert "Not checked in: Outside the check-in window" in done.text and "not checked in yet" in done.text
    assert _count(Registration) == 1 and _count(CheckIn) == 0


def test_the_label_waits_for_the_check_in_and_for_its_drawing(client, db):
    event = live_event()
    _login(client, event)
    registration = register(event)
    label_url = f"/console/e/{event.slug}/door/walk-in/{registration.id}/label.pdf"
    not_in = client.get(label_url)
    assert not_in.status_code == 303 and not_in.location.endswith(f"/door/walk-in/{registration.id}")
    other = live_event()
    assert client.get(f"/console/e/{event.slug}/door/walk-in/{register(other).id}").status_code == 404


def test_consent_and_fields_are_required_and_nothing_is_half_written(client, db, eager_jobs):
    event = live_event()
    _login(client, event)
    url = f"/console/e/{event.slug}/door/walk-in"
    no_consent = client.post(url, data=_form(consent_processing=None))
    assert no_consent.status_code == 422 and "We cannot register you without this consent." in no_consent.text
    bad = client.post(url, data=_form(email="not an address", full_name=""))
    assert bad.status_code == 422
    assert "This does not look like an e-mail address." in bad.text and "Please tell us your name." in bad.text
    assert client.post(url, data=_form(country="XX")).status_code == 422
    assert client.post(url, data=_form(full_name="a\x00b")).status_code == 422
    only_needed = client.post(url, data=_form(university="", country="", email="min@example.org"))
    assert only_needed.status_code == 303  # university and country may stay empty at the door
    assert _count(Registration) == 1 and _count(CheckIn) == 1
    with pytest.raises(WalkInError) as refused:
        register_walk_in(event, WalkIn(email="x@example.org", full_name="X", consent_processing=False))
    assert refused.value.field == "consent_processing"
    assert _count(Attendee) == 1


def test_a_returning_person_is_found_and_checked_in_not_duplicated(client, db, eager_jobs):
    event = live_event()
    _login(client, event)
    registration = register(event, "known@example.org", name="Ngozi Okafor")
    found = client.post(f"/console/e/{event.slug}/door/walk-in", data=_form(email=" KNOWN@example.org",
                                                                            full_name="Someone Else"))
    assert found.status_code == 303 and found.location.endswith(f"/door/walk-in/{registration.id}?returning=1")
    assert _count(Registration) == 1 and _count(Attendee) == 1 and _count(CheckIn) == 0
    assert not _db.session.get(Registration, registration.id).walk_in  # they registered themselves
    page = client.get(found.location)
    assert "Already registered" in page.text and "Ngozi Okafor" in page.text and "Someone Else" not in page.text
    checked = client.post(f"/console/e/{event.slug}/door/walk-in/{registration.id}/check-in")
    assert checked.status_code == 303
    assert _db.session.scalars(select(CheckIn.holder)).all() == [f"r{registration.id}"]
    assert "Checked in" in client.get(checked.location).text
    again = client.post(f"/console/e/{event.slug}/door/walk-in/{registration.id}/check-in")  # no second admission
    assert again.status_code == 303 and _count(CheckIn) == 1
    assert _count(AuditEntry) == 0  # nothing was registered


def test_a_cancelled_registration_comes_back_as_a_walk_in(db):
    event = live_event()
    registration = register(event, "back@example.org")
    registration_services.cancel_registration(registration)
    result = register_walk_in(event, WalkIn(email="back@example.org", full_name="Back Again",
                                            consent_processing=True))
    assert not result.returning and result.registration_id == registration.id
    again = _db.session.get(Registration, registration.id)
    assert again.walk_in and again.status == RegistrationStatus.CONFIRMED and again.cancelled_at is None
    assert again.attendee.full_name == "Ngozi Okafor"  # a known address keeps the profile its owner wrote


def test_a_full_day_takes_a_walk_in_only_with_the_override_and_a_reason(client, db, eager_jobs):
    event = live_event(capacity=1)
    register(event)
    data = WalkIn(email="late@example.org", full_name="Late Comer", consent_processing=True)
    with pytest.raises(WalkInError) as full:
        register_walk_in(event, data)
    assert full.value.code == "day_full" and "1 of 1" in full.value.message
    with pytest.raises(WalkInError) as no_reason:
        register_walk_in(event, data, override=True, reason="  ")
    assert no_reason.value.field == "reason"
    assert _count(Registration) == 1 and _count(Attendee) == 1 and _count(AuditEntry) == 0  # nothing written

    _login(client, event)
    url = f"/console/e/{event.slug}/door/walk-in"
    page = client.post(url, data=_form(email="late@example.org"))
    assert page.status_code == 422 and "The day is full (1 of 1 places taken)" in page.text
    assert 'name="override"' in page.text and 'name="reason"' in page.text
    taken = client.post(url, data=_form(email="late@example.org", override="y", reason="Speaker's guest"))
    assert taken.status_code == 303
    walk_in = _db.session.scalars(select(Registration).where(Registration.walk_in.is_(True))).one()
    assert walk_in.status == RegistrationStatus.CONFIRMED
    entry = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.walk_in")).one()
    assert entry.after["places"] == "2/1" and entry.after["reason"] == "Speaker's guest"


def test_walk_ins_count_apart_on_the_dashboard_and_in_the_exports(client, db):
    event = live_event()
    register(event, "online@example.org")
    for n in range(2):
        register_walk_in(event, WalkIn(email=f"walk{n}@example.org", full_name=f"Walk {n}", consent_processing=True))
    _login(client, event, EventRoleKind.STAFF, "staff@example.org")
    panels = client.get(f"/console/e/{event.slug}/").text
    assert 'id="kpi-walk-ins"><span class="num">2</span>' in panels and "walk-ins (registered at the door)" in panels
    refresh()  # the services above ran in the test's app context, where Flask-Babel keeps the locale it found
    german = client.get(f"/console/e/{event.slug}/?lang=de").text
    assert "spontane Gäste (an der Tür angemeldet)" in german
    exported = client.get(f"/console/e/{event.slug}/export/registrations.csv")
    rows = list(csv.DictReader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert {r["email"]: r["walk_in"] for r in rows} == {
        "online@example.org": "false", "walk0@example.org": "true", "walk1@example.org": "true"}
