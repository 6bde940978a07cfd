"""The door page's camera mode in Chromium, with a fake camera that films a printed badge's QR code.

Chromium reads the "camera" from a Y4M video (``--use-file-for-fake-video-capture``); on Linux it has no native
BarcodeDetector, so this runs the self-hosted polyfill (ZXing-C++ in WebAssembly, served by the app), which is also
what works offline at the door.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PlaywrightTimeout = pytest.importorskip("playwright.sync_api",
                                        reason="playwright (python) is not installed").TimeoutError

WIDTH, HEIGHT = 640, 480


def write_y4m(path, text: str, frames: int = 10) -> None:
    """A still video of the QR code of ``text``, black on white, as a badge holds it up to a phone."""
    import qrcode
    from PIL import Image
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, box_size=10, border=4)
    code.add_data(text)
    picture = code.make_image(fill_color="black", back_color="white").convert("L")
    side = min(HEIGHT - 40, picture.size[0])
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(picture.resize((side, side), Image.NEAREST), ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)


def filming(browser, live_server, text: str, folder):
    """A second Chromium whose camera films the QR code of ``text``, and a page of it at phone width (the caller
    closes the browser)."""
    video = folder / "badge.y4m"
    write_y4m(video, text)
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"])
    context = camera.new_context(base_url=live_server, viewport=PHONE, permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(30_000)
    return camera, page


@pytest.fixture
def door_day(live_app):
    """A welcome day happening now, a confirmed attendee with a badge, and the demo's door user on its door."""
    from app.accounts.models import EventRole, EventRoleKind, User
    from app.extensions import db
    from badges import services as badge_services
    from badges import tokens
    from sqlalchemy import select
    from tests.factories import make_event, register
    with live_app.app_context():
        now = datetime.now(timezone.utc).replace(microsecond=0)
        event = make_event(starts_at=now - timedelta(hours=1), registration_closes_at=now + timedelta(hours=6))
        event.ends_at = event.starts_at + timedelta(hours=8)
        registration = register(event, name="Nguyễn Văn An")
        token = tokens.token_for(badge_services.badge_for_registration(registration))
        door = db.session.scalars(select(User).where(User.email == "door@welcomeday.local")).one()
        db.session.add(EventRole(user_id=door.id, event_id=event.id, role=EventRoleKind.DOOR))
        db.session.commit()
        slug = event.slug
        db.session.remove()
    return slug, token


def test_door_camera_reads_a_badge_and_checks_in(browser, live_server, door_day, tmp_path):
    slug, token = door_day
    camera, page = filming(browser, live_server, token, tmp_path)
    try:
        log_in(page, "door@welcomeday.local", "welcome-door-2026")
        page.goto(f"/console/e/{slug}/door/main")
        page.click("#camera-toggle")
        first = page.locator("#history li").first
        first.wait_for()  # the polyfill loads, the fake camera films the badge, the scan goes out
        assert "ok" in first.get_attribute("class")
        assert "Nguyễn Văn An" in first.inner_text()
        screenshot(page, "door-camera-green")
        # Stop the camera as door staff would: tap the verdict away, then the Camera button. The camera still films
        # the badge, so an amber "already" verdict may cover the page again (after 3 s): tap that away too.
        for _ in range(5):
            if page.locator("#verdict:not([hidden])").count():
                page.click("#verdict")
            try:
                page.click("#camera-toggle", timeout=2000)
                break
            except PlaywrightTimeout:
                continue
        else:
            raise AssertionError("the camera could not be stopped: a verdict kept covering the page")
        page.wait_for_selector("#camera", state="hidden")
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'code'")
        page.context.close()
    finally:
        camera.close()
