"""The employer's "Whom do you want to meet?" in Chromium, at phone and desktop width: search by the Latin spelling
of a Greek name, filters as links, one tap saves a choice in place (fetch, "Saved.") and it is still there after a
reload; without JavaScript the same buttons post and come back to the same view. And the attendee's employer
cards. axe-core finds no serious violation on either page."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PlaywrightError = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed").Error
DEMO = "duesseldorf-meets-international-talents-2027"
SLOW = 30_000
HENKEL = ("recruiting@henkel.example", "welcome-henkel-2026")


@pytest.fixture
def chooser(live_app):
    """A Greek-named attendee who shares the profile, in the demo day's networking session with Henkel."""
    from app.extensions import db
    from events.meetings import services
    from events.programme.models import Event
    from events.registration import services as registration_services
    from tests.factories import profile
    suffix = str(int(time.time() * 1000))[-6:]
    with live_app.app_context():
        event = db.session.scalars(select(Event).where(Event.slug == DEMO)).one()
        setup = services.setups_of(event)[0]
        result = registration_services.register_attendee(DEMO, registration_services.RegistrationRequest(
            email=f"eleni-{suffix}@example.org", consent_processing=True, consent_sharing=True,
            profile=profile("Ελένη Καραγιαννοπούλου", degree_level="master", field_of_study="Chemistry",
                            languages={"en": "C1", "el": "native"}, seeking=["job"], country="GR")))
        registration = registration_services.confirm_email(result.registration)
        values = {"session_id": setup.session_id, "registration_id": registration.id, "token": registration.token,
                  "url": f"/employer/e/{DEMO}/meetings/{setup.session_id}/choose"}
        db.session.remove()
    return values


def _choice(live_app, registration_id: int) -> str | None:
    from app.extensions import db
    from events.meetings.models import EmployerChoice
    with live_app.app_context():
        kind = db.session.scalar(select(EmployerChoice.kind).where(EmployerChoice.registration_id == registration_id))
        db.session.remove()
    return kind.value if kind else None


def _new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, **options)
    page = context.new_page()
    page.set_default_timeout(SLOW)
    return context, page


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_employer_finds_and_chooses_in_place(browser, live_server, live_app, chooser, viewport):
    from playwright.sync_api import expect
    expect.set_options(timeout=SLOW)
    context, page = _new_page(browser, live_server)
    try:
        page.set_viewport_size(viewport)
        log_in(page, *HENKEL)
        page.goto(chooser["url"])
        assert_accessible(page, f"choose-{viewport['width']}")
        page.fill("#q", "Karagianno")  # typed in Latin letters, found in Greek
        page.get_by_role("button", name="Search").click()
        row = page.locator(f"#person-{chooser['registration_id']}")
        expect(row).to_contain_text("Ελένη Καραγιαννοπούλου")
        expect(row).to_contain_text("(Eleni Karagianno")
        expect(row).to_contain_text("Greek (native speaker)")
        assert page.locator("li.person").count() >= 1  # the session's fixtures may have added her namesakes
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # nothing sideways
        screenshot(page, f"choose-search-{viewport['width']}")

        url_before = page.url
        row.get_by_role("button", name="Want to meet").click()
        expect(row.locator(".saved")).to_have_text("Saved.")
        expect(row.get_by_role("button", name="Want to meet")).to_have_attribute("aria-pressed", "true")
        assert page.url == url_before  # saved in place, no reload
        assert _choice(live_app, chooser["registration_id"]) == "wish"
        page.reload()
        expect(page.locator(f"#person-{chooser['registration_id']}").get_by_role(
            "button", name="Want to meet")).to_have_attribute("aria-pressed", "true")

        # filters are links: the same view opens from its URL, and "Excluded" does not list her
        page.goto(chooser["url"] + "?q=karagianno&chosen=wish&sort=fit&lang=de")
        expect(page.locator(f"#person-{chooser['registration_id']}")).to_contain_text("Griechisch (Muttersprache)")
        page.goto(chooser["url"] + "?q=karagianno&chosen=exclude&lang=en")
        expect(page.locator("main [role=status]").first).to_contain_text("found")
        assert page.locator(f"#person-{chooser['registration_id']}").count() == 0
        page.goto(chooser["url"] + "?q=karagianno")
        row = page.locator(f"#person-{chooser['registration_id']}")
        row.get_by_role("button", name="Undecided").click()
        expect(row.locator(".saved")).to_have_text("Saved.")
        assert _choice(live_app, chooser["registration_id"]) is None
    finally:
        context.close()


def test_without_javascript_the_buttons_post_and_come_back(browser, live_server, live_app, chooser):
    from playwright.sync_api import expect
    expect.set_options(timeout=SLOW)
    context, page = _new_page(browser, live_server, java_script_enabled=False)
    try:
        page.set_viewport_size(PHONE)
        log_in(page, *HENKEL)
        page.goto(chooser["url"] + "?q=eleni+karagianno&degree=master")
        page.locator(f"#person-{chooser['registration_id']}").get_by_role("button", name="Exclude").click()
        page.wait_for_load_state()
        assert "q=eleni" in page.url and "degree=master" in page.url
        expect(page.locator(".flash.success").first).to_contain_text("Saved.")
        expect(page.locator(f"#person-{chooser['registration_id']}").get_by_role(
            "button", name="Exclude")).to_have_attribute("aria-pressed", "true")
        assert _choice(live_app, chooser["registration_id"]) == "exclude"
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_attendee_sees_employer_cards(browser, live_server, chooser, viewport):
    from playwright.sync_api import expect
    expect.set_options(timeout=SLOW)
    context, page = _new_page(browser, live_server)
    try:
        page.set_viewport_size(viewport)
        page.goto(f"/r/{chooser['token']}/meetings/{chooser['session_id']}")
        henkel = page.locator("li.employer-card", has_text="Henkel")
        expect(henkel).to_contain_text("Offers")
        expect(henkel).to_contain_text("Visa and Blue Card")
        assert_accessible(page, f"employer-cards-{viewport['width']}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.locator("#support").check()
        page.get_by_role("button", name="Apply filters").click()
        expect(page.locator("main [role=status]").first).to_contain_text("employers shown")
        screenshot(page, f"employer-cards-{viewport['width']}")
    finally:
        context.close()
