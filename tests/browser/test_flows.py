"""The three key flows of issue 6 in Chromium, end to end through the whole app.

1. A graduate finds the day, registers by keyboard with a non-Latin name, lands on a waiting list, confirms from
   the outbox, downloads badge and agenda and reads the calendar feed.
2. An employer applies as partner, staff accept, the employer sets a password, books a workshop slot, staff
   approve it, it is in the public programme, and the employer sees its meetings.
3. Staff publish an event, run the matching, print badges; door staff scan a badge twice (green, then amber).

Each flow saves screenshots to test-artifacts/ (flow-N-…png) and runs axe-core on the main pages it visits.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.browser.conftest import PHONE, assert_accessible, log_in, on_phone, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PlaywrightError = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed").Error
DEMO = "duesseldorf-meets-international-talents-2027"
LIMBURG = "limburg-stem-talent-day-2027"
SLOW = 30_000  # ms: generous, for a loaded 2-core machine


@pytest.fixture
def contexts(browser, live_server, request):
    """Open more browser contexts (one person each); closes them all afterwards, with a last screenshot each."""
    opened = []

    def new_page(**options):
        context = browser.new_context(**{"base_url": live_server, "viewport": {"width": 1280, "height": 900},
                                         **options})
        opened.append(context)
        page = context.new_page()
        page.set_default_timeout(SLOW)
        return page

    yield new_page
    for number, context in enumerate(opened, 1):
        for page in context.pages:
            screenshot(page, f"{request.node.name}-{number}-last")
        context.close()


def expect():
    from playwright.sync_api import expect as _expect
    _expect.set_options(timeout=SLOW)
    return _expect


def tab_to(page, element_id: str, limit: int = 200) -> None:
    """Press Tab until the element has the focus, as a keyboard user does."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def open_mail(page, to: str, subject_part: str) -> None:
    """Open the newest message to this address from the dev outbox, in this tab, as the staff who may read it
    (a tab of its own context logs in; the person's own tab stays signed out)."""
    origin = "/".join(page.url.split("/")[:3])
    staff = page.context.browser.new_context(base_url=origin)
    try:
        reader = staff.new_page()
        log_in(reader, "admin@welcomeday.local", "welcome-admin-2026")
        reader.goto("/console/dev/outbox")
        row = reader.locator("tr", has_text=to).filter(has_text=subject_part).first
        row.locator("a").click()
        reader.wait_for_load_state()
        assert_accessible(reader, "dev-outbox-message")
        html = reader.content()
    finally:
        staff.close()
    page.set_content(html)  # the message as staff saw it; its links are absolute, as in a real mail


def wait_for_pdf(request, url: str, seconds: float = 60) -> bytes:
    """Fetch until the PDF is ready (the first answer may be the "being prepared" page that reloads itself)."""
    deadline = time.monotonic() + seconds
    while True:
        response = request.get(url)
        if response.ok and response.headers.get("content-type", "").startswith("application/pdf"):
            body = response.body()
            assert body.startswith(b"%PDF"), url
            return body
        assert time.monotonic() < deadline, f"{url} did not become a PDF: {response.status}"
        time.sleep(1)


# ----------------------------------------------------------------------------------------------- flow 1


@pytest.fixture
def workshops(live_app):
    """Two workshops in the demo day at different times: one with seats, one full (its one seat is taken)."""
    from app.extensions import db
    from events.programme.models import Event
    from tests.factories import make_session, register
    with live_app.app_context():
        event = db.session.scalars(select(Event).where(Event.slug == DEMO)).one()
        suffix = str(int(time.time() * 1000))[-6:]
        open_one = make_session(event, offset_minutes=105, minutes=60, capacity=40,
                                title=f"Flow workshop: German job interviews {suffix}")
        full_one = make_session(event, offset_minutes=180, minutes=60, capacity=1,
                                title=f"Flow workshop: blue card clinic {suffix}")
        register(event, email=f"first-{suffix}@example.org", sessions=[full_one], name="Ana Pérez")
        titles = open_one.title, full_one.title
        db.session.remove()
    return titles


def test_flow_1_graduate_registers_and_gets_badge_agenda_and_calendar(page, workshops):
    expect_ = expect()
    page.set_default_timeout(SLOW)
    seat_title, full_title = workshops
    email = f"layla.{int(time.time() * 1000)}@example.org"
    name = "ليلى حسن"

    page.goto("/")
    assert_accessible(page, "flow-1-home")
    screenshot(page, "flow-1-01-home")
    page.get_by_role("link", name="Düsseldorf meets International Talents 2027").click()
    expect_(page.locator("h1")).to_contain_text("Düsseldorf meets International Talents 2027")
    assert_accessible(page, "flow-1-event")
    page.get_by_role("link", name="Register now").click()
    expect_(page.locator("h1")).to_contain_text("Register for")
    assert_accessible(page, "flow-1-register")

    # the whole form by keyboard: Tab from the top of the page, type, Space for check boxes, Enter to send
    page.locator("body").focus()
    tab_to(page, "email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(name)
    tab_to(page, "country")
    page.keyboard.type("Egypt")
    tab_to(page, "university")
    page.keyboard.type("Heinrich-Heine-Universität Düsseldorf")
    page.keyboard.press("Tab")
    page.keyboard.type("Master")
    page.keyboard.press("Tab")
    page.keyboard.type("Pharmacy")
    tab_to(page, "languages-0-code")
    page.keyboard.type("Arabic")
    page.keyboard.press("Tab")
    page.keyboard.type("native")
    tab_to(page, "seeking-0")
    page.keyboard.press("Space")
    tab_to(page, "consent_sharing")
    page.keyboard.press("Space")
    for title in (seat_title, full_title):
        box_id = page.locator("label", has_text=title).get_attribute("for")
        tab_to(page, box_id)
        page.keyboard.press("Space")
    tab_to(page, "consent_processing")
    page.keyboard.press("Space")
    assert page.input_value("#country") == "EG"
    assert page.input_value("#degree_level") == "master"
    assert page.input_value("#languages-0-code") == "ar"
    expect_(page.locator("label", has_text=full_title)).to_contain_text("full – waiting list")
    screenshot(page, "flow-1-02-register-filled")
    page.keyboard.press("Tab")  # past the privacy notice link to the button
    tab_to(page, page.evaluate("(() => { const b = document.querySelector('form.stack button[type=submit]');"
                               " b.id = b.id || 'register-button'; return b.id; })()"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect_(page).to_have_url(re.compile(r"/registered"))
    screenshot(page, "flow-1-03-registered")

    # confirm from the mail outbox
    open_mail(page, email, "Please confirm your registration")
    expect_(page.locator("pre.mail")).to_contain_text("/confirm")
    assert_accessible(page, "flow-1-mail")
    page.locator("pre.mail a", has_text="/confirm").click()
    expect_(page.locator("h1")).to_contain_text("Hello")
    expect_(page.locator("h1")).to_contain_text(name)
    expect_(page.locator("tr", has_text=seat_title)).to_contain_text("Seat")
    expect_(page.locator("tr", has_text=full_title)).to_contain_text("Waiting list: number 1")
    assert_accessible(page, "flow-1-my-registration")
    screenshot(page, "flow-1-04-my-registration")
    on_phone(page)
    screenshot(page, "flow-1-05-my-registration-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.set_viewport_size({"width": 1280, "height": 900})

    # the badge: maybe "being prepared" first, then the PDF
    badge_url = page.get_by_role("link", name="Badge (PDF, to print)").get_attribute("href")
    first = page.request.get(badge_url)
    if not first.headers.get("content-type", "").startswith("application/pdf"):
        assert "being prepared" in first.text()
        try:
            page.goto(badge_url)
            screenshot(page, "flow-1-06-badge-being-prepared")
            page.go_back()
        except PlaywrightError as exc:  # ready already: the browser downloads it instead
            assert "Download is starting" in str(exc)
    badge = wait_for_pdf(page.request, badge_url)
    assert len(badge) > 1000
    agenda_url = page.get_by_role("link", name="Download my agenda (PDF)").get_attribute("href")
    wait_for_pdf(page.request, agenda_url)

    # the personal calendar link: copy it, then read it as a calendar app would
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    feed_input = page.locator(".agenda-link input")
    feed_url = feed_input.input_value()
    assert re.search(r"/calendar/[^/]+\.ics$", feed_url), feed_url
    page.locator(".agenda-link [data-copy]").click()
    expect_(page.locator(".agenda-link [data-copy]")).to_have_text("Copied")
    response = page.request.get(feed_url)
    assert response.ok and "text/calendar" in response.headers["content-type"]
    calendar = Calendar.from_ical(response.body())
    summaries = [str(e.get("SUMMARY")) for e in calendar.walk("VEVENT")]
    assert any(seat_title in s for s in summaries), summaries
    screenshot(page, "flow-1-07-copied-calendar-link")


# ----------------------------------------------------------------------------------------------- flow 2


def _local_start(live_app, slug: str) -> datetime:
    from app.extensions import db
    from events.programme.models import Event
    with live_app.app_context():
        event = db.session.scalars(select(Event).where(Event.slug == slug)).one()
        local = event.starts_at.astimezone(ZoneInfo(event.timezone))
        db.session.remove()
    return local


def _meetings_for(live_app, organisation_name: str) -> None:
    """Staff set up the 1:1 meetings of the Limburg day with the new partner and publish them (services)."""
    from app.extensions import db
    from events.meetings import services as meetings
    from events.programme.models import Event, SessionKind
    from events.employers.models import Organisation
    with live_app.app_context():
        event = db.session.scalars(select(Event).where(Event.slug == LIMBURG)).one()
        session = next(s for s in event.sessions if s.kind == SessionKind.NETWORKING)
        organisation = db.session.scalars(select(Organisation).where(Organisation.name == organisation_name)).one()
        setup = meetings.configure(session, slot_minutes=10, changeover_minutes=5, max_meetings=2, max_wishes=5)
        meetings.set_employer(setup, organisation.id, tables=2)
        meetings.run_now(setup)
        db.session.commit()
        meetings.publish(setup)
        db.session.remove()


def test_flow_2_employer_becomes_partner_books_a_slot_and_sees_meetings(contexts, live_app):
    expect_ = expect()
    stamp = str(int(time.time() * 1000))[-6:]
    org = f"Maas Robotics {stamp} BV"
    contact = f"hr.{stamp}@maas-robotics.example"
    workshop = f"Robots in Limburg's factories {stamp}"

    employer = contexts()
    employer.goto(f"/e/{LIMBURG}/")
    employer.get_by_role("link", name=re.compile("Become a partner")).click()
    expect_(employer.locator("h1")).to_contain_text("Become a partner")
    assert_accessible(employer, "flow-2-apply")
    employer.fill("#organisation_name", org)
    employer.fill("#contact_name", "Sanne de Vries")
    employer.fill("#contact_email", contact)
    employer.fill("#offers", "Internships, thesis projects")
    employer.get_by_role("button", name="Send application").click()
    expect_(employer.locator("main")).to_contain_text(contact)
    screenshot(employer, "flow-2-01-applied")

    staff = contexts()
    log_in(staff, "staff@welcomeday.local", "welcome-staff-2026")
    staff.goto(f"/console/e/{LIMBURG}/partners")
    assert_accessible(staff, "flow-2-staff-partners")
    staff.locator("tr", has_text=org).get_by_role("button", name="Accept").click()
    expect_(staff.locator("tr", has_text=org)).to_contain_text("Accepted")
    screenshot(staff, "flow-2-02-staff-accepted")

    # staff publish a workshop slot on the slots page
    staff.goto(f"/console/e/{LIMBURG}/slots")
    local = _local_start(live_app, LIMBURG)
    start = (local + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")
    end = (local + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")
    deadline = (local - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    staff.fill("#starts_at", start)
    staff.fill("#ends_at", end)
    staff.fill("#withdraw_deadline", deadline)
    staff.get_by_role("button", name="Publish slot").click()
    expect_(staff.locator(".flash.success, .flash.info").first).to_be_visible()
    assert_accessible(staff, "flow-2-staff-slots")

    # the employer's invitation, a password, and the booking
    open_mail(employer, contact, "Your employer account")
    employer.locator("pre.mail a", has_text="/employer/invite/").click()
    assert_accessible(employer, "flow-2-invitation")
    employer.fill("#name", "Sanne de Vries")
    employer.fill("#password", "robots-in-genk-2027")
    employer.fill("#password2", "robots-in-genk-2027")
    employer.get_by_role("button", name="Create my account").click()
    employer.wait_for_load_state()
    if "/account/login" in employer.url:
        log_in(employer, contact, "robots-in-genk-2027")
    employer.goto(f"/employer/e/{LIMBURG}/")
    nav = employer.get_by_role("navigation", name="Main")
    expect_(nav.get_by_role("link", name="Employer area")).to_be_visible()
    expect_(nav.get_by_role("link", name="Staff console")).to_have_count(0)
    assert_accessible(employer, "flow-2-employer-event")
    screenshot(employer, "flow-2-03-employer-event")
    employer.get_by_role("link", name="Book").first.click()
    employer.fill("#title", workshop)
    employer.fill("#abstract", "How robots and people share the work in Genk.")
    employer.fill("#capacity", "20")
    employer.get_by_role("button", name="Book this slot").click()
    expect_(employer.locator("tr", has_text=workshop)).to_be_visible()

    staff.goto(f"/console/e/{LIMBURG}/slots")
    staff.locator(".card", has_text=workshop).get_by_role("button", name="Approve and publish").click()
    expect_(staff.locator("tr", has_text=workshop)).to_be_visible()
    screenshot(staff, "flow-2-04-staff-approved")

    employer.goto(f"/e/{LIMBURG}/")
    expect_(employer.locator("main")).to_contain_text(workshop)
    screenshot(employer, "flow-2-05-public-programme")

    _meetings_for(live_app, org)
    employer.goto(f"/employer/e/{LIMBURG}/")
    employer.get_by_role("link", name=re.compile("table schedule")).click()
    expect_(employer.locator("h1")).to_be_visible()
    expect_(employer.locator("main")).to_contain_text("Table")
    assert_accessible(employer, "flow-2-employer-meetings")
    screenshot(employer, "flow-2-06-employer-meetings")
    on_phone(employer)
    screenshot(employer, "flow-2-07-employer-meetings-phone")
    assert employer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


# ----------------------------------------------------------------------------------------------- flow 3


def _registered(live_app, slug: str, name: str) -> tuple[int, str]:
    """A confirmed attendee of the new day (set-up through the service); its event id and badge code."""
    from app.extensions import db
    from badges import services as badge_services
    from badges import tokens
    from events.programme.models import Event
    from tests.factories import register
    with live_app.app_context():
        event = db.session.scalars(select(Event).where(Event.slug == slug)).one()
        registration = register(event, name=name)
        token = tokens.token_for(badge_services.badge_for_registration(registration))
        db.session.commit()
        event_id = event.id
        db.session.remove()
    return event_id, token


def test_flow_3_staff_publish_match_print_and_door_scans(contexts, live_app):
    expect_ = expect()
    stamp = str(int(time.time() * 1000))[-6:]
    slug = f"flow-day-{stamp}"
    today = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()

    # a day happening today (so that the door is open), created as a draft and published in the console
    admin = contexts(accept_downloads=True)
    log_in(admin, "admin@welcomeday.local", "welcome-admin-2026")
    admin.goto("/console/events/new")
    admin.fill("#title", f"Flow day {stamp}")
    admin.fill("#slug", slug)
    admin.fill("#day", today)
    admin.fill("#starts", "00:00")
    admin.fill("#ends", "23:59")
    admin.get_by_role("button", name="Create as draft").click()
    expect_(admin).to_have_url(re.compile(slug))
    admin.goto(f"/console/e/{slug}/sessions/new")
    admin.fill("#title", "Welcome talk")
    admin.fill("#starts", "09:00")
    admin.fill("#ends", "10:00")
    admin.locator("form.stack button[type=submit]").click()
    admin.goto(f"/console/e/{slug}/edit")
    assert_accessible(admin, "flow-3-event-form")
    admin.get_by_role("button", name="Publish").click()
    expect_(admin.locator(".flash.success").first).to_be_visible()
    screenshot(admin, "flow-3-01-published")
    admin.goto(f"/console/e/{slug}/roles")
    admin.fill("#email", "door@welcomeday.local")
    admin.select_option("#role", "door")
    admin.get_by_role("button", name="Give the role").click()
    expect_(admin.locator("main")).to_contain_text("door@welcomeday.local")
    admin.goto("/")
    expect_(admin.locator("main")).to_contain_text(f"Flow day {stamp}")
    event_id, token = _registered(live_app, slug, "王芳")

    # matching for the demo day's networking session, through the meetings page and its background job
    admin.goto(f"/console/e/{DEMO}/meetings")
    assert_accessible(admin, "flow-3-meetings")
    admin.locator("main a[href*='/meetings/']").first.click()
    if admin.locator("form[action*='/employers']").count() == 0:
        admin.get_by_role("button", name="Save").click()
    tables = admin.locator("form[action*='/employers']")
    expect_(tables).to_be_visible()
    tables.locator("select").select_option(label="Henkel AG & Co. KGaA")
    tables.locator("input[name=tables]").fill("3")
    tables.get_by_role("button", name="Set tables").click()
    # the run answers with the job's progress bar; when the job ends the page reloads itself to show the draft
    with admin.expect_navigation(url=re.compile(r"/meetings/\d+$"), timeout=90_000):
        admin.get_by_role("button", name="Run").click()
    expect_(admin.get_by_role("heading", name="Draft", exact=True)).to_be_visible()
    assert_accessible(admin, "flow-3-meetings-draft")
    screenshot(admin, "flow-3-02-matching-draft")
    admin.check("#publish-understood")  # it says how many people get mail, and asks
    admin.get_by_role("button", name="Publish and notify everyone").click()
    expect_(admin.locator(".flash.success").first).to_be_visible()

    # print the badge sheet of the new day: a job with a progress bar, then the PDF
    admin.goto(f"/console/e/{slug}/badges")
    assert_accessible(admin, "flow-3-badges")
    admin.get_by_role("button", name="Prepare the PDF").click()
    download_link = admin.locator(".job-result a")
    expect_(download_link).to_be_visible(timeout=90_000)
    expect_(admin.locator(".job progress")).to_have_attribute("value", "100")
    screenshot(admin, "flow-3-03-badge-sheet-ready")
    with admin.expect_download() as info:
        download_link.click()
    with open(info.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    # the door on a phone: a keyboard-wedge scanner types the code, then Enter
    door = contexts(viewport=PHONE)
    log_in(door, "door@welcomeday.local", "welcome-door-2026")
    door.goto(f"/staff/events/{event_id}/door/main")
    door.wait_for_function("() => document.activeElement && document.activeElement.id === 'code'")
    assert_accessible(door, "flow-3-door")
    screenshot(door, "flow-3-04-door-phone")
    door.fill("#code", token)
    door.keyboard.press("Enter")
    # the verdict hides itself after a few seconds; the history below keeps it
    expect_(door.locator("#history li").first).to_have_class("ok")
    expect_(door.locator("#history li").first).to_contain_text("王芳")
    if door.locator("#verdict.ok").is_visible():
        screenshot(door, "flow-3-05-door-green")
    door.fill("#code", token)
    door.keyboard.press("Enter")
    expect_(door.locator("#verdict.already:not([hidden])")).to_be_visible()
    expect_(door.locator("#history li").first).to_have_class("already")
    screenshot(door, "flow-3-06-door-amber")
    assert_accessible(door, "flow-3-door-amber")
