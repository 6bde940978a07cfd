"""Walk-ins at several doors at once never overbook the day: through the real HTTP path (a threaded server, one
thread per request), door staff register walk-ins for the last places all at the same moment."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from app.accounts.models import EventRoleKind
from badges.models import CheckIn
from events.registration.models import HOLDS_PLACE, Registration
from tests.badges.helpers import live_event, staff_user
from tests.factories import register
from tests.live import live_server

pytestmark = pytest.mark.slow


@pytest.fixture
def eager_jobs(app):
    """The label each check-in starts is drawn in its request, not in a thread that outlives the test."""
    app.config["JOBS_EAGER"] = True
    yield
    app.config["JOBS_EAGER"] = False
DOORS = 8
CAPACITY = 5


def test_doors_racing_for_the_last_places_never_overbook(app, db, eager_jobs):
    event = live_event(capacity=CAPACITY)
    for n in range(CAPACITY - 2):
        register(event, f"early{n}@example.org")
    for n in range(DOORS):
        staff_user(event, f"door{n}@example.org", EventRoleKind.DOOR)
    slug, event_id = event.slug, event.id
    db.session.close()
    barrier = threading.Barrier(DOORS)

    def walk_in(n: int) -> tuple[int, str]:
        with requests.Session() as http:
            http.post(f"{base}/account/login", data={"email": f"door{n}@example.org",
                                                      "password": "door-password-123"}, timeout=60)
            barrier.wait()
            response = http.post(f"{base}/console/e/{slug}/door/walk-in", allow_redirects=False, timeout=60, data={
                "full_name": f"Walker {n}", "email": f"walker{n}@example.org", "consent_processing": "y",
                "country": "", "locale": "en"})
            return response.status_code, response.text

    with live_server(app) as base, ThreadPoolExecutor(max_workers=DOORS) as pool:
        results = list(pool.map(walk_in, range(DOORS), timeout=120))

    statuses = sorted(status for status, _ in results)
    assert statuses == [303] * 2 + [422] * (DOORS - 2), results
    assert all("The day is full (5 of 5 places taken)" in text for status, text in results if status == 422)
    holding = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status.in_(HOLDS_PLACE)))
    assert holding == CAPACITY
    walk_ins = db.session.scalars(select(Registration).where(Registration.walk_in.is_(True))).all()
    assert len(walk_ins) == 2
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 2
