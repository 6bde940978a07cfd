"""The reminders' staff page in Chromium, at phone and desktop width: staff set the days before the day, and preview
the reminder mail in English, German and Dutch (a stand-in person, never a real secret link); the page does not
scroll sideways, and axe-core finds no serious violation."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.content import localized
from app.extensions import db
from events.programme.models import Event, EventStatus
from tests.browser.conftest import PHONE, assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ADMIN = ("admin@welcomeday.local", "welcome-admin-2026")
SUBJECTS = {"en": "See you soon: ", "de": "Bis bald: ", "nl": "Tot snel: "}


@pytest.fixture(scope="module")
def demo_day(live_app):
    with live_app.app_context():
        event = db.session.scalars(select(Event).where(Event.status == EventStatus.PUBLISHED)
                                   .order_by(Event.starts_at.desc())).first()
        return event.slug, {lang: localized(event, "title", lang) for lang in SUBJECTS}  # the day's title per language


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_staff_set_the_days_and_preview_the_reminder_in_each_language(page, demo_day, width):
    slug, title = demo_day
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, *ADMIN)
    page.goto(f"/console/e/{slug}/reminders?lang=en")
    assert page.locator("h1").inner_text() == "Reminders"
    page.fill("#days", "1, 7, 7")
    page.get_by_role("button", name="Save").click()
    assert "Saved." in page.locator(".flash.success").first.inner_text()
    assert page.input_value("#days") in ("7,1", "7, 1")
    page.fill("#days", "tomorrow")
    page.get_by_role("button", name="Save").click()
    assert page.locator("#days").get_attribute("aria-invalid") == "true" or page.locator(".errors, .error").count()
    for lang, label in (("en", "English"), ("de", "Deutsch"), ("nl", "Nederlands")):
        page.goto(f"/console/e/{slug}/reminders?lang=en")
        page.get_by_role("link", name=label, exact=True).click()
        assert page.get_by_role("link", name=label, exact=True).get_attribute("aria-current") == "true"
        preview = page.locator("main").inner_text()
        assert SUBJECTS[lang] + title[lang] in preview
        assert "/r/PREVIEW" in preview or "PREVIEW" in preview  # the stand-in's link, not a real one
        assert f"badge-{slug}.pdf" in preview and f"{slug}-agenda.ics" in preview
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        screenshot(page, f"reminders-preview-{lang}-{width}")
    assert_accessible(page, f"reminders-{width}")
