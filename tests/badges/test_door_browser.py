"""The door page in Chromium: a keyboard-wedge scan shows the green verdict, the second scan the amber one;
people's text cannot reorder the page's labels; scans made offline are uploaded with their nonces when the network
is back."""
from __future__ import annotations

import json
import os
import re
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app.accounts.models import EventRoleKind
from badges.door.inputs import NONCE_PATTERN
from badges import services, tokens
from badges.models import CheckIn, ScanLog
from tests.badges.helpers import live_event, staff_user
from tests.factories import make_session, register

PORT = int(os.environ.get("BADGES_BROWSER_TEST_PORT", "0"))  # 0: any free port

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live_server(app, db):
    server = make_server("127.0.0.1", PORT, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def _sign_in(page, live_server, email):
    page.goto(f"{live_server}/account/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "door-password-123")
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def test_door_page_scan_shows_green_then_amber(db, live_server, browser):
    event = live_event()
    registration = register(event, name="Ngozi Okafor")
    token = tokens.token_for(services.badge_for_registration(registration))
    staff_user(event, "door-browser@example.org", EventRoleKind.DOOR)
    event_id, slug = event.id, event.slug
    # end our transaction: on SQLite every transaction holds the write lock (BEGIN IMMEDIATE)
    db.session.commit()

    context = browser.new_context()  # the session's Chromium (tests/conftest.py), which skips when missing
    try:
        page = context.new_page()
        _sign_in(page, live_server, "door-browser@example.org")
        page.goto(f"{live_server}/console/e/{slug}/door/main?station=Door%202")
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'code'")
        page.keyboard.type(token)  # what a keyboard-wedge scanner does: the code, then Enter
        page.keyboard.press("Enter")
        page.wait_for_selector("#verdict.ok:not([hidden])", timeout=10000)
        assert "Ngozi Okafor" in page.inner_text("#verdict")
        page.keyboard.type(token)  # the next scan is ready at once: focus stayed in the input
        page.keyboard.press("Enter")
        page.wait_for_selector("#verdict.already:not([hidden])", timeout=10000)
        assert "Door 2" in page.inner_text("#verdict")
        page.keyboard.type(token[:-1] + ("A" if token[-1] != "A" else "B"))
        page.keyboard.press("Enter")
        page.wait_for_selector("#verdict.rejected:not([hidden])", timeout=10000)
        assert "Invalid code" in page.inner_text("#verdict")
    finally:
        context.close()


# RIGHT-TO-LEFT OVERRIDE: what follows it, to the end of its paragraph or isolate, runs right to left
RLO = "\u202e"

# The left edge of each character of ``label`` where it is drawn inside ``selector`` (the first text node that holds
# it), or null. Drawn left to right, the edges grow; reordered by a bidi override, they shrink.
GLYPHS = """([selector, label]) => {
  const root = document.querySelector(selector);
  if (!root) return null;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(label);
    if (at < 0) continue;
    return Array.from(label, (ch, i) => {
      const range = document.createRange();
      range.setStart(node, at + i); range.setEnd(node, at + i + 1);
      return ch === " " ? null : range.getBoundingClientRect().left;
    }).filter((x) => x !== null);
  }
  return null;
}"""


def _left_to_right(edges) -> bool:
    return bool(edges) and all(a < b for a, b in zip(edges, edges[1:]))


def test_bidi_controls_in_names_stay_inside_the_name(db, live_server, browser):
    """The finding: a name with U+202E turned "Already checked in" around in the door's list of recent scans.

    Every piece of people's text (name, organisation, session titles, station) sits in an isolating <bdi>; the
    labels around it keep their order, as drawn by Chromium."""
    event = live_event()
    first = make_session(event, offset_minutes=60, title=RLO + "Workshop Alpha")
    second = make_session(event, offset_minutes=180, title="Workshop Beta")
    registration = register(event, name=RLO + "Amira Haddad", sessions=[first, second])
    registration.attendee.university = RLO + "Universiteit Maastricht"
    token = tokens.token_for(services.badge_for_registration(registration))
    staff_user(event, "door-bidi@example.org", EventRoleKind.DOOR)
    event_id, slug = event.id, event.slug
    db.session.commit()  # on SQLite every transaction holds the write lock (BEGIN IMMEDIATE)

    context = browser.new_context()
    try:
        page = context.new_page()
        _sign_in(page, live_server, "door-bidi@example.org")
        page.goto(f"{live_server}/console/e/{slug}/door/main?station={RLO}Door%202")
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'code'")
        page.keyboard.type(token)
        with page.expect_request(lambda r: r.url.endswith("/door/main/scan")) as sent:
            page.keyboard.press("Enter")
        # the nonce the door page makes is one the server takes (16 to 64 of [A-Za-z0-9_-])
        nonce = json.loads(sent.value.post_data)["nonce"]
        assert re.fullmatch(NONCE_PATTERN, nonce) and re.fullmatch(r"[0-9a-f]{32}", nonce)
        # measured while the green verdict shows (it hides itself after a few seconds)
        green = page.wait_for_function("""() => {
          const box = document.querySelector("#verdict.ok:not([hidden])");
          if (!box) return null;
          const measure = """ + GLYPHS + """;
          return {name: [...box.querySelectorAll("#verdict-name bdi")].map((b) => b.textContent),
                  org: [...box.querySelectorAll("#verdict-org bdi")].map((b) => b.textContent),
                  sessions: [...box.querySelectorAll("#verdict-detail bdi")].map((b) => b.textContent),
                  title: box.querySelector("#verdict-title").textContent,
                  second: measure(["#verdict-detail", "Workshop Beta"]),
                  label: measure(["#verdict-detail", "Registered for:"])};
        }""", timeout=10000).json_value()
        assert green["title"] == "Welcome"
        assert green["name"] == [RLO + "Amira Haddad"] and green["org"] == [RLO + "Universiteit Maastricht"]
        assert green["sessions"] == [RLO + "Workshop Alpha", "Workshop Beta"]
        # the first title's override ends with its <bdi>: the label and the second title read left to right
        assert _left_to_right(green["label"]) and _left_to_right(green["second"]), green

        page.keyboard.type(token)
        page.keyboard.press("Enter")
        amber = page.wait_for_function("""() => {
          const box = document.querySelector("#verdict.already:not([hidden])");
          return box && {title: box.querySelector("#verdict-title").textContent,
                         station: [...box.querySelectorAll("#verdict-detail bdi")].map((b) => b.textContent)};
        }""", timeout=10000).json_value()
        assert amber == {"title": "Already checked in", "station": [RLO + "Door 2"]}

        # the recent scans: time · name · label, in that order on the screen, each label as written
        rows = page.eval_on_selector_all("#history li", """(items) => items.map((li) => ({
          text: li.textContent, names: [...li.querySelectorAll("bdi")].map((b) => b.textContent)}))""")
        assert len(rows) == 2
        for row, label in zip(rows, ("Already checked in", "Welcome")):
            assert row["names"] == [RLO + "Amira Haddad"] and row["text"].endswith(" · " + label)
        already = page.evaluate(GLYPHS, ["#history li:first-child", "Already checked in"])
        welcome = page.evaluate(GLYPHS, ["#history li:last-child", "Welcome"])
        assert _left_to_right(already) and _left_to_right(welcome), (already, welcome)
        name_left = page.evaluate("""() => {
          const range = document.createRange();
          range.selectNodeContents(document.querySelector("#history li:first-child bdi"));
          return range.getBoundingClientRect().left; }""")
        assert name_left < already[0]  # the name stays before its label
        # the door's heading isolates the station from the URL as well
        assert page.inner_text(".door-head bdi >> nth=1") == RLO + "Door 2"
    finally:
        context.close()


def test_scans_made_offline_are_uploaded_with_their_nonces(db, live_server, browser):
    """The door page loses the network, admits a badge from its roster, queues the scan and uploads it when the
    network is back: the server logs it once, as an offline scan of this door user, and checks the holder in."""
    event = live_event()
    registration = register(event, name="Olu Offline")
    token = tokens.token_for(services.badge_for_registration(registration))
    user = staff_user(event, "door-offline@example.org", EventRoleKind.DOOR)
    event_id, slug, user_id, holder = event.id, event.slug, user.id, f"r{registration.id}"
    db.session.commit()

    context = browser.new_context()
    try:
        page = context.new_page()
        _sign_in(page, live_server, "door-offline@example.org")
        page.goto(f"{live_server}/console/e/{slug}/door/main")
        page.wait_for_function("() => document.getElementById('roster-age').textContent.indexOf('list from') === 0")
        context.set_offline(True)
        page.wait_for_selector("#net.bad")
        page.keyboard.type(token)
        page.keyboard.press("Enter")
        page.wait_for_selector("#verdict.ok:not([hidden])", timeout=10000)
        assert "offline" in page.inner_text("#verdict-detail")
        queued = page.evaluate(f"JSON.parse(localStorage.getItem('wd-queue-{event_id}'))")
        assert len(queued) == 1 and queued[0]["offline_status"] == "ok"
        assert re.fullmatch(NONCE_PATTERN, queued[0]["nonce"])
        context.set_offline(False)
        # A function, not an expression: Playwright evals expressions, which the page's CSP forbids.
        page.wait_for_function(f"() => JSON.parse(localStorage.getItem('wd-queue-{event_id}')).length === 0",
                               timeout=15000)
    finally:
        context.close()
    db.session.expire_all()
    logs = db.session.scalars(select(ScanLog)).all()
    assert [(log.nonce, log.scope, log.offline, log.result.value) for log in logs] == [
        (queued[0]["nonce"], f"user-{user_id}", True, "ok")]
    assert db.session.scalars(select(CheckIn.holder)).all() == [holder]
    db.session.commit()
