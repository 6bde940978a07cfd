"""The console's job pages: a job's progress (JSON, polled by static/js/jobs.js), its result (a document from the
document store, so any node serves what a worker on another machine made), the list of recent jobs, and Retry for
a failed or lost one. Whoever started a job, its event's staff and administrators see it; to others it does not
exist (404)."""
from __future__ import annotations

import io

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app import storage
from app.accounts.permissions import requires
from app.extensions import db
from app.jobs import LOST, Job, JobStatus, reap_lost, retry as retry_job, runner

bp = Blueprint("jobs", __name__, url_prefix="/console/jobs")
# Where job progress was polled before it joined the console: the old URLs answer a permanent redirect.
OLD_URLS = [("/jobs/<int:job_id>", "/console/jobs/<job_id>"),
            ("/jobs/<int:job_id>/result", "/console/jobs/<job_id>/result")]


def _may_see(job: Job) -> bool:
    return current_user.is_admin or job.user_id == current_user.id or (
        job.event_id is not None and current_user.is_staff_for(job.event_id))


def _visible_job(job_id: int) -> Job:
    reap_lost([job_id])  # a job whose worker died is reported failed now, not "running" forever
    job = db.session.get(Job, job_id)
    if job is None or not _may_see(job):
        abort(404)
    return job


STATUS_LABELS = {JobStatus.QUEUED: _l("Queued"), JobStatus.RUNNING: _l("Running"), JobStatus.DONE: _l("Done"),
                 JobStatus.FAILED: _l("Failed")}


def _json(job: Job) -> dict:
    data = job.to_json(result_url=url_for("jobs.result", job_id=job.id),
                       retry_url=url_for("jobs.retry", job_id=job.id))
    # A job writes its progress in no reader's language (a worker has no request): said in the reader's here.
    data["message"] = _(job.message) if job.message else str(STATUS_LABELS[job.status])
    if job.error == LOST:  # stored in English, like the messages
        data["error"] = _("lost: the process that ran this job stopped before it finished")
    return data


@bp.get("/")
@requires("user")  # each person sees the jobs they may see (see _may_see)
def index():
    reap_lost()
    recent = db.session.scalars(select(Job).order_by(Job.id.desc()).limit(200)).all()
    return render_template("console/jobs.html", jobs=[job for job in recent if _may_see(job)][:50],
                           labels=runner(current_app).labels)


@bp.get("/<int:job_id>")
@requires("user")  # and then the job's owner, its event's staff or an administrator (else 404)
def status(job_id: int):
    return jsonify(_json(_visible_job(job_id)))


@bp.get("/<int:job_id>/result")
@requires("user")
def result(job_id: int):
    job = _visible_job(job_id)
    key = (job.result or {}).get("document")
    document = storage.get(key) if job.status == JobStatus.DONE and isinstance(key, str) else None
    if document is None:
        abort(404)
    return send_file(io.BytesIO(document.data), mimetype=job.result.get("mimetype") or document.content_type,
                     as_attachment=True, download_name=job.result.get("filename"), etag=document.etag,
                     last_modified=document.created_at)


def _back() -> str:
    target = request.form.get("next", "")
    # only a page of this site: a path, not "//host" nor a scheme
    return target if target.startswith("/") and not target.startswith("//") else url_for("jobs.index")


@bp.post("/<int:job_id>/retry")
@requires("user")
def retry(job_id: int):
    job = _visible_job(job_id)
    if retry_job(job):
        flash(_("The job is queued again."), "success")
        return redirect(_back(), 303)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(_json(job)), 409
    flash(_("Only a failed job can be retried."), "error")
    return redirect(_back(), 303)
