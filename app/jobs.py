"""Background jobs with progress: batch badges, matching, mass e-mail.

A job is a row (``Job``) that a worker updates as it goes, so progress is visible from any process. With
REDIS_URL set, jobs run on an RQ queue (start workers with ``flask --app wsgi worker``); without it (the embedded
default, ``make run``) they run in a small pool of local threads. Either way a web request only creates the row
and returns; the page polls ``/console/jobs/<id>`` for progress.

Write a job:

    def build_sheet(ctx: JobContext, event_id: int, layout: str):
        for i, item in enumerate(items):
            ...
            ctx.progress(i + 1, len(items), "rendering badges")
        ctx.finish_with_file(path, filename="badges.pdf", mimetype="application/pdf")

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
from datetime import datetime
from pathlib import Path
from typing import Callable

import click
from flask import Blueprint, Flask, abort, current_app, jsonify, send_file, url_for
from flask_login import current_user
from redis import Redis
from rq import Queue, Worker
from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.accounts.permissions import requires
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

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def to_json(self) -> dict:
        return {
            "id": self.id, "kind": self.kind, "status": self.status.value, "done": self.done, "total": self.total,
            "percent": self.percent, "message": self.message, "error": self.error,
            "result_url": (url_for("jobs.result", job_id=self.id)
                           if self.status == JobStatus.DONE and self.result.get("path") else None),
            "result": {k: v for k, v in (self.result or {}).items() if k != "path"},
        }


@dataclass
class JobRunner:
    """One application's job handlers (kind -> function) and the threads that run its jobs without Redis."""
    handlers: dict[str, Callable] = field(default_factory=dict)
    pool: ThreadPoolExecutor | None = None
    pool_lock: threading.Lock = field(default_factory=threading.Lock)

    def thread_pool(self) -> ThreadPoolExecutor:
        with self.pool_lock:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="job")
            return self.pool


def runner(app: Flask) -> JobRunner:
    if "welcomeday.jobs" not in app.extensions:
        app.extensions["welcomeday.jobs"] = JobRunner()
    return app.extensions["welcomeday.jobs"]


def add_handler(app: Flask, kind: str, func: Callable) -> None:
    """Name the function that runs jobs of ``kind`` (called by each feature's ``init_app``)."""
    runner(app).handlers[kind] = func


class JobContext:
    """What a running job uses to report progress; each report commits on its own, briefly."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._last = 0.0

    def _update(self, **values) -> None:
        db.session.execute(db.update(Job).where(Job.id == self.job_id).values(**values))
        db.session.commit()

    def progress(self, done: int, total: int, message: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if force or done >= total or now - self._last > 0.25:  # at most four writes a second
            self._last = now
            self._update(done=done, total=total, message=message[:300])

    def finish_with_file(self, path: str | Path, *, filename: str, mimetype: str, **extra) -> None:
        self._update(result={"path": str(path), "filename": filename, "mimetype": mimetype, **extra})

    def finish_with(self, **result) -> None:
        self._update(result=result)


def run_job(job_id: int, *, own_session: bool = True) -> None:
    """Run one job to its end (inside an application context). ``own_session`` False (JOBS_EAGER, inside a
    request) leaves the caller's session open instead of removing it."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return
    job.status, job.started_at = JobStatus.RUNNING, utcnow()
    kind, params = job.kind, dict(job.params or {})
    db.session.commit()
    ctx = JobContext(job_id)
    try:
        runner(current_app).handlers[kind](ctx, **params)
    except Exception as exc:  # noqa: BLE001 - a failed job is reported on its page, not lost
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, kind)
        ctx._update(status=JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=utcnow())
    else:
        ctx._update(status=JobStatus.DONE, finished_at=utcnow())
    finally:
        if own_session:
            db.session.remove()


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        run_job(job_id)


class AppWorker(Worker):
    """An RQ worker that runs every job inside the application it was started from (``flask --app wsgi
    worker``), so a job sees that application's configuration and handlers."""

    app: Flask

    def perform_job(self, *args, **kwargs):
        with self.app.app_context():
            for engine in db.engines.values():  # a forked work horse opens connections of its own
                engine.dispose(close=False)
            return super().perform_job(*args, **kwargs)


def enqueue(kind: str, *, event_id: int | None = None, user_id: int | None = None, **params) -> Job:
    if kind not in runner(current_app).handlers:
        raise KeyError(f"no job handler for {kind!r}")
    job = Job(kind=kind, params=params, event_id=event_id, user_id=user_id)
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()
    if app.config.get("JOBS_EAGER"):
        run_job(job.id, own_session=False)
        job = db.session.get(Job, job.id, populate_existing=True)
    elif app.config.get("REDIS_URL"):
        Queue("welcomeday", connection=Redis.from_url(app.config["REDIS_URL"])).enqueue(
            run_job, job.id, job_timeout=3600)
    else:
        runner(app).thread_pool().submit(_run_in_thread, app, job.id)
    return job


def wait_for(job_id: int, timeout: float = 120) -> Job:
    """Block until the job ends (CLI and tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
        # End the read transaction between polls: on SQLite it holds the write lock the job needs.
        db.session.commit()
        if finished:
            return job
        time.sleep(0.05)
    raise TimeoutError(f"job {job_id} still running after {timeout}s")


# ------------------------------------------------------------------------------------------------ views

bp = Blueprint("jobs", __name__, url_prefix="/console/jobs")
# Where job progress was polled before it joined the console: the old URLs answer a permanent redirect.
OLD_URLS = [("/jobs/<int:job_id>", "/console/jobs/<job_id>"),
            ("/jobs/<int:job_id>/result", "/console/jobs/<job_id>/result")]


def _visible_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    allowed = current_user.is_admin or job.user_id == current_user.id or (
        job.event_id is not None and current_user.is_staff_for(job.event_id))
    if not allowed:
        abort(404)
    return job


@bp.get("/<int:job_id>")
@requires("user")  # and then the job's owner, its event's staff or an administrator (else 404)
def status(job_id: int):
    return jsonify(_visible_job(job_id).to_json())


@bp.get("/<int:job_id>/result")
@requires("user")
def result(job_id: int):
    job = _visible_job(job_id)
    path = (job.result or {}).get("path")
    if job.status != JobStatus.DONE or not path or not Path(path).exists():
        abort(404)
    return send_file(path, mimetype=job.result.get("mimetype"), as_attachment=True,
                     download_name=job.result.get("filename"))


def register_worker_command(app: Flask) -> None:
    @app.cli.command("worker")
    def worker() -> None:
        """Run an RQ worker for background jobs (needs REDIS_URL)."""
        if not app.config.get("REDIS_URL"):
            raise click.ClickException("Set REDIS_URL: without it jobs run in the web process's threads.")
        connection = Redis.from_url(app.config["REDIS_URL"])
        worker = AppWorker([Queue("welcomeday", connection=connection)], connection=connection)
        worker.app = app
        worker.work()
