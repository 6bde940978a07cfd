"""A walk-in at the door in Chromium, at phone and desktop width: door staff open the walk-in form from the check-in
page, fill in the few fields and the consent, submit once; the person is checked in and their badge opens in a
new tab as a 90 × 55 mm label whose QR code is theirs. A returning address is shown, not registered twice."""
from __future__ import annotations

import io
import itertools

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.accounts.models import EventRoleKind
from app.extensions import db
from badges import services, tokens
from badges.models import CheckIn
from events.registration.models import Attendee, Registration
from tests.badges.helpers import decode_pdf_qr, live_event, staff_user
from tests.browser.conftest import PHONE, assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
_n = itertools.count()


@pytest.fixture
def door_day(live_app):
    """A welcome day happening now (open for check-in) and a door person for it."""
    with live_app.app_context():
        event = live_event()
        email = f"door-walk-in-{next(_n)}@example.org"
        staff_user(event, email, EventRoleKind.DOOR)
        return event.slug, email


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_a_walk_in_is_registered_checked_in_and_gets_a_label(page, live_app, door_day, width):
    slug, door_email = door_day
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, door_email, "door-password-123")
    page.goto(f"/console/e/{slug}/door")
    page.click("text=Register a walk-in")
    assert page.url.endswith(f"/console/e/{slug}/door/walk-in")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert_accessible(page, f"walk-in-form-{width}")
    screenshot(page, f"walk-in-form-{width}")

    email = f"walk-in-{width}@example.org"
    page.fill("#full_name", "Amara Nwosu-Ångström")
    page.fill("#email", email)
    page.fill("#university", "HHU Düsseldorf")
    page.select_option("#country", "NG")
    page.check("#consent_processing")
    page.click("#walk-in-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == "Checked in"
    assert "Amara Nwosu-Ångström" in page.locator(".walk-in-person").inner_text()
    assert_accessible(page, f"walk-in-done-{width}")
    screenshot(page, f"walk-in-done-{width}")

    link = page.locator("#print-label")
    assert link.get_attribute("target") == "_blank"
    href = link.get_attribute("href")
    with page.context.expect_page() as opened:
        link.click()
    assert opened.value.url.endswith(href)  # a new tab, for the label printer
    label = page.request.get(href)
    assert label.status == 200 and label.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(label.body()))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (90, 55)
    with live_app.app_context():
        registration = db.session.scalars(select(Registration).join(Attendee).where(Attendee.email == email)).one()
        assert registration.walk_in
        assert db.session.scalar(select(func.count()).select_from(CheckIn).where(
            CheckIn.holder == f"r{registration.id}")) == 1
        assert decode_pdf_qr(label.body()) == [tokens.token_for(services.badge_for_registration(registration))]

    # the same address again: found, shown, not registered twice
    page.goto(f"/console/e/{slug}/door/walk-in")
    page.fill("#full_name", "Someone Else")
    page.fill("#email", email.upper())
    page.check("#consent_processing")
    page.click("#walk-in-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == "Already registered"
    assert "Amara Nwosu-Ångström" in page.locator(".walk-in-person").inner_text()
    assert_accessible(page, f"walk-in-returning-{width}")
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attendee).where(Attendee.email == email)) == 1


def test_the_walk_in_form_in_german_and_dutch_and_when_the_day_is_full(page, live_app):
    with live_app.app_context():
        event = live_event(capacity=0)
        staff_user(event, "door-full@example.org", EventRoleKind.DOOR)
        slug = event.slug
    log_in(page, "door-full@example.org", "door-password-123")
    for lang, title in (("de", "Spontanen Gast anmelden"), ("nl", "Inloper inschrijven")):
        page.goto(f"/console/e/{slug}/door/walk-in?lang={lang}")
        assert page.locator("h1").inner_text().strip() == title
        screenshot(page, f"walk-in-form-{lang}")
    page.goto(f"/console/e/{slug}/door/walk-in?lang=en")
    page.set_viewport_size(PHONE)
    page.fill("#full_name", "Late Comer")
    page.fill("#email", "late-comer@example.org")
    page.check("#consent_processing")
    page.click("#walk-in-form button[type=submit]")
    assert "The day is full (0 of 0 places taken)" in page.locator("#override-error").inner_text()
    assert_accessible(page, "walk-in-day-full")
    screenshot(page, "walk-in-day-full-390")
    page.check("#override")
    page.fill("#reason", "Guest of a speaker")
    page.click("#walk-in-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == "Checked in"
