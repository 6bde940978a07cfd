"""The door's staff pages, under the console's one URL root: check-in numbers and scanner devices, the door page
(scan, undo, search, its service worker and its offline roster), and redirects from the old /staff/… URLs.

Every page: ``/console/e/<slug>/door…`` with ``@requires("door", event_from="slug")`` (devices: ``staff``).
"""
from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, \
    url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.permissions import requires, staff_events
from badges import services
from badges.door import checkin, devices, roster, walkins
from app.api import checked_body
from badges.door.api import error_response
from badges.door.inputs import MAX_ID, CheckinError, clean_text, invalid_fields, strip_control
from badges.door.payloads import DoorPageScan, UndoRequest, verdict_payload
from events.programme.models import Event
from events.registration import desk
from events.registration.forms import ConfirmForm, WalkInForm
from events.registration.walkins import WalkInError
from app.forms import show_rule_error

bp = Blueprint("door", __name__, url_prefix="/console")

REASONS = {  # the fixed list, as door staff read it
    "invalid": _l("Invalid code"), "revoked": _l("Badge revoked (re-issued)"),
    "cancelled": _l("Registration cancelled"), "waitlisted": _l("On the waiting list"),
    "another_event": _l("Badge for another event"), "not_enrolled": _l("Not enrolled in this session"),
    "outside_window": _l("Outside the check-in window"),
    # not a verdict: the scan log's mark for a nonce reused for another scan (and the door page's 409)
    "nonce_reused": _l("Scan ID already used"),
}


def reasons() -> dict:
    return {key: str(label) for key, label in REASONS.items()}


@bp.get("/door")
@requires("door")
def events():
    """The welcome days this person may check people in at (every one for administrators)."""
    return render_template("badges/events.html", events=staff_events(current_user))


def _overview(event: Event, new_device=None):
    is_staff = current_user.is_staff_for(event.id)
    return render_template(
        "badges/checkin_overview.html", event=event, numbers=roster.live_numbers(event), is_staff=is_staff,
        conflicts=roster.conflicts(event), recent=roster.recent_scans(event), reasons=reasons(),
        door_label=lambda door: _door_label(event, door),
        devices=devices.devices(event) if is_staff else [], new_device=new_device)


@bp.get("/e/<slug>/door")
@requires("door", event_from="slug")
def overview(event: Event):
    return _overview(event)


@bp.post("/e/<slug>/door/devices")
@requires("staff", event_from="slug")
def create_device(event: Event):
    try:
        device, secret = devices.create_device(event, request.form.get("name", ""), user_id=current_user.id)
    except CheckinError:
        flash(_("Give the device a name of at most 60 characters."), "error")
        return redirect(url_for(".overview", slug=event.slug), 303)
    return _overview(event, new_device=(device, secret))  # the token is shown once, on this response only


@bp.post("/e/<slug>/door/devices/<int:device_id>/revoke")
@requires("staff", event_from="slug")
def revoke_device(event: Event, device_id: int):
    if not devices.revoke_device(event, device_id):
        abort(404)
    flash(_("Device revoked: its token no longer works."), "success")
    return redirect(url_for(".overview", slug=event.slug), 303)


def _door_label(event: Event, door: str) -> str:
    session = checkin.parse_door(event.id, door)
    if session is None:
        return _("Main entrance")
    return f"{session.title}" + (f" · {session.room.name}" if session.room else "")


@bp.get("/e/<slug>/door/<door>")
@requires("door", event_from="slug")
def page(event: Event, door: str):
    try:
        label = _door_label(event, door)
    except CheckinError:
        abort(404)
    # sent back with every scan, where control characters are refused: drop them here
    station = strip_control(request.args.get("station") or "").strip()[:60] or label
    services.issue_event_badges(event)  # everyone with a place has a badge before the door opens (idempotent)
    return render_template("badges/door.html", event=event, door=door, door_label=label, station=station,
                           reasons=reasons())


@bp.get("/e/<slug>/door/sw.js")
@requires("door", event_from="slug")
def service_worker(event: Event):
    response = send_file(current_app.static_folder + "/js/checkin-sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.post("/e/<slug>/door/<door>/scan")
@requires("door", event_from="slug")
def scan(event: Event, door: str):
    body = checked_body(DoorPageScan)  # the scanner API's checks (badges/door/payloads.py)
    try:
        verdict = checkin.check_in(event, door, user_id=current_user.id, token=body.token, token_hash=body.hash,
                                   **body.scan())
    except CheckinError as exc:
        return error_response(exc)
    return jsonify(verdict_payload(verdict).model_dump())


@bp.post("/e/<slug>/door/<door>/undo")
@requires("door", event_from="slug")
def undo(event: Event, door: str):
    check_in_id = checked_body(UndoRequest).check_in_id
    try:
        if not (1 <= check_in_id <= MAX_ID and checkin.undo_check_in(event, check_in_id, user_id=current_user.id)):
            raise CheckinError("not_found", _("No such check-in."), 404)
    except CheckinError as exc:
        return error_response(exc)
    return jsonify({"status": "undone"})


@bp.get("/e/<slug>/door/<door>/search")
@requires("door", event_from="slug")
def search(event: Event, door: str):
    query = request.args.get("q", "")
    if not clean_text(query):
        exc = invalid_fields({"q": [_("Contains characters that are not allowed (NUL, control characters, lone "
                                      "surrogates).")]})
        exc.status = 400
        return error_response(exc)
    return jsonify({"results": devices.search_holders(event, query)})


@bp.get("/e/<slug>/door/roster.json")
@requires("door", event_from="slug")
def roster_json(event: Event):
    services.issue_event_badges(event)
    response = jsonify(roster.roster(event))
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------------------------------------ walk-ins

@bp.route("/e/<slug>/door/walk-in", methods=["GET", "POST"])
@requires("door", event_from="slug")
def walk_in(event: Event):
    """Register someone on the spot: one form, one submit; then they are in and their label is being drawn."""
    form = WalkInForm()
    if form.validate_on_submit():
        try:
            admission = walkins.admit(event, form.walk_in(), user_id=current_user.id,
                                      override=form.override.data, reason=form.reason.data or "")
        except WalkInError as exc:
            show_rule_error(form, exc)
        else:
            if admission.verdict is not None and admission.verdict.status == "rejected":
                flash(_("Not checked in: %(reason)s", reason=reasons().get(admission.verdict.reason,
                                                                            admission.verdict.reason)), "error")
            return redirect(url_for(".walk_in_done", slug=event.slug, registration_id=admission.registration.id,
                                    returning=1 if admission.returning else None), 303)
    status = 422 if request.method == "POST" else 200
    day_full = bool(form.override.errors or form.reason.errors or form.override.data)
    return render_template("badges/walk_in.html", event=event, form=form, day_full=day_full), status


def _walk_in_registration(event: Event, registration_id: int):
    registration = desk.registration_for(event, registration_id)
    if registration is None:
        abort(404)
    return registration


@bp.get("/e/<slug>/door/walk-in/<int:registration_id>")
@requires("door", event_from="slug")
def walk_in_done(event: Event, registration_id: int):
    registration = _walk_in_registration(event, registration_id)
    return render_template("badges/walk_in_done.html", event=event, r=registration,
                           returning=request.args.get("returning") == "1", confirm=ConfirmForm(),
                           checked_in_at=walkins.checked_in_at(event, registration))


@bp.post("/e/<slug>/door/walk-in/<int:registration_id>/check-in")
@requires("door", event_from="slug")
def walk_in_check_in(event: Event, registration_id: int):
    """A returning person, found by their address: staff check them in (the door's rules decide)."""
    registration = _walk_in_registration(event, registration_id)
    if not ConfirmForm().validate():
        abort(400)
    admission = walkins.check_in(event, registration, user_id=current_user.id)
    verdict = admission.verdict
    if verdict is None:
        flash(_("This person has no place at the day (waiting list or cancelled): staff at the desk can give "
                "them one."), "error")
    elif verdict.status == "rejected":
        flash(_("Not checked in: %(reason)s", reason=reasons().get(verdict.reason, verdict.reason)), "error")
    return redirect(url_for(".walk_in_done", slug=event.slug, registration_id=registration.id), 303)


@bp.get("/e/<slug>/door/walk-in/<int:registration_id>/label.pdf")
@requires("door", event_from="slug")
def walk_in_label(event: Event, registration_id: int):
    """The badge as one 90 × 55 mm label, opened in the browser for printing (drawn in the background first)."""
    registration = _walk_in_registration(event, registration_id)
    if walkins.checked_in_at(event, registration) is None:  # printed for people who came in: check in first
        return redirect(url_for(".walk_in_done", slug=event.slug, registration_id=registration.id), 303)
    found = walkins.label(event, registration)
    if found is None:
        abort(404)
    badge, document = found
    if document is not None:  # a StoredDocument of app/storage.py: in the database, S3 or on disk
        return send_file(io.BytesIO(document.data), mimetype="application/pdf",
                         download_name=f"badge-{event.slug}-label.pdf", max_age=0)
    response = current_app.make_response(render_template("badges/preparing.html", badge=badge))
    response.status_code = 202
    response.headers["Retry-After"] = "3"
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------------------------------------ old URLs

# The door's old /staff/… URLs, for app.console.redirect_old_urls (308: method and body go along).
OLD_DOOR_URLS = [
    ("/staff/checkin", "/console/door"),
    ("/staff/checkin/<slug>", "/console/e/<slug>/door"),
    ("/staff/events/<int:event_id>/checkin", "/console/e/<slug>/door"),
    ("/staff/events/<int:event_id>/roster.json", "/console/e/<slug>/door/roster.json"),
    ("/staff/events/<int:event_id>/devices", "/console/e/<slug>/door/devices"),
    ("/staff/events/<int:event_id>/devices/<int:device_id>/revoke",
     "/console/e/<slug>/door/devices/<device_id>/revoke"),
    ("/staff/events/<int:event_id>/door/sw.js", "/console/e/<slug>/door/sw.js"),
    ("/staff/events/<int:event_id>/door/<door>", "/console/e/<slug>/door/<door>"),
    ("/staff/events/<int:event_id>/door/<door>/scan", "/console/e/<slug>/door/<door>/scan"),
    ("/staff/events/<int:event_id>/door/<door>/undo", "/console/e/<slug>/door/<door>/undo"),
    ("/staff/events/<int:event_id>/door/<door>/search", "/console/e/<slug>/door/<door>/search"),
]
