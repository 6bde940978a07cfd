"""People's text with a RIGHT-TO-LEFT OVERRIDE (U+202E) cannot reverse the labels around it, in Chromium.

An attendee, an event, a session, a room and a door station whose names start with U+202E: on "My registration",
the console's registration list and the check-in overview, every piece of text that holds the override sits in an
isolating element of its own (``<bdi>``, ``dir="auto"``; in an ``<option>`` that also holds our labels, between
the Unicode isolates), and the labels printed after such text still read left to right on the screen.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.browser.conftest import log_in, on_phone, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
RLO = "\u202e"

# Every text node holding U+202E that is not isolated: isolated is the only text of an element whose computed
# unicode-bidi isolates it (or of an <option>), or, in plain text, between FIRST STRONG ISOLATE and POP
# DIRECTIONAL ISOLATE.
NOT_ISOLATED = """() => {
  const RLO = "\\u202e", FSI = "\\u2068", PDI = "\\u2069";
  const isolating = (el) => ["isolate", "isolate-override", "plaintext"].includes(getComputedStyle(el).unicodeBidi);
  const found = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data, at = text.indexOf(RLO);
    if (at < 0) continue;
    const between = text.lastIndexOf(FSI, at) >= 0 && text.indexOf(PDI, at) > text.lastIndexOf(FSI, at);
    const element = node.parentElement;
    // An <option> draws its text on its own: one holding nothing but people's text needs no isolation.
    const alone = (isolating(element) || element.tagName === "OPTION") && element.textContent.trim() === text.trim();
    if (!between && !alone) found.push(element.tagName + ": " + JSON.stringify(element.textContent.trim()));
  }
  return found;
}"""

# Whether some occurrence of the label is drawn left to right: each of its letters right of the one before.
READS_LEFT_TO_RIGHT = """(label) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const start = node.data.indexOf(label);
    if (start < 0) continue;
    let previous = null, ordered = true;
    for (let i = start; i < start + label.length; i++) {
      if (!node.data[i].trim()) continue;
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      if (previous && box.left < previous.left - 0.5) ordered = false;
      previous = box;
    }
    if (ordered) return true;
  }
  return false;
}"""


@pytest.fixture
def rlo_day(live_app):
    """A welcome day happening now, named with U+202E, with such a session, room, attendee and door station."""
    from sqlalchemy import select

    from app.accounts.models import EventRole, EventRoleKind, User
    from app.extensions import db
    from badges.door import checkin
    from badges import tokens
    from badges import services as badge_services
    from tests.factories import make_event, make_session, register
    with live_app.app_context():
        now = datetime.now(timezone.utc).replace(microsecond=0)
        event = make_event(title=RLO + "Evil welcome day", starts_at=now - timedelta(hours=1),
                           registration_closes_at=now + timedelta(hours=6))
        event.ends_at = event.starts_at + timedelta(hours=8)
        session = make_session(event, offset_minutes=90, capacity=20, room=RLO + "Evil room",
                               title=RLO + "Evil session")
        registration = register(event, sessions=[session], name=RLO + "Eve Evil")
        registration.attendee.badge_name = RLO + "Eve"
        registration.attendee.university = RLO + "Evil university"
        token = tokens.token_for(badge_services.badge_for_registration(registration))
        checkin.check_in(event, "main", token=token, station=RLO + "Door 2")
        staff = db.session.scalars(select(User).where(User.email == "staff@welcomeday.local")).one()
        db.session.add(EventRole(user_id=staff.id, event_id=event.id, role=EventRoleKind.STAFF))
        db.session.commit()
        ids = {"slug": event.slug, "event_id": event.id, "token": registration.token}
        db.session.remove()
    return ids


def _check(page, name: str, labels: list[str]) -> None:
    assert page.locator("body").inner_text().count(RLO) >= 1, f"{name}: the test's text is not on the page"
    assert page.evaluate(NOT_ISOLATED) == [], name
    reversed_labels = [label for label in labels if not page.evaluate(READS_LEFT_TO_RIGHT, label)]
    screenshot(page, f"bidi-{name}")
    assert not reversed_labels, f"{name}: reversed on screen: {reversed_labels}"


def test_an_override_in_a_name_does_not_reverse_the_labels_around_it(page, rlo_day):
    # My registration: "This is your personal page for <event>. Keep the link private: it is your key."
    page.goto(f"/r/{rlo_day['token']}")
    _check(page, "my-registration", ["Keep the link private"])
    on_phone(page)
    page.reload()
    _check(page, "my-registration-phone", ["Keep the link private"])
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, "staff@welcomeday.local", "welcome-staff-2026")
    # The console's list: the event's name in the breadcrumb, before its status.
    page.goto(f"/console/e/{rlo_day['slug']}/registrations")
    _check(page, "console-registrations", ["Published"])

    # The check-in overview: "Per door": the station, then its count; the breadcrumb's status.
    page.goto(f"/staff/events/{rlo_day['event_id']}/checkin")
    _check(page, "checkin-overview", ["Published"])
    station = page.locator("ul.plain li").filter(has_text="Door")
    name_box, count_box = station.locator("bdi").bounding_box(), station.locator("strong").bounding_box()
    assert name_box["x"] + name_box["width"] <= count_box["x"], "the count moved in front of the station's name"
