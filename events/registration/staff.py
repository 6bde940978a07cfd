"""Staff pages of registration, under /console/e/<slug>/: registrations, imports, exports and e-mail to a group."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit import ACTION_LABELS, AuditEntry
from app.forms import show_rule_error
from app.accounts.permissions import requires
from events.registration import exports, imports, mailing
from events.registration import desk as regs
from events.dashboard.figures import no_show_ids
from events.registration.staff_forms import HandRegistrationForm, SeatForm, SegmentMailForm
from app.extensions import db
from app.inputs import db_id, id_arg
from events.registration.forms import ConfirmForm
from events.registration.models import RegistrationStatus
from events.registration.queries import event_waitlist_position, seats_for, waitlist_position

bp = Blueprint("registration_staff", __name__, url_prefix="/console/e/<slug>")


@bp.get("/registrations")
@requires("staff", event_from="slug")
def registrations(event):
    q = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "")
    sort = request.args.get("sort", "newest")
    sort = sort if sort in regs.SORTS else "newest"
    result = regs.search(event, q=q, status=status, session_id=id_arg("session"),
                         country=request.args.get("country", "")[:2], sort=sort, page=id_arg("page") or 1)
    return render_template("registration/staff_registrations.html", event=event, result=result, q=q, status=status,
                           sort=sort, session_id=id_arg("session"), statuses=RegistrationStatus,
                           country=request.args.get("country", "")[:2])


def _registration_or_404(event, registration_id: int):
    registration = regs.registration_for(event, registration_id)
    if registration is None:
        abort(404)
    return registration


@bp.get("/registrations/<int:registration_id>")
@requires("staff", event_from="slug")
def registration(event, registration_id):
    r = _registration_or_404(event, registration_id)
    positions = {e.id: waitlist_position(e) for e in r.active_enrolments}
    seats = {e.session_id: seats_for(e.session) for e in r.active_enrolments}
    history = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.target_type == "registration", AuditEntry.target_id == r.id).order_by(AuditEntry.id.desc())
        .limit(20)).all()
    return render_template("registration/staff_registration.html", event=event, r=r, positions=positions,
                           event_position=event_waitlist_position(r), confirm=ConfirmForm(), seats=seats,
                           resendable=regs.RESENDABLE, history=history, labels=ACTION_LABELS)


@bp.get("/registrations/<int:registration_id>/confirm-cancel")
@requires("staff", event_from="slug")
def confirm_cancel(event, registration_id):
    """Cancelling asks first, and says what goes (the place, the seats) and that it can be undone."""
    r = _registration_or_404(event, registration_id)
    if r.status == RegistrationStatus.CANCELLED:
        return redirect(url_for("registration_staff.registration", slug=event.slug, registration_id=r.id), 303)
    return render_template("registration/staff_cancel.html", event=event, r=r, confirm=ConfirmForm())


def _give_seat(r) -> None:
    form = SeatForm()
    if not form.validate():
        raise regs.StaffError(_("Please say why, in at most 300 characters.") if form.reason.errors
                              else _("Please choose a session."))
    regs.give_seat(r, form.session_id.data, override=form.override.data, reason=form.reason.data or "")


@bp.post("/registrations/<int:registration_id>/<action>")
@requires("staff", event_from="slug")
def registration_action(event, registration_id, action):
    r = _registration_or_404(event, registration_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    session_id = db_id(request.form.get("session_id", ""))
    back = url_for("registration_staff.registration", slug=event.slug, registration_id=r.id)
    try:
        if action == "seat" and session_id:
            _give_seat(r)
            flash(_("Seat given."), "success")
        elif action == "waitlist" and session_id:
            regs.move_to_waitlist(r, session_id)
            flash(_("Moved to the waiting list."), "success")
        elif action == "place":
            regs.give_place(r)
            flash(_("The person has a place now."), "success")
        elif action == "resend":
            regs.resend(r, request.form.get("template", ""))
            flash(_("The e-mail is on its way."), "success")
        elif action == "cancel" and request.form.get("confirmed") != "1":
            return redirect(url_for("registration_staff.confirm_cancel", slug=event.slug, registration_id=r.id),
                            303)  # never in one click: the confirmation page says what goes
        elif action == "cancel":
            regs.cancel(r)
            flash(_("The registration is cancelled. You can reinstate it from this page."), "success")
        elif action == "reinstate":
            r = regs.reinstate(r)
            flash(_("The registration is back: see its place and seats below."), "success")
        else:
            abort(404)
    except regs.StaffError as exc:
        flash(exc.message, "error")
    return redirect(back, 303)


@bp.route("/registrations/new", methods=["GET", "POST"])
@requires("staff", event_from="slug")
def new_registration(event):
    form = HandRegistrationForm()
    form.sessions.choices = [(s.id, s.title) for s in regs.session_choices(event)]
    if form.validate_on_submit():
        try:
            r = regs.register_by_hand_and_commit(event, regs.HandRegistration(
                email=form.email.data, full_name=form.full_name.data, badge_name=form.badge_name.data or "",
                country=form.country.data or "", university=form.university.data or "",
                locale=form.locale.data, session_ids=tuple(form.sessions.data or ())))
        except regs.StaffError as exc:
            show_rule_error(form, exc)
        else:
            flash(_("Registered; the confirmation is on its way by e-mail."), "success")
            return redirect(url_for("registration_staff.registration", slug=event.slug, registration_id=r.id), 303)
    return render_template("registration/staff_registration_form.html", event=event, form=form), 422 if form.errors else 200


# ----------------------------------------------------------------------------------------------- import


@bp.route("/import", methods=["GET", "POST"])
@requires("staff", event_from="slug")
def import_upload(event):
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a CSV file."), "error")
        else:
            try:
                upload_id = imports.store_upload(upload.read())
            except imports.ImportError_ as exc:
                flash(exc.message, "error")
            else:
                return redirect(url_for("registration_staff.import_map", slug=event.slug, upload=upload_id), 303)
    return render_template("registration/import_upload.html", event=event, form=form, max_rows=imports.MAX_ROWS)


def _mapping_from_form(parsed) -> dict[str, int | None]:
    mapping = {}
    for target in imports.TARGETS:
        value = request.form.get(f"map-{target}", "")
        mapping[target] = int(value) if value.isdigit() and int(value) < len(parsed.header) else None
    return mapping


@bp.route("/import/<upload>", methods=["GET", "POST"], endpoint="import_map")
@requires("staff", event_from="slug")
def import_map(event, upload):
    form = ConfirmForm()
    try:
        parsed = imports.parse(upload)
    except imports.ImportError_ as exc:
        flash(exc.message, "error")
        return redirect(url_for("registration_staff.import_upload", slug=event.slug), 303)
    mapping = imports.guess_mapping(parsed.header)
    problems, people, status = [], None, 200
    if request.method == "POST" and form.validate_on_submit():
        mapping = _mapping_from_form(parsed)
        try:
            if request.form.get("go") == "import":
                count, problems = imports.run_import(event, upload, mapping)
                if not problems:
                    flash(_("%(n)d people imported. Each gets an e-mail to confirm the address.", n=count),
                          "success")
                    return redirect(url_for("registration_staff.registrations", slug=event.slug), 303)
            else:
                people, problems = imports.validate(parsed, mapping, event)
        except imports.ImportError_ as exc:
            flash(exc.message, "error")
            status = 422
        if problems:
            status = 422
    return render_template("registration/import_map.html", event=event, form=form, parsed=parsed, mapping=mapping,
                           targets=imports.TARGETS, required=imports.REQUIRED, problems=problems, people=people,
                           upload=upload), status


# ----------------------------------------------------------------------------------------------- export


@bp.get("/export")
@requires("staff", event_from="slug")
def exports_page(event):
    return render_template("registration/exports.html", event=event, datasets=exports.datasets())


@bp.get("/export/<name>.<fmt>")
@requires("staff", event_from="slug")
def export(event, name, fmt):
    if name not in exports.datasets() or fmt not in ("csv", "xlsx"):
        abort(404)
    header, rows = exports.rows_for(name, event)
    filename = f"{event.slug}-{name}.{fmt}"
    if fmt == "csv":
        data, mimetype = exports.to_csv(header, rows, event.tz), "text/csv; charset=utf-8"
    else:
        data = exports.to_xlsx(header, rows, str(exports.datasets()[name]), event.tz)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}",
                                                      "Cache-Control": "no-store"})


# ----------------------------------------------------------------------------------------------- mail


@bp.route("/mail", methods=["GET", "POST"])
@requires("staff", event_from="slug")
def segment_mail(event):
    form = SegmentMailForm()
    form.segment.choices = mailing.segment_choices(event, no_shows_known=no_show_ids(event) is not None)
    form.template.choices = list(mailing.TEMPLATES.items())
    job = None
    if form.validate_on_submit():
        try:
            job = mailing.start_segment_mail(event, current_user, segment=form.segment.data,
                                             template=form.template.data, subject=form.subject.data or "",
                                             body=form.body.data or "")
        except mailing.SegmentError as exc:
            form.segment.errors = list(form.segment.errors) + [exc.message]
    counts = {}
    for value, _label in form.segment.choices:
        try:
            counts[value] = len(mailing.recipients(event, value))
        except mailing.SegmentError:
            counts[value] = 0
    return render_template("registration/mail.html", event=event, form=form, job=job, counts=counts), \
        422 if form.errors else 200
