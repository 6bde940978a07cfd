"""Background jobs with progress: batch badges, matching, mass e-mail.

A job is a row (``Job``) that a worker updates as it goes, so progress is visible from any process. With
REDIS_URL set (production) jobs run on an RQ queue (start workers with ``flask --app wsgi worker`` on any number of
machines); without it (development, ``make run``) they run in a small pool of local threads. Either way a web
request only creates the row and returns; the page polls ``/console/jobs/<id>`` for progress.

A job that was lost (its worker or web process died or restarted) never stays "running": the process that holds
a job, queued in its threads or running, writes the row's ``heartbeat_at`` every JOB_LEASE_SECONDS / 4, and a job
whose heartbeat is older than JOB_LEASE_SECONDS is reported failed ("lost") when anyone looks at it
(``reap_lost``); a job queued on RQ that RQ no longer holds is reported the same way. A failed job can be retried
(``retry``, the Retry button of the job pages): the same row is queued again, and a runner of an earlier attempt
that still lives can no longer write to it.

Write a job:

    def build_sheet(ctx: JobContext, event_id: int, layout: str):
        for i, item in enumerate(items):
            ...
            ctx.progress(i + 1, len(items), "rendering badges")
        ctx.finish_with_document(document.key, filename="badges.pdf", mimetype="application/pdf")

name it in the feature's ``init_app`` with ``jobs.add_handler(app, "badges.sheet", build_sheet)``, and start it
with ``enqueue("badges.sheet", event_id=…, user_id=current_user.id, layout="2x4")``. The handlers and the thread
pool belong to the application (``app.extensions["welcomeday.jobs"]``), not to the process: nothing is
registered by importing a module.
"""
from __future__ import annotations

import enum
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

import click
from flask import Flask, current_app
from rq import Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, select, true, update
from sqlalchemy.orm import Mapped, mapped_column

from app import queue
from app.extensions import UTCDateTime, db, str_enum, utcnow

log = logging.getLogger("welcomeday.jobs")


class JobStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, "job_status", 16), default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(300), default="")
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written by the process that holds the job (see the module's docstring); None: queued on RQ, not started.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 1 for the first run, one more for every retry; a runner writes only to the attempt it runs.
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def retryable(self) -> bool:
        return self.status == JobStatus.FAILED

    def to_json(self, result_url: str | None = None, retry_url: str | None = None) -> dict:
        return {
            "id": self.id, "kind": self.kind, "status": self.status.value, "done": self.done, "total": self.total,
            "percent": self.percent, "message": self.message, "error": self.error, "attempt": self.attempt,
            "result_url": result_url if self.status == JobStatus.DONE and self.result.get("document") else None,
            "retryable": self.retryable, "retry_url": retry_url if self.retryable else None,
            "result": {k: v for k, v in (self.result or {}).items() if k != "document"},
        }


LOST = "lost: the process that ran this job stopped before it finished"


def lease() -> timedelta:
    return timedelta(seconds=current_app.config.get("JOB_LEASE_SECONDS", 60))


@dataclass
class Heartbeat:
    """The jobs this process holds (queued in its threads or running), whose rows it keeps alive."""
    app: Flask
    held: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    thread: threading.Thread | None = None

    def hold(self, job_id: int) -> None:
        with self.lock:
            self.held.add(job_id)
            if self.thread is None or not self.thread.is_alive():  # also after a fork (the RQ work horse)
                self.thread = threading.Thread(target=self._beat, name="job-heartbeat", daemon=True)
                self.thread.start()

    def release(self, job_id: int) -> None:
        with self.lock:
            self.held.discard(job_id)

    def _beat(self) -> None:
        interval = self.app.config.get("JOB_LEASE_SECONDS", 60) / 4
        while True:
            time.sleep(interval)
            with self.lock:
                ids = sorted(self.held)
            if not ids:
                continue
            try:
                with self.app.app_context(), db.engine.begin() as conn:  # its own short transaction
                    conn.execute(update(Job.__table__).where(Job.__table__.c.id.in_(ids)).values(
                        heartbeat_at=utcnow()))
            except Exception:  # noqa: BLE001 - a missed beat is retried; the lease is four beats long
                log.warning("job heartbeat failed", exc_info=True)


@dataclass
class JobRunner:
    """One application's job handlers (kind -> function) and the threads that run its jobs without Redis."""
    handlers: dict[str, Callable] = field(default_factory=dict)
    labels: dict[str, object] = field(default_factory=dict)  # kind -> what the job pages call it (lazy text)
    pool: ThreadPoolExecutor | None = None
    pool_lock: threading.Lock = field(default_factory=threading.Lock)
    heartbeat: Heartbeat | None = None

    def thread_pool(self) -> ThreadPoolExecutor:
        with self.pool_lock:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="job")
            return self.pool


def runner(app: Flask) -> JobRunner:
    if "welcomeday.jobs" not in app.extensions:
        app.extensions["welcomeday.jobs"] = JobRunner()
    found = app.extensions["welcomeday.jobs"]
    if found.heartbeat is None:
        found.heartbeat = Heartbeat(app)
    return found


def add_handler(app: Flask, kind: str, func: Callable, label: object = None) -> None:
    """Name the function that runs jobs of ``kind`` (called by each feature's ``init_app``), and what the job pages
    call such a job (a lazy_gettext text; the kind itself when None)."""
    runner(app).handlers[kind] = func
    if label is not None:
        runner(app).labels[kind] = label


class JobContext:
    """What a running job uses to report progress; each report commits on its own, briefly, and only while the
    row is still this attempt's (a job reported lost and retried is no longer written by its old runner)."""

    def __init__(self, job_id: int, attempt: int = 1):
        self.job_id = job_id
        self.attempt = attempt
        self._last = 0.0

    def _update(self, **values) -> None:
        db.session.execute(db.update(Job).where(Job.id == self.job_id, Job.attempt == self.attempt)
                           .values(heartbeat_at=utcnow(), **values))
        db.session.commit()

    def progress(self, done: int, total: int, message: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if force or done >= total or now - self._last > 0.25:  # at most four writes a second
            self._last = now
            self._update(done=done, total=total, message=message[:300])

    def finish_with_document(self, key: str, *, filename: str, mimetype: str, **extra) -> None:
        """The job's result is a document in the document store (app/storage.py), readable from every node."""
        self._update(result={"document": key, "filename": filename, "mimetype": mimetype, **extra})

    def finish_with(self, **result) -> None:
        self._update(result=result)


def run_job(job_id: int, *, own_session: bool = True) -> None:
    """Run one job to its end (inside an application context). ``own_session`` False (JOBS_EAGER, inside a
    request) leaves the caller's session open instead of removing it."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return
    job.status, job.started_at, job.heartbeat_at = JobStatus.RUNNING, utcnow(), utcnow()
    kind, params, attempt = job.kind, dict(job.params or {}), job.attempt
    db.session.commit()
    heartbeat = runner(current_app).heartbeat
    heartbeat.hold(job_id)
    ctx = JobContext(job_id, attempt)
    try:
        runner(current_app).handlers[kind](ctx, **params)
    except Exception as exc:  # noqa: BLE001 - a failed job is reported on its page, not lost
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, kind)
        ctx._update(status=JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=utcnow())
    else:
        ctx._update(status=JobStatus.DONE, finished_at=utcnow())
    finally:
        heartbeat.release(job_id)
        if own_session:
            db.session.remove()


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            runner(app).heartbeat.release(job_id)


class AppWorker(Worker):
    """An RQ worker that runs every job inside the application it was started from (``flask --app wsgi
    worker``), so a job sees that application's configuration and handlers."""

    app: Flask

    def perform_job(self, *args, **kwargs):
        with self.app.app_context():
            for engine in db.engines.values():  # a forked work horse opens connections of its own
                engine.dispose(close=False)
            return super().perform_job(*args, **kwargs)


def _rq_id(job: Job) -> str:
    return f"welcomeday-job-{job.id}-{job.attempt}"


def _dispatch(job: Job) -> None:
    """Hand a committed, queued job to RQ, the test's eager runner or this process's threads."""
    app = current_app._get_current_object()
    if app.config.get("JOBS_EAGER"):
        run_job(job.id, own_session=False)
    elif queue.redis_url(app):
        queue.queue(app).enqueue(run_job, job.id, job_id=_rq_id(job), job_timeout=3600,
                                 failure_ttl=7 * 86400)
    else:
        if app.config["APP_ENV"] == "production":
            log.warning("job %s runs in this web process's threads, which are for development: set REDIS_URL and "
                        "run `flask --app wsgi worker`", job.id)
        runner(app).heartbeat.hold(job.id)
        runner(app).thread_pool().submit(_run_in_thread, app, job.id)


def enqueue(kind: str, *, event_id: int | None = None, user_id: int | None = None, **params) -> Job:
    if kind not in runner(current_app).handlers:
        raise KeyError(f"no job handler for {kind!r}")
    in_threads = not current_app.config.get("JOBS_EAGER") and not queue.redis_url()
    job = Job(kind=kind, params=params, event_id=event_id, user_id=user_id,
              heartbeat_at=utcnow() if in_threads else None)
    db.session.add(job)
    db.session.commit()
    _dispatch(job)
    return db.session.get(Job, job.id, populate_existing=True)


def retry(job: Job) -> bool:
    """Queue a failed job again (the same row, a new attempt); False when it is not failed (any more)."""
    in_threads = not current_app.config.get("JOBS_EAGER") and not queue.redis_url()
    changed = db.session.execute(
        update(Job).where(Job.id == job.id, Job.status == JobStatus.FAILED).values(
            status=JobStatus.QUEUED, attempt=Job.attempt + 1, done=0, total=0, message="", error="", result={},
            started_at=None, finished_at=None, heartbeat_at=utcnow() if in_threads else None)).rowcount
    db.session.commit()
    if not changed:
        return False
    _dispatch(db.session.get(Job, job.id, populate_existing=True))
    return True


def _lost_on_rq(job: Job) -> bool:
    try:
        found = RQJob.fetch(_rq_id(job), connection=queue.connection())
    except NoSuchJobError:
        return True
    return found.get_status(refresh=False) in ("failed", "stopped", "canceled")


def reap_lost(job_ids: list[int] | None = None) -> int:
    """Report failed the jobs whose process stopped holding them (see the module's docstring); returns how many."""
    limit = utcnow() - lease()
    alive = Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])
    only = Job.id.in_(job_ids) if job_ids is not None else true()
    lost = db.session.execute(update(Job).where(alive, only, Job.heartbeat_at < limit).values(
        status=JobStatus.FAILED, error=LOST, finished_at=utcnow())).rowcount
    if queue.redis_url():  # queued on RQ, not started for a while: does RQ still hold it?
        waiting = db.session.scalars(select(Job).where(
            only, Job.status == JobStatus.QUEUED, Job.heartbeat_at.is_(None), Job.created_at < limit)).all()
        gone = [job.id for job in waiting if _lost_on_rq(job)]
        if gone:
            lost += db.session.execute(update(Job).where(Job.id.in_(gone), Job.status == JobStatus.QUEUED,
                                                         Job.heartbeat_at.is_(None)).values(
                status=JobStatus.FAILED, error=LOST, finished_at=utcnow())).rowcount
    db.session.commit()
    return lost


def wait_for(job_id: int, timeout: float = 120) -> Job:
    """Block until the job ends (CLI and tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        reap_lost([job_id])
        job = db.session.get(Job, job_id)
        finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
        # End the read transaction between polls: on SQLite it holds the write lock the job needs.
        db.session.commit()
        if finished:
            return job
        time.sleep(0.05)
    raise TimeoutError(f"job {job_id} still running after {timeout}s")


def register_worker_command(app: Flask) -> None:
    @app.cli.command("worker")
    def worker() -> None:
        """Run an RQ worker for background jobs and the outbox (needs REDIS_URL)."""
        if not queue.redis_url(app):
            raise click.ClickException("Set REDIS_URL: without it jobs run in the web process's threads.")
        with app.app_context():
            worker = AppWorker([queue.queue(app)], connection=queue.connection(app))
        worker.app = app
        worker.work()
