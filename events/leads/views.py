"""Leads pages: the employer's contact scanner and list with its exports (signed in, own organisation only), and
the attendee's withdrawal from "My registration" (secret link)."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import acting_organisation_id, requires
from app.errors import json_error, wants_json
from app.extensions import limiter
from events.leads import services
from events.leads.forms import LeadForm, ScanForm
from events.meetings.agenda import latin_spelling
from events.registration import exports
from events.registration.profile import degree_label
from events.registration.forms import ConfirmForm
from events.registration.views import registration_or_404

bp = Blueprint("leads", __name__)


def _scanner_key() -> str:
    """Scans are limited per signed-in contact: the phones of a whole venue may share one address."""
    return f"lead-scanner:{getattr(current_user, 'id', None) or request.remote_addr}"


SCANS = limiter.limit("60 per minute", key_func=_scanner_key)


@bp.app_template_global()
def leads_saved(registration) -> list:
    """For "My registration": the organisations that saved this attendee as a contact."""
    return services.leads_about(registration)


def _bad_body() -> bool:
    """A JSON body that is not an object (Flask-WTF reads a JSON object as the form's fields)."""
    return request.is_json and not isinstance(request.get_json(silent=True), dict)


def _refused(exc: services.LeadError, event, person=None):
    if wants_json():
        return json_error(exc.status, exc.reason, exc.message)
    return render_template("leads/scan.html", event=event, form=ScanForm(), lead_form=LeadForm(), person=person,
                           refusal=exc.message), exc.status


@bp.get("/employer/e/<slug>/leads")
@requires("employer", event_from="slug")
def leads_list(event):
    return render_template("leads/list.html", event=event, leads=services.leads_of(event, acting_organisation_id()),
                           latin_spelling=latin_spelling, degree_label=degree_label)


@bp.get("/employer/e/<slug>/leads/scan")
@requires("employer", event_from="slug")
def scan_page(event):
    return render_template("leads/scan.html", event=event, form=ScanForm(), lead_form=LeadForm(), person=None)


@bp.post("/employer/e/<slug>/leads/scan")
@SCANS
@requires("employer", event_from="slug")
def scan(event):
    """A scanned or typed badge code: the attendee's shared profile (JSON for the page's script, else the page)."""
    if _bad_body():
        return json_error(400, "bad_body", _("Send a JSON object."))
    form = ScanForm()
    if not form.validate_on_submit():
        return _refused(services.LeadError(400, "empty", _("Scan a badge, or type its code.")), event)
    try:
        person = services.scan(event, acting_organisation_id(), form.code.data)
    except services.LeadError as exc:
        return _refused(exc, event)
    if wants_json():
        return jsonify(person=asdict(person),
                       save_url=url_for("leads.save", slug=event.slug, registration_id=person.registration_id))
    lead_form = LeadForm(formdata=None, data={"rating": person.rating, "note": person.note})
    return render_template("leads/scan.html", event=event, form=ScanForm(formdata=None), lead_form=lead_form,
                           person=person)


@bp.post("/employer/e/<slug>/leads/<int:registration_id>")
@SCANS
@requires("employer", event_from="slug")
def save(event, registration_id: int):
    if _bad_body():
        return json_error(400, "bad_body", _("Send a JSON object."))
    form = LeadForm()
    if not form.validate_on_submit():
        field, errors = next(iter(form.errors.items()), ("form", [_("Please check the form.")]))
        if wants_json():
            return json_error(422, "invalid", str(errors[0]), field=field)
        abort(400)
    try:
        services.save_lead(event, acting_organisation_id(), registration_id, current_user,
                           rating=form.rating.data, note=form.note.data or "")
    except services.LeadError as exc:
        return _refused(exc, event)
    if wants_json():
        return jsonify(saved=True, message=_("Saved."))
    flash(_("Saved."), "success")
    return redirect(url_for("leads.scan_page", slug=event.slug), 303)


@bp.get("/employer/e/<slug>/leads.<fmt>")
@requires("employer", event_from="slug")
def export(event, fmt: str):
    """The organisation's leads: CSV (machine headers, for programs) or Excel (headings in the reader's language,
    typed cells), written by the staff exports' own writers."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    header, rows = services.export_rows(event, acting_organisation_id())
    name = f"{event.slug}-leads.{fmt}"
    if fmt == "csv":
        data, mimetype = exports.to_csv(header, rows, event.tz), "text/csv; charset=utf-8"
    else:
        data = exports.to_xlsx(header, rows, _("Leads"), event.tz, headings=services.EXPORT_HEADINGS)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/r/<token>/leads/<int:lead_id>/withdraw")
def withdraw(token: str, lead_id: int):
    """The attendee takes back a contact an employer saved: it is deleted."""
    registration = registration_or_404(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw(registration, lead_id)
    except services.LeadError:
        abort(404)
    flash(_("Withdrawn: the employer no longer has this contact."), "success")
    return redirect(url_for("public.my_registration", token=token) + "#saved-contacts", 303)
