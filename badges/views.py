"""Pages: the attendee's badge downloads; staff badge printing (the door's pages: badges/door/views.py)."""
from __future__ import annotations

import io

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import requires
from app.extensions import db
from app.inputs import id_arg
from app.jobs import Job, enqueue
from badges.door import devices, figures as console  # noqa: F401 (console registers figures)
from badges import documents, services
from badges.models import Badge, BadgeRole
from badges.render import LAYOUTS
from events.registration.queries import registration_by_token

public = Blueprint("badges", __name__)
# Printing and re-issuing badges, in the staff console.
badge_pages = Blueprint("badges_console", __name__, url_prefix="/console/e/<slug>/badges")
OLD_BADGE_URLS = [("/staff/events/<int:event_id>/badges", "/console/e/<slug>/badges"),
                  ("/staff/events/<int:event_id>/badges/<int:badge_id>/reissue",
                   "/console/e/<slug>/badges/<badge_id>/reissue")]

# ------------------------------------------------------------------------------------------------ attendee

def _attendee_badge(token: str) -> Badge:
    registration = registration_by_token(token)
    badge = services.badge_for_registration(registration) if registration else None
    if badge is None:
        abort(404)
    return badge


def _serve_or_prepare(badge: Badge, suffix: str, mimetype: str, filename: str):
    document = documents.cached_single(badge, suffix=suffix)
    if document is not None:
        return send_file(io.BytesIO(document.data), mimetype=mimetype, as_attachment=suffix == ".pdf",
                         download_name=filename, max_age=0, etag=document.etag,
                         last_modified=document.created_at)
    documents.prepare_single(badge)  # never render in the request: a CJK font subset takes seconds
    response = current_app.make_response(render_template("badges/preparing.html", badge=badge))
    response.status_code = 202
    response.headers["Retry-After"] = "3"
    response.headers["Cache-Control"] = "no-store"
    return response


@public.get("/r/<token>/badge.pdf")
def badge_pdf(token: str):
    badge = _attendee_badge(token)
    return _serve_or_prepare(badge, ".pdf", "application/pdf", f"badge-{badge.event.slug}.pdf")


@public.get("/r/<token>/badge.png")
def badge_png(token: str):
    badge = _attendee_badge(token)
    return _serve_or_prepare(badge, ".png", "image/png", f"badge-{badge.event.slug}.png")


# ------------------------------------------------------------------------------------------------ staff

@badge_pages.route("", methods=["GET", "POST"])
@requires("staff", event_from="slug")
def badges_page(event):
    job_id = id_arg("job")
    if request.method == "POST":
        layout = request.form.get("layout", "2x5")
        role = request.form.get("role") or None
        if layout not in LAYOUTS or (role and role not in {r.value for r in BadgeRole}):
            abort(400)
        email = (request.form.get("attendee") or "").strip()[:254] or None
        job = enqueue("badges.sheet", event_id=event.id, event=event.id, user_id=current_user.id, layout=layout,
                      role=role, not_printed=bool(request.form.get("not_printed")), attendee_email=email,
                      mark_printed=bool(request.form.get("mark_printed")))
        return redirect(url_for(".badges_page", slug=event.slug, job=job.id), 303)
    if job_id and (db.session.get(Job, job_id) is None or db.session.get(Job, job_id).event_id != event.id):
        job_id = None
    all_badges = services.select_badges(event)
    query = (request.args.get("q") or "").strip()
    found = devices.search_holders(event, query, limit=30) if query else []
    found_badges = {b.token_hash: b for b in all_badges}
    return render_template("badges/staff_badges.html", event=event, job_id=job_id,
                           counts=services.badge_counts(event), layouts=LAYOUTS, query=query,
                           found=[(f, found_badges.get(f["h"])) for f in found])


@badge_pages.post("/<int:badge_id>/reissue")
@requires("staff", event_from="slug")
def reissue(event, badge_id: int):
    role = request.form.get("role") or None
    if role is not None and role not in {r.value for r in BadgeRole}:
        abort(400)
    fresh = services.reissue_badge(event, badge_id, role)
    if fresh is None:
        abort(404)
    flash(_("Badge re-issued: the old one no longer works. Print the new one."), "success")
    return redirect(url_for(".badges_page", slug=event.slug, q=request.form.get("q", "")), 303)
