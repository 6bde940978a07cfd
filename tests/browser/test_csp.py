"""The Content-Security-Policy in Chromium: the pages whose scripts moved out of the templates (dashboard, job
progress, calendar link, meeting setup) and every other page we touched run with no policy violation, and their
scripts still work: the dashboard refreshes itself, a job's bar reaches 100 %, the copy button copies, the meeting
setup reloads when its matching run is done.

Each page records ``securitypolicyviolation`` events from before its first script, and the console's CSP errors.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DEMO = "duesseldorf-meets-international-talents-2027"
ADMIN = ("admin@welcomeday.local", "welcome-admin-2026")
EMPLOYER = ("recruiting@henkel.example", "welcome-henkel-2026")

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


class Watched:
    """A browser context whose pages record CSP violations and console CSP errors."""

    def __init__(self, browser, live_server, **options):
        self.context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, **options)
        self.context.add_init_script(script=RECORD_VIOLATIONS)
        self.console: list[str] = []
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def open(self, url: str):
        """Go to ``url``; the answer must carry the policy."""
        response = self.page.goto(url)
        assert response is not None and response.ok, (url, response and response.status)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, (url, policy)
        self.page.wait_for_load_state("networkidle")
        return response

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__violations || []") + self.console

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser, live_server):
    opened = []

    def new(**options) -> Watched:
        w = Watched(browser, live_server, **options)
        opened.append(w)
        return w

    yield new
    for w in opened:
        w.close()


def expect():
    from playwright.sync_api import expect as _expect
    _expect.set_options(timeout=30_000)
    return _expect


@pytest.fixture
def csp_day(live_app):
    """A welcome day of its own (the other browser tests use the demo's): a networking session set up for 1:1
    meetings, a registration, and a badge job half done."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.extensions import db
    from app.jobs import Job, JobStatus
    from events.meetings import services as meetings
    from events.employers.models import EventPartner, Organisation, PartnerRole
    from events.programme.models import SessionKind
    from tests.factories import make_event, make_session, register
    with live_app.app_context():
        event = make_event(title="CSP check day")
        networking = make_session(event, kind=SessionKind.NETWORKING, capacity=None, title="Meet the employers")
        setup = meetings.configure(networking, slot_minutes=10, changeover_minutes=5, max_meetings=2, max_wishes=3)
        employer = Organisation(name=f"Tables of {event.slug}")
        db.session.add(employer)
        db.session.add(EventPartner(event=event, organisation=employer, role=PartnerRole.LEAD))
        db.session.commit()
        meetings.set_employer(setup, employer.id, 2)
        registration = register(event, name="Ana Pérez")
        admin = db.session.scalars(select(User).where(User.email == ADMIN[0])).one()
        job = Job(kind="badges.sheet", status=JobStatus.RUNNING, done=1, total=4, message="Drawing badges",
                  event_id=event.id, user_id=admin.id)
        db.session.add(job)
        db.session.commit()
        ids = {"slug": event.slug, "event_id": event.id, "networking": networking.id, "job": job.id,
               "token": registration.token}
        db.session.remove()
    return ids


def test_dashboard_refreshes_itself_under_the_policy(watched, live_app, csp_day):
    from tests.factories import register
    w = watched()
    w.page.clock.install()  # the refresh runs every 30 s: move the page's clock instead of waiting
    log_in(w.page, *ADMIN)
    w.open(f"/console/e/{csp_day['slug']}/")
    confirmed = w.page.locator(".kpis .kpi").nth(1).locator(".num")
    assert confirmed.inner_text() == "1"
    from app.extensions import db
    from events.programme.models import Event
    with live_app.app_context():
        event = db.session.scalars(db.select(Event).where(Event.slug == csp_day["slug"])).one()
        register(event, name="Second Person")
        db.session.remove()
    with w.page.expect_response(lambda r: r.url.endswith("/dashboard/panels") and r.ok):
        w.page.clock.fast_forward("00:31")
    expect()(confirmed).to_have_text("2")
    assert w.violations() == []


def test_job_progress_reaches_100_percent_under_the_policy(watched, live_app, csp_day, tmp_path):
    w = watched()
    log_in(w.page, *ADMIN)
    w.open(f"/console/e/{csp_day['slug']}/badges?job={csp_day['job']}")
    bar = w.page.locator(".job progress")
    expect()(bar).to_have_js_property("value", 25)
    expect()(w.page.locator(".job-message")).to_have_text("Drawing badges (1/4)")
    from app import storage
    from app.extensions import db
    from app.jobs import Job, JobStatus
    with live_app.app_context():
        storage.put("badges/csp-check.pdf", b"%PDF-1.7\n")
        job = db.session.get(Job, csp_day["job"])
        job.status, job.done, job.message = JobStatus.DONE, 4, "Done"
        job.result = {"document": "badges/csp-check.pdf", "filename": "badges.pdf", "mimetype": "application/pdf"}
        db.session.commit()
        db.session.remove()
    expect()(bar).to_have_js_property("value", 100)
    link = w.page.locator(".job-result a")
    expect()(link).to_be_visible()
    assert link.get_attribute("href").endswith(f"/console/jobs/{csp_day['job']}/result")
    screenshot(w.page, "csp-job-done")
    assert w.violations() == []


def test_calendar_link_copies_under_the_policy(watched, live_server, csp_day):
    w = watched()
    w.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    w.open(f"/r/{csp_day['token']}")
    field = w.page.locator(".agenda-link input")
    link = field.input_value()
    assert link.startswith(live_server + "/calendar/")
    field.focus()  # focusing the field selects the whole link
    assert w.page.evaluate("() => { const i = document.querySelector('.agenda-link input');"
                           " return [i.selectionStart, i.selectionEnd]; }") == [0, len(link)]
    button = w.page.locator(".agenda-link [data-copy]")
    button.click()
    expect()(button).to_have_text("Copied")
    assert w.page.evaluate("() => navigator.clipboard.readText()") == link
    assert w.violations() == []


def test_meeting_setup_reloads_when_its_run_is_done_under_the_policy(watched, csp_day):
    w = watched()
    log_in(w.page, *ADMIN)
    setup = f"/console/e/{csp_day['slug']}/meetings/{csp_day['networking']}"
    w.open(setup)
    polled = []
    w.page.on("request", lambda r: polled.append(r.url) if "/console/jobs/" in r.url else None)
    w.page.click("form[action$='/run'] button[type=submit]")
    # The run redirects to ?job=<id>; jobs.js polls the job and, done, reloads the page without its ?job=.
    w.page.wait_for_url(lambda url: url.endswith(setup) and polled != [])
    expect()(w.page.get_by_role("heading", name="Draft", exact=True)).to_be_visible()
    assert any("/console/jobs/" in url for url in polled)
    assert w.violations() == []


# Every other page that changed: no violation anywhere (a style attribute left in a template, or written by
# Python into a page, would show here).
PUBLIC = ["/", f"/e/{DEMO}/", f"/e/{DEMO}/register", f"/e/{DEMO}/privacy", f"/e/{DEMO}/partner",
          "/account/login", "/e/{slug}/registered?email=a@example.org", "/r/{token}/profile", "/r/{token}/cancel",
          "/r/{token}/delete"]
STAFF = ["/console/", f"/console/e/{DEMO}/", f"/console/e/{DEMO}/registrations", f"/console/e/{DEMO}/sessions",
         f"/console/e/{DEMO}/edit", f"/console/e/{DEMO}/registrations/new", f"/console/e/{DEMO}/import",
         f"/console/e/{DEMO}/export", f"/console/e/{DEMO}/mail", f"/console/e/{DEMO}/roles",
         f"/console/e/{DEMO}/audit", "/console/audit", "/staff/checkin", "/staff/events/{event_id}/checkin",
         "/console/e/{slug}/badges", f"/console/e/{DEMO}/meetings", f"/console/e/{DEMO}/partners",
         f"/console/e/{DEMO}/slots", "/account/security", "/console/dev/outbox"]
EMPLOYER_PAGES = ["/employer/", "/employer/agenda", f"/employer/e/{DEMO}/", "/employer/profile",
                  f"/employer/e/{DEMO}/meetings"]


def test_no_page_violates_the_policy(watched, csp_day):
    problems = {}
    for account, urls in ((None, PUBLIC), (ADMIN, STAFF), (EMPLOYER, EMPLOYER_PAGES)):
        w = watched()
        if account:
            log_in(w.page, *account)
        for url in urls:
            url = url.format(**csp_day)
            w.open(url)
            found = w.violations()
            if found:
                problems[url] = found
    missing = watched()
    response = missing.page.goto("/no/such/page")
    assert response.status == 404 and "frame-ancestors 'none'" in response.headers["content-security-policy"]
    if missing.violations():
        problems["404"] = missing.violations()
    assert not problems, problems


def test_a_page_with_a_stray_inline_style_would_be_caught(watched, live_app, csp_day):
    """The recording above works: an inline style and an inline script put into a page are refused and
    reported (so an empty list means no violation, not a deaf listener)."""
    w = watched()
    w.open("/")
    w.page.evaluate("""() => {
        const p = document.createElement('p'); p.setAttribute('style', 'color: red'); document.body.append(p);
        const s = document.createElement('script'); s.textContent = 'window.__ran = true'; document.body.append(s);
    }""")
    expect()(w.page.locator("body")).to_be_visible()
    w.page.wait_for_function("() => window.__violations.length >= 2")
    assert w.page.evaluate("() => window.__ran === undefined")
    found = w.violations()
    assert any(v.startswith("style-src") for v in found) and any(v.startswith("script-src") for v in found), found
