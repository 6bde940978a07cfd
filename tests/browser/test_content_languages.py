"""Texts per language in the staff's session form, in Chromium at desktop and phone width: a column per language side
by side on a wide screen, one under the other on a phone, nothing wider than the screen; a Dutch title typed
there is what a Dutch reader sees; axe-core finds no serious problem."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import assert_accessible, log_in, on_phone, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SLUG = "duesseldorf-meets-international-talents-2027"
TITLE = "Research careers at the Max Planck Institute"  # the demo leaves it without German and Dutch texts


def _boxes(page) -> list[dict]:
    return [page.locator("fieldset.lang").nth(i).bounding_box() for i in range(page.locator("fieldset.lang").count())]


def test_session_texts_per_language_at_desktop_and_phone_width(page, live_app):
    from app.extensions import db
    from events.programme.models import Session
    with live_app.app_context():
        session_id = db.session.scalar(select(Session.id).where(Session.title == TITLE))
    log_in(page, "staff@welcomeday.local", "welcome-staff-2026")
    page.goto(f"/console/e/{SLUG}/sessions/{session_id}/edit?lang=en")
    legends = page.locator("fieldset.lang legend").all_inner_texts()
    assert [text.split(" ·")[0] for text in legends] == ["English", "Deutsch", "Nederlands"]
    assert "main language, required" in legends[0] and "optional" in legends[1]
    boxes = _boxes(page)
    assert len({round(b["y"]) for b in boxes}) == 1, boxes  # side by side
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
    assert_accessible(page, "content-session-form")
    screenshot(page, "content-session-form-desktop")

    on_phone(page)
    page.reload()
    boxes = _boxes(page)
    assert len({round(b["x"]) for b in boxes}) == 1, boxes  # one under the other
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("#title_nl", "Onderzoekscarrières bij het Max-Planck-Institut")
    page.fill("#abstract_nl", "Promotie- en postdocplaatsen.")
    screenshot(page, "content-session-form-phone")
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/console/e/{SLUG}/sessions")

    page.goto(f"/e/{SLUG}/s/{session_id}?lang=nl")
    assert page.locator("h1").inner_text() == "Onderzoekscarrières bij het Max-Planck-Institut"
    page.goto(f"/e/{SLUG}/s/{session_id}?lang=de")  # no German title: the English one
    assert page.locator("h1").inner_text() == TITLE
    page.goto(f"/console/e/{SLUG}/sessions?lang=en")
    panel = page.locator("#translations")
    assert "Missing translations" in panel.inner_text()
    screenshot(page, "content-missing-translations")
