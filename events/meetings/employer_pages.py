"""The employer's meeting pages: its tables' schedule, and "Whom do you want to meet?" with search, filters,
sort and pages, where each choice is saved the moment it is made (a form per person; static/js/choose.js sends it
with fetch and shows "saved" in place, and without JavaScript the form posts and comes back to the same view)."""
from __future__ import annotations

import io

from datetime import date

from babel import dates
from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.accounts.permissions import acting_organisation_id, requires
from app.errors import json_error, wants_json
from app.extensions import db
from events.meetings import agenda, choosing, services, sheets
from events.meetings import day as meeting_day
from events.meetings.forms import ChoiceForm, PoolFilterForm
from events.meetings.views import bp
from events.programme.models import Session
from events.registration.forms import ConfirmForm
from events.registration import profile


def _month(day: date) -> str:
    """A graduation date as people say it: "July 2027", "Juli 2027"."""
    return dates.format_skeleton("yMMMM", day, locale=get_locale())


def _employer_setup(event, session_id: int, organisation_id: int):
    session = db.session.get(Session, session_id)
    setup = services.setup_for_session(session) if session and session.event_id == event.id else None
    if setup is None or organisation_id not in {e.organisation_id for e in setup.employers}:
        abort(404)
    return setup


@bp.get("/employer/e/<slug>/meetings")
@requires("employer", event_from="slug")
def employer_schedule(event):
    organisation_id = acting_organisation_id()
    meetings = [m for m in services.meetings_for_organisation(organisation_id, event)]
    setups = [s for s in services.setups_of(event) if organisation_id in {e.organisation_id for e in s.employers}]
    return render_template("meetings/employer_schedule.html", event=event, meetings=meetings, setups=setups,
                           table_number=lambda m: services.table_number(m.setup, m.organisation_id, m.table),
                           profile_lines=agenda.profile_lines, reason=agenda.reason_text,
                           upcoming=meeting_day.upcoming(meetings), form=ConfirmForm())


@bp.post("/employer/e/<slug>/meetings/no-show/<int:meeting_id>")
@requires("employer", event_from="slug")
def employer_no_show(event, meeting_id: int):
    """One tap at the table: the attendee did not come."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        meeting_day.employer_no_show(acting_organisation_id(), meeting_id)
    except services.MeetingError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
    else:
        flash(_("Marked as a no-show. Staff can offer the table to someone on standby."), "info")
    return redirect(url_for("meetings.employer_schedule", slug=event.slug) + f"#meeting-{meeting_id}", 303)


@bp.get("/employer/e/<slug>/meetings/<int:session_id>/sheet.pdf")
@requires("employer", event_from="slug")
def employer_sheet(event, session_id: int):
    """The printable table × slot sheet of the organisation's tables."""
    organisation_id = acting_organisation_id()
    setup = _employer_setup(event, session_id, organisation_id)
    document = sheets.sheet_pdf(setup, [organisation_id])
    return send_file(io.BytesIO(document.data), mimetype="application/pdf", conditional=True, etag=document.etag,
                     download_name=f"{event.slug}-tables-{session_id}.pdf")


@bp.get("/employer/e/<slug>/meetings/<int:session_id>/choose")
@requires("employer", event_from="slug")
def employer_choose(event, session_id: int):
    organisation_id = acting_organisation_id()
    setup = _employer_setup(event, session_id, organisation_id)
    countries = sorted({r.attendee.country for r in services.eligible_registrations(setup) if r.attendee.country})
    filters = PoolFilterForm(request.args, countries=countries)
    valid = filters.validate()
    query = choosing.PoolQuery(**filters.values())
    found = choosing.find_people(setup, organisation_id, query)
    args = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in filters.values().items() if k != "page"}
    return render_template("meetings/employer_choose.html", event=event, setup=setup, found=found, query=query,
                           filters=filters, args=args, choice_form=ChoiceForm(), month=_month,
                           degree_label=profile.degree_label, languages_text=profile.languages_text,
                           seeking_text=profile.seeking_text, country_label=profile.country_label
                           ), 200 if valid else 422


@bp.post("/employer/e/<slug>/meetings/<int:session_id>/choose/<int:registration_id>")
@requires("employer", event_from="slug")
def employer_choose_one(event, session_id: int, registration_id: int):
    """One choice about one attendee: JSON for the page's script, else back to the same view of the list."""
    organisation_id = acting_organisation_id()
    setup = _employer_setup(event, session_id, organisation_id)
    form = ChoiceForm()
    if not form.validate_on_submit():
        if wants_json():
            return json_error(422, "invalid_choice", str(form.errors.get("choice", [_("Not a valid choice.")])[0]),
                              field="choice")
        abort(400)
    try:
        kept = choosing.choose(setup, organisation_id, registration_id, form.choice.data or "")
    except services.MeetingError as exc:
        if wants_json():
            return json_error(exc.status, exc.code, exc.message, field=exc.field)
        if exc.status in (403, 404):
            abort(exc.status)
        flash(exc.message, "error")
        kept = None
    if wants_json():
        return jsonify(choice=kept, message=_("Saved."))
    if kept is not None:
        flash(_("Saved."), "success")
    back = request.form.get("back", "")
    here = url_for("meetings.employer_choose", slug=event.slug, session_id=session_id)
    # Only back to this very page (with its filters), never elsewhere.
    ok = back.isprintable() and (back == here or back.startswith(here + "?")) and len(back) < 2000
    return redirect(f"{back if ok else here}#person-{registration_id}", 303)
