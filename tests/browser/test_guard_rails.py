"""Issue 15's defects and guard rails as a person meets them in Chromium: the demo day saves with its own contact
address, the check-in chart keeps its shape after the first arrival, dropping a session and cancelling a
registration ask first, and no page asks for a missing icon."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from badges import tokens
from badges.models import CheckIn
from events.programme.models import Event
from events.registration.models import EnrolmentStatus, Registration, RegistrationStatus

from tests.browser.conftest import PHONE, assert_accessible, log_in, on_phone, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DEMO = "duesseldorf-meets-international-talents-2027"
ADMIN = ("admin@welcomeday.local", "welcome-admin-2026")


def test_the_demo_day_saves_with_its_own_contact_address(page):
    log_in(page, *ADMIN)
    page.goto(f"/console/e/{DEMO}/edit")
    assert page.input_value("#contact_email") == "team@welcomeday.local"
    address = page.locator(".slug-address code")
    assert address.inner_text().endswith(f"/e/{DEMO}/") and "/e//" not in page.content()
    page.fill("#slug", "welcome-day-2028")
    assert address.inner_text().endswith("/e/welcome-day-2028/")  # follows what is typed
    page.fill("#slug", DEMO)
    page.click("form.stack button[type=submit]")
    assert page.locator(".flash.success").first.inner_text().strip() == "Saved."
    assert_accessible(page, "dashboard-after-save")


def test_the_check_in_chart_keeps_its_shape_after_the_first_arrival(page, live_app):
    with live_app.app_context():
        event = db.session.scalars(select(Event).where(Event.slug == DEMO)).one()
        registration = db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).first()
        badge = tokens.ensure_badge(event.id, registration_id=registration.id)
        if not db.session.scalars(select(CheckIn).where(CheckIn.holder == f"r{registration.id}")).first():
            db.session.add(CheckIn(event_id=event.id, holder=f"r{registration.id}", door="main", badge_id=badge.id,
                                   station="Door 1", checked_in_at=event.starts_at))
            db.session.commit()
    log_in(page, *ADMIN)
    for width in (1280, PHONE["width"]):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/console/e/{DEMO}/door")
        box = page.locator(".chart-wrap.arrivals svg.chart").bounding_box()
        assert box is not None and box["width"] <= max(width, 600)  # on a phone it scrolls inside its box
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1  # the page itself does not
        # The drawing is 640 × 220 at any width: never a narrow strip stretched to 3000 px high.
        assert abs(box["height"] / box["width"] - 220 / 640) < 0.02, box
        assert box["height"] < 400
        screenshot(page, f"checkin-chart-{width}")
    assert_accessible(page, "checkin-phone")


def test_dropping_a_session_says_what_is_lost_and_asks(page, live_app):
    with live_app.app_context():
        event = db.session.scalars(select(Event).where(Event.slug == DEMO)).one()
        registration = next(r for r in db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED))
            if any(e.status == EnrolmentStatus.CONFIRMED for e in r.active_enrolments))
        token = registration.token
        seat = next(e for e in registration.active_enrolments if e.status == EnrolmentStatus.CONFIRMED)
        title = seat.session.title
        count = len(registration.active_enrolments)
    on_phone(page)
    page.goto(f"/r/{token}")
    page.locator("tr", has_text=title).get_by_role("link", name="Drop").click()
    assert "You give up your seat." in page.inner_text("main")
    assert_accessible(page, "drop-confirm")
    screenshot(page, "drop-confirm-phone")
    page.click("text=No, keep it")
    assert page.locator("table tbody tr").count() == count  # nothing lost
    page.locator("tr", has_text=title).get_by_role("link", name="Drop").click()
    page.click("text=Yes, drop it")
    assert "no longer in your day" in page.inner_text(".flash")


def test_no_page_asks_for_a_missing_icon(page):
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto("/")
    page.goto(f"/e/{DEMO}/")
    assert page.request.get("/favicon.ico").status == 200
    assert not missing, missing
