"""The door page in Chromium: a keyboard-wedge scan shows the green verdict, the second scan the amber one."""
from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

from app.accounts.models import EventRoleKind
from badges import services, tokens
from tests.badges.helpers import live_event, staff_user
from tests.factories import register

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


def test_door_page_scan_shows_green_then_amber(db, live_server, browser):
    event = live_event()
    registration = register(event, name="Ngozi Okafor")
    token = tokens.token_for(services.badge_for_registration(registration))
    staff_user(event, "door-browser@example.org", EventRoleKind.DOOR)
    event_id = event.id
    # end our transaction: on SQLite every transaction holds the write lock (BEGIN IMMEDIATE)
    db.session.commit()

    context = browser.new_context()  # the session's Chromium (tests/conftest.py), which skips when missing
    try:
        page = context.new_page()
        page.goto(f"{live_server}/account/login")
        page.fill("input[name=email]", "door-browser@example.org")
        page.fill("input[name=password]", "door-password-123")
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        page.goto(f"{live_server}/staff/events/{event_id}/door/main?station=Door%202")
        page.wait_for_function("document.activeElement && document.activeElement.id === 'code'")
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
