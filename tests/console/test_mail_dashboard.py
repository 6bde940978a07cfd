"""E-mail to a segment as a background job; the dashboard and its SVG charts; the check-in plug."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.console import plugins
from events.dashboard.figures import build
from app.jobs import Job, JobStatus
from app.mail import OutboxMessage
from tests.factories import register


@pytest.fixture
def eager_jobs(app):
    app.config["JOBS_EAGER"] = True
    yield
    app.config["JOBS_EAGER"] = False


def test_segment_mail_reaches_the_session_in_each_language(staff_client, event, db, eager_jobs):
    workshop = event.sessions[0]
    a = register(event, "a@example.org", sessions=[workshop])
    a.attendee.locale = "de"
    db.session.commit()
    register(event, "b@example.org", sessions=[workshop])
    register(event, "c@example.org")  # not in the workshop
    response = staff_client.post(f"/console/e/{event.slug}/mail", data={
        "segment": f"session:{workshop.id}", "template": "custom", "subject": "Room change",
        "body": "We moved to room B."})
    assert response.status_code == 200
    job = db.session.scalars(select(Job)).one()
    assert job.status == JobStatus.DONE and job.result["sent"] == 2
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "segment_custom")).all()
    assert sorted(m.to for m in mails) == ["a@example.org", "b@example.org"]
    assert all("We moved to room B." in m.body_text and m.subject == "Room change" for m in mails)


def test_segment_mail_validation(staff_client, event):
    response = staff_client.post(f"/console/e/{event.slug}/mail", data={"segment": "waitlisted",
                                                                       "template": "reminder"})
    assert response.status_code == 422 and "Nobody is in this group." in response.get_data(as_text=True)
    response = staff_client.post(f"/console/e/{event.slug}/mail", data={"segment": "everyone",
                                                                       "template": "custom"})
    assert response.status_code == 422
    response = staff_client.post(f"/console/e/{event.slug}/mail", data={"segment": "session:999999",
                                                                       "template": "reminder"})
    assert response.status_code == 422


def test_dashboard_renders_charts_with_titles(staff_client, event):
    for _ in range(3):
        register(event, sessions=[event.sessions[0]])
    html = staff_client.get(f"/console/e/{event.slug}/").get_data(as_text=True)
    assert html.count("<svg") >= 3 and "<title" in html and 'role="img"' in html
    assert "Seats taken and waiting lists" in html
    assert "1 of 2 sessions are full" in html  # the open talk counts, never full
    assert staff_client.get(f"/console/e/{event.slug}/dashboard/panels").status_code == 200


def test_dashboard_compares_with_last_year_and_plugs_in_check_ins(app, event, db, monkeypatch):
    from tests.factories import make_event
    last = make_event(starts_at=event.starts_at)
    for r in [register(last), register(last)]:
        r.created_at -= timedelta(days=365)
    last.starts_at -= timedelta(days=365)
    last.ends_at -= timedelta(days=365)
    event.previous_event_id = last.id
    db.session.commit()
    people = [register(event) for _ in range(4)]
    # Arrivals counted from a round ten minutes, so that buckets do not depend on the clock the test runs at.
    base = event.starts_at.replace(minute=event.starts_at.minute - event.starts_at.minute % 10, second=0)
    arrived = {people[0].id: base + timedelta(minutes=3),
               people[1].id: base + timedelta(minutes=7),
               people[2].id: base + timedelta(minutes=25)}
    monkeypatch.setitem(plugins.figures(app), "checkins", lambda e: arrived)
    d = build(event)
    assert d.last_year_event.id == last.id and d.last_year[-1][1] == 2
    assert d.checked_in == 3 and d.checkin_rate == pytest.approx(0.75)
    assert sum(n for _label, n in d.arrivals) == 3 and max(n for _label, n in d.arrivals) == 2
    from events.dashboard.figures import no_show_ids
    assert no_show_ids(event) == {people[3].id}
