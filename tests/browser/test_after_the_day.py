"""After the day in Chromium, at phone and desktop width: an attendee answers the survey from "My registration"
and changes the answer, downloads the certificate; someone who did not come gets a clear page; staff set the
survey and read the results and the report page. axe-core finds no serious violation."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from events.feedback import services as feedback
from tests.browser.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.feedback.helpers import day_that_happened

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ADMIN = ("admin@welcomeday.local", "welcome-admin-2026")


@pytest.fixture(scope="module")
def happened(live_app):
    with live_app.app_context():
        event, _sessions, people, statuses = day_that_happened()
        assert all(s == "ok" for s in statuses), statuses
        feedback.save_survey(event, ask_overall=True, ask_sessions=True, ask_comment=True, anonymous=True,
                             closed=False)
        return {"slug": event.slug, **{name: r.token for name, r in people.items()}}


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_an_attendee_gives_feedback_and_downloads_the_certificate(page, happened, width):
    page.set_viewport_size({"width": width, "height": 900})
    token = happened["ngozi"] if width == 1280 else happened["pieter"]
    page.goto(f"/r/{token}")
    section = page.locator("#after-the-day")
    assert section.is_visible()
    screenshot(page, f"after-my-registration-{width}")
    section.get_by_role("link", name="Give feedback").click()
    assert page.locator("h1").inner_text().startswith("How was")
    page.get_by_role("group", name="How was the day overall?").get_by_label("4").check()
    page.get_by_role("group", name="Recognition of degrees").get_by_label("5").check()
    page.fill("#comment", "Más tiempo para preguntas, bitte")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert_accessible(page, f"feedback-form-{width}")
    screenshot(page, f"feedback-form-{width}")
    page.get_by_role("button", name="Send my feedback").click()
    assert "Thank you!" in page.locator(".flash.success").first.inner_text()
    assert page.get_by_role("group", name="How was the day overall?").get_by_label("4").is_checked()
    page.get_by_role("group", name="How was the day overall?").get_by_label("2").check()
    page.get_by_role("button", name="Save my changes").click()
    assert page.get_by_role("group", name="How was the day overall?").get_by_label("2").is_checked()
    page.goto(f"/r/{token}")
    assert "Change my feedback" in page.locator("#after-the-day").inner_text()
    link = page.locator("#after-the-day").get_by_role("link", name="Certificate of attendance (PDF)")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "Recognition of degrees" in text
    assert ("Ngozi Okafor" in text) if width == 1280 else ("Bewijs van deelname" in text)  # Pieter is Dutch


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_someone_who_did_not_come_gets_a_clear_page(page, happened, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/r/{happened['ana']}")
    assert page.locator("#after-the-day").count() == 0
    for lang, heading in (("en", "No certificate of attendance"), ("de", "Keine Teilnahmebescheinigung"),
                          ("nl", "Geen bewijs van deelname")):
        response = page.goto(f"/r/{happened['ana']}/certificate.pdf?lang={lang}")
        assert response.status == 404 and page.locator("h1").inner_text() == heading
        screenshot(page, f"no-certificate-{lang}-{width}")
    assert_accessible(page, f"no-certificate-{width}")
    page.goto(f"/r/{happened['ana']}/feedback?lang=en")
    assert "for people who came" in page.locator("main").inner_text()


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_staff_read_the_results_and_the_report_page(page, happened, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, *ADMIN)
    for lang in ("en", "de", "nl"):
        page.goto(f"/console/e/{happened['slug']}/feedback?lang={lang}")
        screenshot(page, f"feedback-console-{lang}-{width}")
    page.goto(f"/console/e/{happened['slug']}/feedback?lang=en")
    assert page.locator("h1").inner_text() == "Feedback"
    assert "Ngozi" not in page.locator("main").inner_text()  # anonymous
    assert_accessible(page, f"feedback-console-{width}")
    page.goto(f"/console/e/{happened['slug']}/after-the-day")
    assert page.get_by_role("link", name="Report (PDF)").is_visible()
    assert_accessible(page, f"after-the-day-{width}")
    screenshot(page, f"after-the-day-{width}")
    response = page.request.get(f"/console/e/{happened['slug']}/after-the-day/report.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
