"""Meeting pages: staff setup/draft/publish/day (/console/e/<slug>/meetings), the attendee's wishes (secret link),
the employer's choices."""
from __future__ import annotations

import io

import json
from types import SimpleNamespace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import requires
from app.extensions import db
from app.inputs import id_arg
from events.employers.partnerships import partners_of
from events.registration.forms import ConfirmForm
from events.registration.views import registration_or_404
from events.meetings.matching.json_format import instance_to_dict
from events.meetings import agenda, explain, figures, fit, services, sheets  # noqa: F401  (figures registers console figures)
from events.meetings.build import build_instance
from events.meetings import day as meeting_day
from events.meetings.forms import (ConfigureForm, EmployerFilterForm, PublishForm, RegistrationPickForm, RuleForm,
                                   RunForm, TablesForm)
from events.meetings.models import AttendeeWish, MeetingStatus
from events.employers.models import PartnerStatus
from events.employers.profiles import profile_for
from events.programme.models import Session
from events.registration import profile

bp = Blueprint("meetings", __name__)
# The attendee's meetings mail gives the reasons in the reader's language too (services cannot import agenda).
bp.add_app_template_global(agenda.reason_text, "meeting_reason")
staff_bp = Blueprint("meetings_staff", __name__, url_prefix="/console/e/<slug>/meetings")
# Where the staff pages were before they joined the console: the old URLs answer a permanent redirect.
OLD_STAFF_URLS = [("/staff/events/<slug>/meetings", "/console/e/<slug>/meetings"),
                  ("/staff/events/<slug>/meetings/<int:session_id>", "/console/e/<slug>/meetings/<session_id>"),
                  ("/staff/events/<slug>/meetings/<int:session_id>/instance.json",
                   "/console/e/<slug>/meetings/<session_id>/instance.json"),
                  *((f"/staff/events/<slug>/meetings/<int:session_id>/{action}",
                     f"/console/e/<slug>/meetings/<session_id>/{action}")
                    for action in ("configure", "employers", "run", "rules", "publish")),
                  ("/staff/events/<slug>/meetings/<int:session_id>/day/<action>",
                   "/console/e/<slug>/meetings/<session_id>/day/<action>")]


def _flash_error(exc: services.MeetingError):
    if exc.status == 404:
        abort(404)
    if exc.status == 403:
        abort(403)
    flash(exc.message, "error")


def _staff_setup(event, session_id: int, create: bool = False):
    session = db.session.get(Session, session_id)
    if session is None or session.event_id != event.id:
        abort(404)
    setup = services.setup_for_session(session)
    if setup is None and not create:
        abort(404)
    return session, setup


@bp.app_template_global()
def meeting_summary(registration):
    """For "My registration": each networking session with meetings, the attendee's meetings and wishes link."""
    out = []
    for setup in services.setups_of(registration.event):
        mine = [m for m in services.meetings_for_registration(registration) if m.setup_id == setup.id]
        if setup.employers or mine:
            out.append({"setup": setup, "meetings": mine, "can_wish": services.can_wish(setup, registration),
                        "table": lambda m, s=setup: services.table_number(s, m.organisation_id, m.table),
                        "reason": agenda.reason_text})
    return out


# ------------------------------------------------------------------------------------------ staff


@staff_bp.get("")
@requires("staff", event_from="slug")
def index(event):
    sessions = services.networking_sessions(event)
    return render_template("meetings/staff_index.html", event=event,
                           items=[(s, services.setup_for_session(s)) for s in sessions])


@staff_bp.get("/<int:session_id>")
@requires("staff", event_from="slug")
def setup_page(event, session_id: int):
    session, setup = _staff_setup(event, session_id, create=True)
    configure = ConfigureForm(obj=None)
    if setup is not None and request.method == "GET":
        configure.slot_minutes.data, configure.changeover_minutes.data = setup.slot_minutes, setup.changeover_minutes
        configure.max_meetings.data, configure.max_wishes.data = setup.max_meetings_per_attendee, setup.max_wishes
    tables = TablesForm()
    tables.organisation_id.choices = [(p.organisation_id, p.organisation.name) for p in partners_of(event)
                                      if p.status == PartnerStatus.ACCEPTED]
    context = dict(event=event, session=session, setup=setup, configure=configure, tables=tables, run=RunForm(),
                   confirm=ConfirmForm(), pick=RegistrationPickForm(), job_id=id_arg("job"))
    if setup is not None:
        meetings = services.meetings_of(setup, (MeetingStatus.DRAFT, MeetingStatus.PUBLISHED,
                                                MeetingStatus.NO_SHOW, MeetingStatus.CANCELLED))
        recipients = services.publish_recipients(setup)
        publish_form = PublishForm(attendees=recipients[0], contacts=recipients[1])
        context.update(recipients=recipients, publish_form=publish_form, meetings=meetings, rules=services.rules_of(setup), standby=meeting_day.standby_of(setup),
                       eligible=services.eligible_registrations(setup), stats=setup.draft_stats,
                       limits=explain.draft_limits(setup.draft_stats),
                       has_draft=any(m.status == MeetingStatus.DRAFT for m in meetings),
                       table_number=lambda m: services.table_number(setup, m.organisation_id, m.table),
                       reason=agenda.reason_text)
    return render_template("meetings/staff_setup.html", **context)


def _back(event, session_id, **args):
    return redirect(url_for("meetings_staff.setup_page", slug=event.slug, session_id=session_id, **args), 303)


@staff_bp.post("/<int:session_id>/configure")
@requires("staff", event_from="slug")
def configure(event, session_id: int):
    session, _setup = _staff_setup(event, session_id, create=True)
    form = ConfigureForm()
    if not form.validate_on_submit():
        flash(_("Please give whole numbers in the ranges shown."), "error")
        return _back(event, session_id)
    try:
        services.configure(session, slot_minutes=form.slot_minutes.data,
                           changeover_minutes=form.changeover_minutes.data, max_meetings=form.max_meetings.data,
                           max_wishes=form.max_wishes.data)
    except services.MeetingError as exc:
        _flash_error(exc)
    else:
        flash(_("Saved."), "success")
    return _back(event, session_id)


@staff_bp.post("/<int:session_id>/employers")
@requires("staff", event_from="slug")
def tables(event, session_id: int):
    _session, setup = _staff_setup(event, session_id)
    form = TablesForm()
    form.organisation_id.choices = [(p.organisation_id, p.organisation.name) for p in partners_of(event)]
    if not form.validate_on_submit():
        flash(_("Choose an employer and 0–50 tables."), "error")
        return _back(event, session_id)
    try:
        services.set_employer(setup, form.organisation_id.data, form.tables.data, form.max_meetings.data)
    except services.MeetingError as exc:
        _flash_error(exc)
    return _back(event, session_id)


@staff_bp.post("/<int:session_id>/run")
@requires("staff", event_from="slug")
def run(event, session_id: int):
    _session, setup = _staff_setup(event, session_id)
    form = RunForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        job = services.start_run(setup, form.mode.data, current_user)
    except services.MeetingError as exc:
        _flash_error(exc)
        return _back(event, session_id)
    return _back(event, session_id, job=job.id)


@staff_bp.post("/<int:session_id>/rules")
@requires("staff", event_from="slug")
def rule(event, session_id: int):
    _session, setup = _staff_setup(event, session_id)
    form = RuleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_rule(setup, form.registration_id.data, form.organisation_id.data, form.kind.data,
                          form.slot_id.data, form.table.data)
    except services.MeetingError as exc:
        _flash_error(exc)
    else:
        flash(_("Saved. Run the matching again to apply it."), "info")
    return _back(event, session_id)


@staff_bp.post("/<int:session_id>/publish")
@requires("staff", event_from="slug")
def publish(event, session_id: int):
    _session, setup = _staff_setup(event, session_id)
    form = PublishForm()
    if not form.validate_on_submit():
        if set(form.errors) - {"understood"}:  # a token or the numbers missing: not from our page
            abort(400)
        flash(form.understood.errors[0], "error")
        return _back(event, session_id)
    try:
        published, cancelled = services.publish(setup, (int(form.attendees.data), int(form.contacts.data)))
    except services.MeetingError as exc:
        _flash_error(exc)
    else:
        flash(_("Published %(n)d meetings (%(c)d cancelled); attendees and employers are told by e-mail.",
                n=published, c=cancelled), "success")
    return _back(event, session_id)


@staff_bp.post("/<int:session_id>/day/<action>")
@requires("staff", event_from="slug")
def day(event, session_id: int, action: str):
    _session, setup = _staff_setup(event, session_id)
    try:
        if action == "refill":
            if not ConfirmForm().validate_on_submit():
                abort(400)
            new = meeting_day.refill_from_standby(setup)
            flash(_("%(n)d meetings offered to attendees on standby.", n=len(new)), "success")
        elif action in ("no-show", "standby"):
            form = RegistrationPickForm()
            if not form.validate_on_submit():
                abort(400)
            if action == "no-show":
                n = meeting_day.mark_no_show(setup, form.registration_id.data)
                flash(_("%(n)d meetings freed.", n=n), "info")
            else:
                meeting_day.add_standby(setup, form.registration_id.data)
        else:
            abort(404)
    except services.MeetingError as exc:
        _flash_error(exc)
    return _back(event, session_id)


@staff_bp.get("/<int:session_id>/sheets.pdf")
@requires("staff", event_from="slug")
def sheets_pdf(event, session_id: int):
    """Every employer's table × slot sheet, one page each, to print for the room."""
    _session, setup = _staff_setup(event, session_id)
    document = sheets.sheet_pdf(setup)
    return send_file(io.BytesIO(document.data), mimetype="application/pdf", conditional=True, etag=document.etag,
                     download_name=f"{event.slug}-tables-{session_id}.pdf")


@staff_bp.get("/<int:session_id>/instance.json")
@requires("staff", event_from="slug")
def instance(event, session_id: int):
    """The matcher instance as it would run now, for `flask --app wsgi match run` offline."""
    _session, setup = _staff_setup(event, session_id)
    body = json.dumps(instance_to_dict(build_instance(setup, setup.mode).instance), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=meetings-{session_id}.json"})


# ------------------------------------------------------------------------------------------ attendee


@bp.route("/r/<token>/meetings/<int:session_id>", methods=["GET", "POST"])
def attendee_wishes(token: str, session_id: int):
    registration = registration_or_404(token)
    session = db.session.get(Session, session_id)
    setup = services.setup_for_session(session) if session and session.event_id == registration.event_id else None
    if setup is None:
        abort(404)
    employers = sorted(setup.employers, key=lambda e: e.organisation.name.lower())
    errors = []
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        ranks, not_interested = {}, []
        for me in employers:
            value = request.form.get(f"rank-{me.organisation_id}", "")
            if value.isdigit() and 1 <= int(value) <= setup.max_wishes:
                ranks.setdefault(int(value), []).append(me.organisation_id)
            elif value:
                errors.append(_("Choose a rank from the list."))
            if request.form.get(f"not-{me.organisation_id}"):
                not_interested.append(me.organisation_id)
        if any(len(v) > 1 for v in ranks.values()):
            errors.append(_("Each rank only once, please."))
        if not errors:
            try:
                services.save_attendee_wishes(setup, registration, [ranks[k][0] for k in sorted(ranks)],
                                              not_interested)
            except services.MeetingError as exc:
                if exc.status == 403:
                    abort(403)
                errors.append(exc.message)
            else:
                flash(_("Your wishes are saved."), "success")
                return redirect(url_for("public.my_registration", token=token), 303)
    current = {w.organisation_id: w for w in services.attendee_wishes(setup, registration)}
    if request.method == "POST":  # show what was sent, not what is stored
        current = {me.organisation_id: AttendeeWish(rank=int(request.form[f"rank-{me.organisation_id}"])
                                                    if request.form.get(f"rank-{me.organisation_id}", "").isdigit()
                                                    else None, not_interested=bool(
                                                        request.form.get(f"not-{me.organisation_id}")))
                   for me in employers}
    filters, cards = _employer_cards(setup, registration, employers)
    return render_template("meetings/wishes.html", registration=registration, event=registration.event,
                           setup=setup, cards=cards, filters=filters, current=current, errors=errors,
                           can_wish=services.can_wish(setup, registration), form=ConfirmForm(),
                           offers_text=profile.offers_text, degrees_text=profile.degrees_text,
                           languages_text=profile.languages_text), 422 if errors or filters.errors else 200


def _employer_cards(setup, registration, employers) -> tuple[EmployerFilterForm, list[SimpleNamespace]]:
    """Each employer of the session with its profile and how it fits the attendee (the matcher's own filters and
    reasons), and whether the attendee's filters show it (hidden ones keep their rank in the form)."""
    filters = EmployerFilterForm(request.args)
    filters.validate()  # a bad value is named next to its field and left out
    offer = "" if filters.offer.errors else filters.offer.data
    fits = fit.fits_for_attendee(setup, registration.id)
    cards = []
    for me in employers:
        offered = profile_for(me.organisation_id)
        fits_me = fits.get(me.organisation_id)
        shown = ((not offer or offer in (offered.offers or []))
                 and (not filters.support.data or offered.visa_support or offered.blue_card_support)
                 and (not filters.fits.data or (fits_me is not None and fits_me.allowed)))
        cards.append(SimpleNamespace(me=me, profile=offered, fit=fits_me, shown=shown))
    return filters, cards


# ------------------------------------------------------------------------------------------ employer: employer_pages.py
