"""Pages: the attendee's badge downloads; staff badge printing; the door page and live check-in numbers."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.permissions import requires
from app.extensions import db
from app.inputs import id_arg
from app.jobs import Job, enqueue
from badges.door import checkin, figures as console, roster
from badges import documents, services  # noqa: F401 (console registers figures)
from badges.door.api import error_response, parse_scan, read_json
from badges.models import Badge, BadgeRole
from badges.render import LAYOUTS
from events.programme.models import Event
from events.registration.services import registration_by_token

public = Blueprint("badges", __name__)
staff = Blueprint("badges_staff", __name__, url_prefix="/staff")
# The staff console links door staff to "checkin.scan" by event slug.
console_link = Blueprint("checkin", __name__, url_prefix="/staff/checkin")
# Printing and re-issuing badges, in the staff console (the door pages above move there with the door).
badge_pages = Blueprint("badges_console", __name__, url_prefix="/console/e/<slug>/badges")
OLD_BADGE_URLS = [("/staff/events/<int:event_id>/badges", lambda _adapter, event_id: console_url(event_id)),
                  ("/staff/events/<int:event_id>/badges/<int:badge_id>/reissue",
                   lambda _adapter, event_id, badge_id: f"{console_url(event_id)}/{badge_id}/reissue")]

REASONS = {  # the fixed list, as door staff read it
    "invalid": _l("Invalid code"), "revoked": _l("Badge revoked (re-issued)"),
    "cancelled": _l("Registration cancelled"), "waitlisted": _l("On the waiting list"),
    "another_event": _l("Badge for another event"), "not_enrolled": _l("Not enrolled in this session"),
    "outside_window": _l("Outside the check-in window"),
    # not a verdict: the scan log's mark for a nonce reused for another scan (and the door page's 409)
    "nonce_reused": _l("Scan ID already used"),
}


def _reasons() -> dict:
    return {key: str(label) for key, label in REASONS.items()}


# ------------------------------------------------------------------------------------------------ attendee

def _attendee_badge(token: str) -> Badge:
    registration = registration_by_token(token)
    badge = services.badge_for_registration(registration) if registration else None
    if badge is None:
        abort(404)
    return badge


def _serve_or_prepare(badge: Badge, suffix: str, mimetype: str, filename: str):
    path = documents.cached_single(badge, suffix=suffix)
    if path is not None:
        return send_file(path, mimetype=mimetype, as_attachment=suffix == ".pdf", download_name=filename,
                         max_age=0)
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

def _event_for(event_id: int, *, staff_only: bool = False) -> Event:
    event = db.session.get(Event, event_id)
    allowed = event is not None and (current_user.is_staff_for(event_id) if staff_only
                                     else current_user.can_check_in(event_id))
    if not allowed:
        abort(404)
    return event


@console_link.get("/<slug>")
@login_required
def scan(slug: str):
    event = db.session.scalars(select(Event).where(Event.slug == slug)).first()
    if event is None or not current_user.can_check_in(event.id):
        abort(404)
    return redirect(url_for("badges_staff.checkin_overview", event_id=event.id))


@staff.get("/checkin")
@login_required
def events():
    if current_user.is_admin:
        visible = db.session.scalars(select(Event).order_by(Event.starts_at.desc())).all()
    else:
        ids = {r.event_id for r in current_user.event_roles}
        visible = db.session.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.starts_at.desc())).all()
    return render_template("badges/events.html", events=visible)


def console_url(event_id: int) -> str:
    """Where an event's badge pages live now, for the old URLs that named the event by id."""
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return url_for("badges_console.badges_page", slug=event.slug)


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
    counts = {role.value: sum(1 for b in all_badges if b.role == role) for role in BadgeRole}
    unprinted = sum(1 for b in all_badges if b.printed_at is None)
    query = (request.args.get("q") or "").strip()
    found = checkin.search_holders(event, query, limit=30) if query else []
    found_badges = {b.token_hash: b for b in all_badges}
    return render_template("badges/staff_badges.html", event=event, job_id=job_id, counts=counts,
                           unprinted=unprinted, total=len(all_badges), layouts=LAYOUTS, query=query,
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


@staff.get("/events/<int:event_id>/checkin")
@login_required
def checkin_overview(event_id: int):
    event = _event_for(event_id)
    is_staff = current_user.is_staff_for(event_id)
    return render_template(
        "badges/checkin_overview.html", event=event, numbers=roster.live_numbers(event), is_staff=is_staff,
        conflicts=roster.conflicts(event), recent=roster.recent_scans(event), reasons=_reasons(),
        devices=checkin.devices(event) if is_staff else [], new_device=None)


@staff.post("/events/<int:event_id>/devices")
@login_required
def create_device(event_id: int):
    event = _event_for(event_id, staff_only=True)
    try:
        device, secret = checkin.create_device(event, request.form.get("name", ""), user_id=current_user.id)
    except checkin.CheckinError:
        flash(_("Give the device a name of at most 60 characters."), "error")
        return redirect(url_for(".checkin_overview", event_id=event.id), 303)
    # The token is shown once, on this response only.
    return render_template(
        "badges/checkin_overview.html", event=event, numbers=roster.live_numbers(event), is_staff=True,
        conflicts=roster.conflicts(event), recent=roster.recent_scans(event), reasons=_reasons(),
        devices=checkin.devices(event), new_device=(device, secret))


@staff.post("/events/<int:event_id>/devices/<int:device_id>/revoke")
@login_required
def revoke_device(event_id: int, device_id: int):
    event = _event_for(event_id, staff_only=True)
    if not checkin.revoke_device(event, device_id):
        abort(404)
    flash(_("Device revoked: its token no longer works."), "success")
    return redirect(url_for(".checkin_overview", event_id=event.id), 303)


def _door_label(event: Event, door: str) -> str:
    session = checkin.parse_door(event.id, door)
    if session is None:
        return _("Main entrance")
    return f"{session.title}" + (f" · {session.room.name}" if session.room else "")


@staff.get("/events/<int:event_id>/door/<door>")
@login_required
def door_page(event_id: int, door: str):
    event = _event_for(event_id)
    try:
        label = _door_label(event, door)
    except checkin.CheckinError:
        abort(404)
    # sent back with every scan, where control characters are refused: drop them here
    station = checkin.strip_control(request.args.get("station") or "").strip()[:60] or label
    services.issue_event_badges(event)  # everyone with a place has a badge before the door opens (idempotent)
    return render_template("badges/door.html", event=event, door=door, door_label=label, station=station,
                           reasons=_reasons())


@staff.get("/events/<int:event_id>/door/sw.js")
@login_required
def door_service_worker(event_id: int):
    _event_for(event_id)
    response = send_file(current_app.static_folder + "/js/checkin-sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@staff.post("/events/<int:event_id>/door/<door>/scan")
@login_required
def door_scan(event_id: int, door: str):
    event = _event_for(event_id)
    try:
        scan = parse_scan(read_json(request))
        verdict = checkin.check_in(event, door, user_id=current_user.id, **scan)
    except checkin.CheckinError as exc:
        return error_response(exc)
    return jsonify(verdict.to_json())


@staff.post("/events/<int:event_id>/door/<door>/undo")
@login_required
def door_undo(event_id: int, door: str):
    event = _event_for(event_id)
    try:
        payload = read_json(request)
        if not isinstance(payload, dict):
            raise checkin.CheckinError("validation_failed", _("The body must be a JSON object."), 400)
        check_in_id = payload.get("check_in_id")
        if type(check_in_id) is not int:  # not isinstance: True is an int too, and would undo check-in 1
            exc = checkin.CheckinError("validation_failed", _("Some fields are not valid."), 422)
            exc.fields = {"check_in_id": [_("Required: the check-in's id, a whole number.")]}
            raise exc
        if not (1 <= check_in_id <= checkin.MAX_ID and checkin.undo_check_in(event, check_in_id,
                                                                            user_id=current_user.id)):
            raise checkin.CheckinError("not_found", _("No such check-in."), 404)
    except checkin.CheckinError as exc:
        return error_response(exc)
    return jsonify({"status": "undone"})


@staff.get("/events/<int:event_id>/door/<door>/search")
@login_required
def door_search(event_id: int, door: str):
    event = _event_for(event_id)
    query = request.args.get("q", "")
    if not checkin.clean_text(query):
        exc = checkin.CheckinError("validation_failed", _("Some fields are not valid."), 400)
        exc.fields = {"q": [_("Contains characters that are not allowed (NUL, control characters, lone "
                              "surrogates).")]}
        return error_response(exc)
    return jsonify({"results": checkin.search_holders(event, query)})


@staff.get("/events/<int:event_id>/roster.json")
@login_required
def roster_json(event_id: int):
    event = _event_for(event_id)
    services.issue_event_badges(event)
    response = jsonify(roster.roster(event))
    response.headers["Cache-Control"] = "no-store"
    return response

