"""Browser checks of the staff console and the public pages, with axe-core (no serious or critical issue)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, log_in, on_phone, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DEMO = "duesseldorf-meets-international-talents-2027"


def test_public_pages_are_accessible(page):
    page.goto("/")
    assert_accessible(page, "event-list")
    page.goto(f"/e/{DEMO}/")
    assert_accessible(page, "event-page")
    on_phone(page)
    page.goto(f"/e/{DEMO}/")
    screenshot(page, "event-page-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling


def test_registration_form_works_by_keyboard(page):
    page.goto(f"/e/{DEMO}/register")
    assert_accessible(page, "register")
    page.focus("#email")
    page.keyboard.type("keyboard.only@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("Nguyễn Thị Hoa")
    seen = set()
    for _ in range(80):  # tab through the whole form: every control is reachable
        page.keyboard.press("Tab")
        seen.add(page.evaluate("document.activeElement.id || document.activeElement.name"))
    assert {"consent_processing", "country", "university"} <= seen
    screenshot(page, "register-keyboard")


def test_staff_log_in_publish_and_see_the_dashboard(page):
    log_in(page, "admin@welcomeday.local", "welcome-admin-2026")
    assert "/console/" in page.url
    assert_accessible(page, "console-index")
    page.goto("/console/events/new")
    page.fill("#title", "Browser Day 2028")
    page.fill("#slug", "browser-day-2028")
    page.fill("#day", "2028-04-20")
    page.fill("#starts", "09:00")
    page.fill("#ends", "17:00")
    page.click("form.stack button[type=submit]")
    page.fill("#new-room-name", "Aula")
    page.click("text=Add room")
    page.goto("/console/e/browser-day-2028/sessions/new")
    page.fill("#title", "Welcome talk")
    page.fill("#starts", "09:00")
    page.fill("#ends", "10:00")
    page.click("form.stack button[type=submit]")
    page.goto("/console/e/browser-day-2028/edit")
    page.click("button:has-text('Publish')")
    assert page.locator(".flash.success").first.is_visible()
    page.goto(f"/console/e/{DEMO}/")
    assert page.locator("svg.chart").count() >= 3
    assert_accessible(page, "dashboard")
    screenshot(page, "dashboard")
    on_phone(page)
    page.goto(f"/console/e/{DEMO}/registrations")
    assert_accessible(page, "registrations-phone")
    screenshot(page, "registrations-phone")
