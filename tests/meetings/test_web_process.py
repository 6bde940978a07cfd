"""Rule 11: the web process loads no OR-Tools, numpy or pandas; the matcher loads them where it runs.

The check needs an interpreter of its own: in the test process, other tests have long imported whatever they use.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("ortools", "numpy", "pandas")

# Runs in a fresh interpreter: build the app, serve pages as each kind of user, report the heavy modules loaded;
# then run the matcher and report again.
PROBE = """
import json, sys, tempfile
from app import create_app
from app.config import TestConfig
from app.extensions import db
from events.meetings import services
from tests.employers.helpers import login, make_staff
from tests.meetings.helpers import networking_day

HEAVY = %r
directory = tempfile.mkdtemp(prefix="welcomeday-web-process-")
app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                  "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/test.db", "CACHE_DIR": directory})
report = {}
with app.app_context():
    db.create_all()
    event, setup, orgs, users, regs, _ = networking_day(attendees=4, employers=2)
    staff = make_staff(event)
    client = app.test_client()
    pages = [(None, "/"), (None, f"/e/{event.slug}/"), (None, f"/r/{regs[1].token}"),
             (None, f"/r/{regs[1].token}/meetings/{setup.session_id}"),
             (staff.email, f"/staff/events/{event.slug}/meetings"),
             (staff.email, f"/staff/events/{event.slug}/meetings/{setup.session_id}"),
             (users[0].email, "/employer/"), (users[0].email, f"/employer/e/{event.slug}/meetings")]
    for who, url in pages:
        if who:
            login(client, who)
        response = client.get(url, follow_redirects=True)
        report[url] = response.status_code
    report["web"] = [m for m in HEAVY if m in sys.modules]
    services.run_now(setup)
    report["matcher"] = [m for m in HEAVY if m in sys.modules]
print(json.dumps(report))
"""


@pytest.mark.slow  # a fresh interpreter imports the whole application
def test_web_process_loads_no_ortools_numpy_or_pandas():
    done = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    pages = {url: status for url, status in report.items() if url.startswith("/")}
    assert set(pages.values()) == {200}, pages
    assert report["web"] == [], f"the web process loaded {report['web']}"
    assert "ortools" in report["matcher"]  # the matcher does load it, where it runs
