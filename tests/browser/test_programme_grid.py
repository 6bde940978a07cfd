"""The day at a glance for staff, in Chromium at desktop and phone width: a clash is warned about when saving,
kept only with a reason, and shown in the grid; axe-core finds no serious problem."""
from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, log_in, on_phone, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SLUG = "grid-day-2028"


def _add_session(page, title, starts, ends, room, speakers=""):
    page.goto(f"/console/e/{SLUG}/sessions/new")
    page.fill("#title", title)
    page.fill("#starts", starts)
    page.fill("#ends", ends)
    page.select_option("#room_id", label=room)
    page.fill("#speakers", speakers)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


def test_a_clash_needs_a_reason_and_shows_in_the_grid(page):
    log_in(page, "admin@welcomeday.local", "welcome-admin-2026")
    page.goto("/console/events/new")
    page.fill("#title", "Grid Day 2028")
    page.fill("#slug", SLUG)
    page.fill("#day", "2028-04-20")
    page.fill("#starts", "09:00")
    page.fill("#ends", "17:00")
    page.click("form.stack button[type=submit]")
    for room in ("Aula", "Raum 2.14"):
        page.goto(f"/console/e/{SLUG}/sessions")
        page.fill("#new-room-name", room)
        page.click("text=Add room")
    _add_session(page, "CV clinic", "10:00", "11:00", "Aula", "Dr. Anna Müller")
    _add_session(page, "Blue Card in practice", "09:30", "10:30", "Raum 2.14")
    _add_session(page, "Visa questions", "10:30", "11:30", "Raum 2.14", "Anna Muller")
    # Saved? No: the speaker is in the Aula then. The warning names the other session and asks for a reason.
    assert "/sessions/new" in page.url
    box = page.locator("fieldset.clash-box")
    assert box.is_visible()
    assert "Anna Muller also speaks in “CV clinic”" in box.inner_text()
    assert_accessible(page, "session-clash")
    screenshot(page, "session-clash")
    page.fill("#clash_reason", "Anna gives the first half only")
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/console/e/{SLUG}/sessions")
    page.click("text=The day at a glance")
    page.wait_for_load_state()
    assert page.locator("table.day-grid td.session").count() == 3
    assert page.locator("table.day-grid td.clash").count() == 2
    assert page.locator("text=Kept because: Anna gives the first half only").is_visible()
    assert_accessible(page, "grid")
    screenshot(page, "grid-desktop-en")
    for lang in ("de", "nl"):
        page.goto(f"/console/e/{SLUG}/grid?lang={lang}")
        screenshot(page, f"grid-desktop-{lang}")
    on_phone(page)
    for lang in ("en", "de", "nl"):
        page.goto(f"/console/e/{SLUG}/grid?lang={lang}")
        screenshot(page, f"grid-phone-{lang}")
        # The grid scrolls inside its own frame; the page does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    assert_accessible(page, "grid-phone")
    page.goto(f"/console/e/{SLUG}/grid?lang=en")


def test_the_session_form_asks_which_repeated_time_and_refuses_a_skipped_one(page):
    log_in(page, "admin@welcomeday.local", "welcome-admin-2026")
    page.goto("/console/events/new")
    page.fill("#title", "Night of the clocks 2028")
    page.fill("#slug", "clocks-2028")
    page.fill("#day", "2028-10-29")  # Europe/Berlin: 03:00 CEST becomes 02:00 CET
    page.fill("#starts", "00:00")
    page.fill("#ends", "06:00")
    page.click("form.stack button[type=submit]")
    page.goto("/console/e/clocks-2028/sessions/new")
    page.fill("#title", "Night owls")
    page.fill("#starts", "02:30")
    page.fill("#ends", "03:30")
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("text=02:30 happens twice on 2028-10-29 in Europe/Berlin").is_visible()
    assert page.locator("input[name=starts_occurrence]").count() == 2
    assert page.locator("input[name=ends_occurrence]").count() == 0
    assert_accessible(page, "session-repeated-time")
    screenshot(page, "session-repeated-time")
    page.check("#starts_occurrence-1")
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/console/e/clocks-2028/sessions")
    assert page.get_by_role("link", name="Night owls").is_visible()  # the missing-translations panel names it too
