"""Leads and meeting ratings in Chromium, at phone and desktop width: an employer contact types a badge code as a
keyboard-wedge scanner does (Enter at the end) and saves a lead for an attendee with a name in Bengali script; a
badge of someone who does not share their profile is refused with nothing stored; the attendee withdraws the
contact on "My registration"; after the day an attendee rates their meetings. axe-core: no serious violation;
screenshots in English, German and Dutch."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.browser.test_door_camera import filming

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = [PHONE["width"], 1280]


@pytest.fixture(scope="module")
def leads_day(live_app):
    from app.extensions import db, utcnow
    from app.mail import OutboxMessage
    from badges import services as badge_services
    from badges import tokens
    from events.leads import services as leads
    from events.meetings import ratings, services as meetings
    from tests.employers.helpers import PASSWORD, make_partner
    from tests.factories import make_event, register
    from tests.meetings.helpers import networking_day
    with live_app.app_context():
        event = make_event()
        org, contact = make_partner(event, "Rheinmetall Lab GmbH", "scan@rheinmetall-lab.example")
        people = {name: register(event, f"{name}@leads.example", name=full, consent_sharing=name != "private")
                  for name, full in (("sumaiya", "সুমাইয়া রহমান"), ("ana", "Ana Pérez"), ("private", "Jonas Weber"),
                                     ("w1", "Mariam Tesfaye"), ("w2", "Pieter de Vries"))}
        badge = {name: tokens.token_for(badge_services.badge_for_registration(r)) for name, r in people.items()}
        for name in ("w1", "w2"):
            leads.save_lead(event, org.id, people[name].id, contact, rating=4, note="")
        # a day that happened, with published meetings and the rating mails sent
        past, setup, _orgs, _users, regs, _ = networking_day(attendees=4, employers=2)
        meetings.run_now(setup)
        meetings.publish(setup)
        past.starts_at, past.ends_at = utcnow() - timedelta(hours=9), utcnow() - timedelta(hours=1)
        db.session.commit()
        ratings.send_mails(past)
        rater = next(r for r in regs if ratings.meetings_of(
            ratings.Rater(past, ratings.RatingSide.ATTENDEE, registration=r)))
        body = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == rater.attendee.email,
                                                              OutboxMessage.template == "meeting_ratings")).one()
        link = re.search(r"/rate/[A-Za-z0-9_.\-]+", body.body_text).group(0)
        return {"slug": event.slug, "contact": (contact.email, PASSWORD), "badge": badge,
                "token": {name: r.token for name, r in people.items()}, "rate": link, "past": past.slug}


@pytest.mark.parametrize("width", WIDTHS)
def test_an_employer_types_a_badge_code_and_saves_a_lead(page, leads_day, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, *leads_day["contact"])
    page.goto(f"/employer/e/{leads_day['slug']}/leads/scan?lang=en")
    page.locator("#code").press_sequentially(leads_day["badge"]["sumaiya"].lower())  # a wedge types fast, then Enter
    page.locator("#code").press("Enter")
    person = page.locator("#person")
    person.wait_for(state="visible")
    assert person.locator("h2").inner_text() == "সুমাইয়া রহমান"
    assert page.locator("#person-latin").inner_text().lower().startswith("sumaiy")
    assert "Chemistry" in page.locator("#person-study").inner_text()
    page.get_by_role("group", name="Rating").get_by_label("4").check()
    page.fill("#note", "Polymer chemistry, available from March")
    page.get_by_role("button", name="Save contact").click()
    page.locator("#lead-status.ok").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert_accessible(page, f"leads-scan-{width}")
    screenshot(page, f"leads-scan-en-{width}")

    page.locator("#code").fill(leads_day["badge"]["private"])
    page.locator("#code").press("Enter")
    page.locator("#refusal").wait_for(state="visible")
    assert "nothing was stored" in page.locator("#refusal").inner_text()
    assert page.locator("#person").is_hidden()
    page.locator("#code").fill("NOT-A-BADGE")
    page.locator("#code").press("Enter")
    page.wait_for_function("document.getElementById('refusal').textContent.indexOf('not a badge code') >= 0")
    for lang in ("de", "nl"):
        page.goto(f"/employer/e/{leads_day['slug']}/leads/scan?lang={lang}")
        page.locator("#code").fill(leads_day["badge"]["sumaiya"])
        page.locator("#code").press("Enter")
        page.locator("#person").wait_for(state="visible")
        assert page.get_by_role("group").get_by_label("4").is_checked()  # the lead saved above comes back
        screenshot(page, f"leads-scan-{lang}-{width}")
    page.goto(f"/employer/e/{leads_day['slug']}/leads?lang=en")
    assert "Polymer chemistry" in page.locator("main").inner_text()
    assert_accessible(page, f"leads-list-{width}")
    screenshot(page, f"leads-list-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_an_attendee_withdraws_a_saved_contact(page, leads_day, width):
    page.set_viewport_size({"width": width, "height": 900})
    token = leads_day["token"]["w1" if width == 1280 else "w2"]
    page.goto(f"/r/{token}?lang=en")
    section = page.locator("#saved-contacts")
    assert "Rheinmetall Lab GmbH" in section.inner_text()
    assert_accessible(page, f"leads-my-registration-{width}")
    screenshot(page, f"leads-my-registration-{width}")
    section.get_by_role("button", name=re.compile("^Withdraw")).click()
    assert "no longer has this contact" in page.locator(".flash.success").first.inner_text()
    assert page.locator("#saved-contacts").count() == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_an_attendee_rates_their_meetings(page, leads_day, width):
    page.set_viewport_size({"width": width, "height": 900})
    for lang in ("de", "nl", "en"):
        page.goto(f"{leads_day['rate']}?lang={lang}")
        screenshot(page, f"rate-{lang}-{width}")
    groups = page.locator("fieldset.rating")
    assert groups.count() >= 1
    for i in range(groups.count()):
        groups.nth(i).get_by_label(str(5 - i)).check()
    page.locator("textarea").first.fill("Gutes Gespräch, bitte mehr Zeit")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert_accessible(page, f"rate-{width}")
    page.get_by_role("button", name="Save my ratings").click()
    assert "Thank you!" in page.locator(".flash.success").first.inner_text()
    assert page.locator("fieldset.rating").first.get_by_label("5").is_checked()


def test_the_phone_camera_reads_a_badge_as_at_the_door(browser, live_server, leads_day, tmp_path):
    """The same scanner module as the door's (static/js/scanner.js): a fake camera films Ana's badge."""
    camera, page = filming(browser, live_server, leads_day["badge"]["ana"], tmp_path)
    try:
        log_in(page, *leads_day["contact"])
        page.goto(f"/employer/e/{leads_day['slug']}/leads/scan?lang=en")
        page.click("#camera-toggle")
        page.locator("#person").wait_for(state="visible")  # the polyfill loads, the camera films, the scan goes out
        assert page.locator("#person-name").inner_text() == "Ana Pérez"
        screenshot(page, "leads-camera")
        page.click("#camera-toggle")
        page.wait_for_selector("#camera", state="hidden")
        page.context.close()
    finally:
        camera.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_see_ratings_by_score_band(page, leads_day, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "admin@welcomeday.local", "welcome-admin-2026")
    for lang in ("de", "nl", "en"):
        page.goto(f"/console/e/{leads_day['past']}/meetings/ratings?lang={lang}")
        screenshot(page, f"ratings-console-{lang}-{width}")
    assert page.locator("h1").inner_text() == "Meeting ratings"
    assert page.get_by_role("columnheader", name="Matcher score").is_visible()
    assert_accessible(page, f"ratings-console-{width}")
