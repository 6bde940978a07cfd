"""Browser tests: the app served by werkzeug in a thread, Chromium driven by Playwright, axe-core for a11y.

Run with ``pytest -m browser tests/browser``. They skip with a reason when Chromium or Playwright is missing.
The server has its own database (a temporary SQLite file, or TEST_BROWSER_DATABASE_URL) with the demo loaded;
screenshots go to test-artifacts/.
"""
from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
# 0: any free port (no clash when several test sessions run at once); set BROWSER_TEST_PORT to pin one
PORT = int(os.environ.get("BROWSER_TEST_PORT", "0"))
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The application the live server runs, with the demo data; tests use it (app context) for set-up."""
    from app import create_app
    from app.extensions import db
    url = os.environ.get("TEST_BROWSER_DATABASE_URL")
    if not url:
        handle, path = tempfile.mkstemp(prefix="welcomeday-browser-", suffix=".db")
        os.close(handle)
        url = f"sqlite:///{path}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "browser-tests", "MAIL_BACKEND": "memory",
                      "MAIL_SEND_AFTER_COMMIT": False, "APP_ENV": "development", "RATELIMIT_ENABLED": False,
                      "JOBS_EAGER": True,
                      "CACHE_DIR": str(tmp_path_factory.mktemp("cache"))})
    with app.app_context():
        db.drop_all()
        db.create_all()
        from events.demo import load_demo
        load_demo(attendees=60)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """live_app served on 127.0.0.1:PORT; yields its base URL (also the app's BASE_URL, for links in mails)."""
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", PORT, live_app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    live_app.config["BASE_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
    context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def on_phone(page) -> None:
    page.set_viewport_size(PHONE)


AXE = ROOT / "static" / "vendor" / "axe" / "axe.min.js"


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (served from our own copy, no network) on the page; the violations of these impacts."""
    # By URL, not inlined: the app's Content-Security-Policy runs no inline script (app/security.py).
    page.add_script_tag(url="/" + AXE.relative_to(ROOT).as_posix())
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in impacts]


def assert_accessible(page, name: str) -> None:
    violations = axe_violations(page)
    if violations:
        screenshot(page, f"{name}-axe")
    report = "\n".join(f"- {v['id']} ({v['impact']}): {v['help']}: "
                       + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                                   for n in v["nodes"][:5]) for v in violations)
    assert not violations, f"accessibility problems on {name}:\n{report}"


def log_in(page, email: str, password: str) -> None:
    page.goto("/account/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
