"""A job whose process died is reported failed ("lost"), never "running" forever, and can be retried; a runner of
an earlier attempt can no longer write to the job."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import queue
from app.extensions import utcnow
from app.jobs import LOST, Job, JobContext, JobStatus, enqueue, reap_lost, retry
from app.mail import OutboxMessage, SEND_JOB_WAITING, memory_outbox, queue_mail
from tests.badges.helpers import live_event
from tests.roles import login, team_for


def _running(db, event, user, *, beat_ago: timedelta) -> Job:
    job = Job(kind="badges.sheet", status=JobStatus.RUNNING, event_id=event.id, user_id=user.id,
              params={"event": event.id, "layout": "2x5"}, started_at=utcnow() - beat_ago,
              heartbeat_at=utcnow() - beat_ago, done=3, total=10)
    db.session.add(job)
    db.session.commit()
    return job


def test_a_job_without_heartbeat_is_reported_failed_and_is_retried(app, db, client):
    event = live_event()
    team = team_for(event)
    alive = _running(db, event, team["staff"], beat_ago=timedelta(seconds=5))
    lost = _running(db, event, team["staff"], beat_ago=timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 1))
    login(client, team["staff"])
    assert client.get(f"/console/jobs/{alive.id}").json["status"] == "running"
    answer = client.get(f"/console/jobs/{lost.id}").json
    assert answer["status"] == "failed" and answer["error"] == LOST and answer["retryable"]
    assert answer["retry_url"] == f"/console/jobs/{lost.id}/retry"
    page = client.get("/console/jobs/")
    assert page.status_code == 200 and "Retry" in page.text and LOST in page.text

    app.config["JOBS_EAGER"] = True  # the retried job runs here, to its end
    try:
        response = client.post(f"/console/jobs/{lost.id}/retry",
                               data={"next": f"/console/e/{event.slug}/badges?job={lost.id}"})
    finally:
        app.config["JOBS_EAGER"] = False
    assert response.status_code == 303 and response.location.endswith(f"/badges?job={lost.id}")
    db.session.expire_all()
    job = db.session.get(Job, lost.id)
    assert job.status == JobStatus.DONE and job.attempt == 2 and job.error == "" and job.result["document"]
    assert client.get(f"/console/jobs/{lost.id}/result").data.startswith(b"%PDF")
    # a done job is not retried; an outside address is not followed
    again = client.post(f"/console/jobs/{lost.id}/retry", data={"next": "//evil.example/"})
    assert again.status_code == 303 and again.location.endswith("/console/jobs/")
    assert db.session.get(Job, lost.id).attempt == 2
    assert client.post(f"/console/jobs/{lost.id}/retry", headers={"Accept": "application/json"}).status_code == 409


def test_the_runner_of_an_earlier_attempt_writes_nothing(app, db):
    event = live_event()
    team = team_for(event)
    job = _running(db, event, team["admin"], beat_ago=timedelta(hours=1))
    assert reap_lost() == 1
    db.session.expire_all()
    app.config["JOBS_EAGER"] = True  # the new attempt runs here, to its end
    try:
        assert retry(db.session.get(Job, job.id)) is True
    finally:
        app.config["JOBS_EAGER"] = False
    JobContext(job.id, attempt=1).finish_with(count=99)  # the old runner wakes up
    JobContext(job.id, attempt=1)._update(status=JobStatus.DONE)
    db.session.expire_all()
    current = db.session.get(Job, job.id)
    assert current.attempt == 2 and current.status == JobStatus.DONE and current.result.get("count") != 99


def test_someone_else_cannot_retry(app, db, client):
    event = live_event()
    team = team_for(event)
    job = _running(db, event, team["staff"], beat_ago=timedelta(hours=1))
    login(client, team["other_staff"])
    assert client.post(f"/console/jobs/{job.id}/retry").status_code == 404
    assert "badges.sheet" not in client.get("/console/jobs/").text


def test_a_job_queued_on_rq_that_rq_lost_is_reported_failed(app, db, on_redis):
    event = live_event()
    team = team_for(event)
    kept = enqueue("badges.sheet", event_id=event.id, user_id=team["admin"].id, event=event.id, layout="2x5")
    gone = enqueue("badges.sheet", event_id=event.id, user_id=team["admin"].id, event=event.id, layout="2x5")
    assert queue.queue().count == 2 and kept.heartbeat_at is None
    on_redis.delete(f"rq:job:welcomeday-job-{gone.id}-1")  # e.g. Redis restarted without its data
    long_ago = utcnow() - timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 1)
    db.session.execute(Job.__table__.update().values(created_at=long_ago))
    db.session.commit()
    assert reap_lost() == 1
    db.session.expire_all()
    assert db.session.get(Job, kept.id).status == JobStatus.QUEUED
    assert db.session.get(Job, gone.id).status == JobStatus.FAILED and db.session.get(Job, gone.id).error == LOST


def test_with_redis_a_worker_sends_the_mail_not_the_web_process(app, db, on_redis):
    user = team_for(live_event())["user"]
    app.config["MAIL_SEND_AFTER_COMMIT"] = True
    memory_outbox().clear()
    for n in range(3):  # three commits with mail while no worker runs: one job waits for them
        queue_mail(f"person{n}@example.org", "password_reset", user=user, token="t" * 20, minutes=60)
        db.session.commit()
    waiting = queue.queue().get_jobs()
    assert [job.func_name for job in waiting] == ["app.mail.send_outbox_job"]
    assert memory_outbox() == [] and on_redis.exists(SEND_JOB_WAITING)
    waiting[0].perform()  # what `flask --app wsgi worker` does with it
    assert sorted(m["To"] for m in memory_outbox()) == [f"person{n}@example.org" for n in range(3)]
    assert not on_redis.exists(SEND_JOB_WAITING)
    assert all(m.sent_at for m in db.session.scalars(select(OutboxMessage)))
