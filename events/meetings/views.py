"""Meeting pages: staff setup/draft/publish/day, the attendee's wishes (secret link), the employer's choices."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.inputs import db_id, id_arg
from events.employers.partnerships import partners_of
from events.employers.views import _staff_event, employer_required, partner_event_or_404
from events.registration.forms import ConfirmForm
from events.registration.views import registration_or_404
from events.meetings.matching.json_format import instance_to_dict
from events.meetings import agenda, figures, services  # noqa: F401  (figures registers console figures)
from events.meetings.build import build_instance
from events.meetings import day
from events.meetings.forms import ConfigureForm, RegistrationPickForm, RuleForm, RunForm, TablesForm
from events.meetings.models import AttendeeWish, MeetingStatus
from events.employers.models import PartnerStatus
from events.programme.models import Session

bp = Blueprint("meetings", __name__)
STAFF = "/staff/events/<slug>/meetings"


def _flash_error(exc: services.MeetingError):
    if exc.status == 404:
        abort(404)
    if exc.status == 403:
        abort(403)
    flash(exc.message, "error")


def _staff_setup(slug: str, session_id: int, create: bool = False):
    event = _staff_event(slug)
    session = db.session.get(Session, session_id)
    if session is None or session.event_id != event.id:
        abort(404)
    setup = services.setup_for_session(session)
    if setup is None and not create:
        abort(404)
    return event, session, setup


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


@bp.get(STAFF)
@login_required
def staff_index(slug: str):
    event = _staff_event(slug)
    sessions = services.networking_sessions(event)
    return render_template("meetings/staff_index.html", event=event,
                           items=[(s, services.setup_for_session(s)) for s in sessions])


@bp.get(STAFF + "/<int:session_id>")
@login_required
def staff_setup(slug: str, session_id: int):
    event, session, setup = _staff_setup(slug, session_id, create=True)
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
        context.update(meetings=meetings, rules=services.rules_of(setup), standby=day.standby_of(setup),
                       eligible=services.eligible_registrations(setup), stats=setup.draft_stats,
                       has_draft=any(m.status == MeetingStatus.DRAFT for m in meetings),
                       table_number=lambda m: services.table_number(setup, m.organisation_id, m.table),
                       reason=agenda.reason_text)
    return render_template("meetings/staff_setup.html", **context)


def _back(slug, session_id, **args):
    return redirect(url_for("meetings.staff_setup", slug=slug, session_id=session_id, **args), 303)


@bp.post(STAFF + "/<int:session_id>/configure")
@login_required
def staff_configure(slug: str, session_id: int):
    _event, session, _setup = _staff_setup(slug, session_id, create=True)
    form = ConfigureForm()
    if not form.validate_on_submit():
        flash(_("Please give whole numbers in the ranges shown."), "error")
        return _back(slug, session_id)
    try:
        services.configure(session, slot_minutes=form.slot_minutes.data,
                           changeover_minutes=form.changeover_minutes.data, max_meetings=form.max_meetings.data,
                           max_wishes=form.max_wishes.data)
    except services.MeetingError as exc:
        _flash_error(exc)
    else:
        flash(_("Saved."), "success")
    return _back(slug, session_id)


@bp.post(STAFF + "/<int:session_id>/employers")
@login_required
def staff_tables(slug: str, session_id: int):
    event, _session, setup = _staff_setup(slug, session_id)
    form = TablesForm()
    form.organisation_id.choices = [(p.organisation_id, p.organisation.name) for p in partners_of(event)]
    if not form.validate_on_submit():
        flash(_("Choose an employer and 0–50 tables."), "error")
        return _back(slug, session_id)
    try:
        services.set_employer(setup, form.organisation_id.data, form.tables.data, form.max_meetings.data)
    except services.MeetingError as exc:
        _flash_error(exc)
    return _back(slug, session_id)


@bp.post(STAFF + "/<int:session_id>/run")
@login_required
def staff_run(slug: str, session_id: int):
    _event, _session, setup = _staff_setup(slug, session_id)
    form = RunForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        job = services.start_run(setup, form.mode.data, current_user)
    except services.MeetingError as exc:
        _flash_error(exc)
        return _back(slug, session_id)
    return _back(slug, session_id, job=job.id)


@bp.post(STAFF + "/<int:session_id>/rules")
@login_required
def staff_rule(slug: str, session_id: int):
    _event, _session, setup = _staff_setup(slug, session_id)
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
    return _back(slug, session_id)


@bp.post(STAFF + "/<int:session_id>/publish")
@login_required
def staff_publish(slug: str, session_id: int):
    _event, _session, setup = _staff_setup(slug, session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        published, cancelled = services.publish(setup)
    except services.MeetingError as exc:
        _flash_error(exc)
    else:
        flash(_("Published %(n)d meetings (%(c)d cancelled); attendees and employers are told by e-mail.",
                n=published, c=cancelled), "success")
    return _back(slug, session_id)


@bp.post(STAFF + "/<int:session_id>/day/<action>")
@login_required
def staff_day(slug: str, session_id: int, action: str):
    _event, _session, setup = _staff_setup(slug, session_id)
    try:
        if action == "refill":
            if not ConfirmForm().validate_on_submit():
                abort(400)
            new = day.refill_from_standby(setup)
            flash(_("%(n)d meetings offered to attendees on standby.", n=len(new)), "success")
        elif action in ("no-show", "standby"):
            form = RegistrationPickForm()
            if not form.validate_on_submit():
                abort(400)
            if action == "no-show":
                n = day.mark_no_show(setup, form.registration_id.data)
                flash(_("%(n)d meetings freed.", n=n), "info")
            else:
                day.add_standby(setup, form.registration_id.data)
        else:
            abort(404)
    except services.MeetingError as exc:
        _flash_error(exc)
    return _back(slug, session_id)


@bp.get(STAFF + "/<int:session_id>/instance.json")
@login_required
def staff_instance(slug: str, session_id: int):
    """The matcher instance as it would run now, for `flask --app wsgi match run` offline."""
    _event, _session, setup = _staff_setup(slug, session_id)
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
    return render_template("meetings/wishes.html", registration=registration, event=registration.event,
                           setup=setup, employers=employers, current=current, errors=errors,
                           can_wish=services.can_wish(setup, registration), form=ConfirmForm()
                           ), 422 if errors else 200


# ------------------------------------------------------------------------------------------ employer


@bp.get("/employer/e/<slug>/meetings")
@employer_required
def employer_schedule(slug: str):
    event = partner_event_or_404(slug)
    meetings = [m for m in services.meetings_for_organisation(current_user.organisation_id, event)]
    setups = [s for s in services.setups_of(event)
              if current_user.organisation_id in {e.organisation_id for e in s.employers}]
    return render_template("meetings/employer_schedule.html", event=event, meetings=meetings, setups=setups,
                           table_number=lambda m: services.table_number(m.setup, m.organisation_id, m.table),
                           profile_lines=agenda.profile_lines, reason=agenda.reason_text)


@bp.route("/employer/e/<slug>/meetings/<int:session_id>/choose", methods=["GET", "POST"])
@employer_required
def employer_choose(slug: str, session_id: int):
    event = partner_event_or_404(slug)
    session = db.session.get(Session, session_id)
    setup = services.setup_for_session(session) if session and session.event_id == event.id else None
    if setup is None or current_user.organisation_id not in {e.organisation_id for e in setup.employers}:
        abort(404)
    pool, choices = services.employer_pool(setup, current_user.organisation_id)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        wishes, exclusions = [], []
        for key, value in request.form.items():
            if key.startswith("choice-") and db_id(key[7:]):
                (wishes if value == "wish" else exclusions if value == "exclude" else []).append(db_id(key[7:]))
        try:
            services.save_employer_choices(setup, current_user.organisation_id, wishes, exclusions)
        except services.MeetingError as exc:
            _flash_error(exc)
        else:
            flash(_("Your choices are saved."), "success")
        return redirect(url_for("meetings.employer_choose", slug=slug, session_id=session_id), 303)
    return render_template("meetings/employer_choose.html", event=event, setup=setup, pool=pool, choices=choices,
                           profile_lines=agenda.profile_lines, form=ConfirmForm())
