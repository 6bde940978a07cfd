"""Staff pages of the programme, under /console: events, rooms, sessions and roles. Each view states its role."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.content import content_languages, language_name
from app.forms import show_rule_error, with_translations
from app.accounts import services as accounts
from app.accounts.models import EventRole, EventRoleKind
from app.accounts.permissions import requires
from events.programme import services as console
from events.programme.content import describe, missing_translations
from events.programme.overview import programme_grid
from events.programme.forms import CancelSessionForm, CloneForm, EventForm, RoleForm, RoomForm, SessionForm
from app.extensions import db
from app.inputs import unreadable
from events.registration.forms import ConfirmForm
from events.registration.queries import seats_for, session_seats
from events.programme.models import EventStatus, Room, Session

bp = Blueprint("programme_staff", __name__, url_prefix="/console")


def _event_form(event) -> EventForm:
    """The event's form with a column of texts per content language; the main one first."""
    main = event.text_language if event is not None else content_languages()[0]
    form_class = with_translations(EventForm, content_languages(), main)
    form = form_class(obj=console.event_data_from(event) if event is not None and request.method == "GET" else None)
    form.main_language.choices = [(code, language_name(code)) for code in content_languages()]
    if request.method == "GET" and event is not None:
        form.fill_translations(event.translations)
    return form


def _event_data(form: EventForm) -> console.EventData:
    return console.EventData(
        main_language=form.main_language.data, texts_language=form.texts_language,
        translations=form.translation_data(),
        title=form.title.data, slug=form.slug.data, day=form.day.data, starts=form.starts.data,
        ends=form.ends.data, timezone=form.timezone.data, description=form.description.data or "",
        venue=form.venue.data or "", address=form.address.data or "",
        registration_opens_at=form.registration_opens_at.data,
        registration_closes_at=form.registration_closes_at.data, capacity=form.capacity.data,
        languages=form.languages.data, contact_email=form.contact_email.data or "",
        privacy_notice=form.privacy_notice.data or "")


@bp.route("/events/new", methods=["GET", "POST"])
@requires("admin")
def new_event():
    form = _event_form(None)
    if request.method == "GET":
        form.languages.data = ["en"]
    if form.validate_on_submit():
        try:
            event = console.create_event(_event_data(form))
        except console.ConsoleError as exc:
            show_rule_error(form, exc)
        else:
            flash(_("The welcome day is created as a draft. Add its rooms and sessions, then publish it."),
                  "success")
            return redirect(url_for("programme_staff.sessions", slug=event.slug), 303)
    return render_template("programme/event_form.html", form=form, event=None), 422 if form.errors else 200


@bp.route("/e/<slug>/edit", methods=["GET", "POST"])
@requires("staff", event_from="slug")
def edit_event(event):
    form = _event_form(event)
    if form.validate_on_submit():
        try:
            console.update_event(event, _event_data(form))
        except console.ConsoleError as exc:
            db.session.rollback()
            show_rule_error(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("dashboard.dashboard_page", slug=event.slug), 303)
    return render_template("programme/event_form.html", form=form, event=event), 422 if form.errors else 200


@bp.route("/e/<slug>/clone", methods=["GET", "POST"])
@requires("admin", event_from="slug")
def clone_event(event):
    form = CloneForm()
    if request.method == "GET":
        form.title.data = event.title
        form.slug.data = f"{event.slug}-copy"
    if form.validate_on_submit():
        try:
            copy = console.clone_event(event, title=form.title.data, slug=form.slug.data, day=form.day.data)
        except console.ConsoleError as exc:
            show_rule_error(form, exc)
        else:
            flash(_("Cloned. The new day is a draft; check its programme and publish it."), "success")
            return redirect(url_for("programme_staff.edit_event", slug=copy.slug), 303)
    return render_template("programme/clone.html", form=form, event=event), 422 if form.errors else 200


@bp.post("/e/<slug>/status")
@requires("staff", event_from="slug")
def set_status(event):
    wanted = request.form.get("status", "")
    if not ConfirmForm().validate_on_submit() or wanted not in {s.value for s in EventStatus}:
        abort(400)
    try:
        console.set_status(event, EventStatus(wanted))
    except console.ConsoleError as exc:
        flash(exc.message, "error")
    else:
        flash({"published": _("Published: the day is visible and open for registration."),
               "draft": _("The day is offline again (draft)."),
               "closed": _("Closed: the day stays visible, registration is closed.")}[wanted], "success")
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/console/") and not unreadable(back)
                    else url_for("dashboard.dashboard_page", slug=event.slug), 303)


# ----------------------------------------------------------------------------------------------- programme


def _room_choices(event):
    return [("", _("No room"))] + [(str(r.id), r.name) for r in event.rooms]


@bp.route("/e/<slug>/sessions", methods=["GET"])
@requires("staff", event_from="slug")
def sessions(event):
    return render_template("programme/sessions.html", event=event, programme=session_seats(event),
                           room_form=RoomForm(), confirm=ConfirmForm(),
                           missing=missing_translations(event), describe_missing=describe)


@bp.route("/e/<slug>/grid", methods=["GET"])
@requires("staff", event_from="slug")
def grid(event):
    return render_template("programme/grid.html", event=event, days=programme_grid(event))


def _session_or_404(event, session_id):
    if session_id is None:
        return None
    session = db.session.get(Session, session_id)
    if session is None or session.event_id != event.id:
        abort(404)
    return session


def _session_form(event, session) -> SessionForm:
    obj = console.session_data_from(session) if session and request.method == "GET" else None
    form = with_translations(SessionForm, content_languages(), event.text_language)(obj=obj)
    form.room_id.choices = _room_choices(event)
    if obj is not None:
        form.fill_translations(obj.translations)
        form.room_id.data = str(obj.room_id or "")
        form.starts_occurrence.data = None if obj.starts_fold is None else str(obj.starts_fold)
        form.ends_occurrence.data = None if obj.ends_fold is None else str(obj.ends_fold)
    return form


def _session_data(form: SessionForm) -> console.SessionData:
    return console.SessionData(
        title=form.title.data, kind=form.kind.data, starts=form.starts.data, ends=form.ends.data,
        abstract=form.abstract.data or "", room_id=int(form.room_id.data) if form.room_id.data else None,
        capacity=form.capacity.data, needs_seat=form.needs_seat.data, language=form.language.data,
        speakers=form.speakers.data or "", starts_fold=form.occurrence(form.starts_occurrence),
        ends_fold=form.occurrence(form.ends_occurrence), clash_reason=form.clash_reason.data or "",
        translations=form.translation_data())


@bp.route("/e/<slug>/sessions/new", methods=["GET", "POST"], defaults={"session_id": None})
@bp.route("/e/<slug>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@requires("staff", event_from="slug")
def edit_session(event, session_id):
    session = _session_or_404(event, session_id)
    form = _session_form(event, session)
    found = []
    if form.validate_on_submit():
        try:
            console.save_session(event, session, _session_data(form))
        except console.ConsoleError as exc:
            db.session.rollback()
            show_rule_error(form, exc)
            found = getattr(exc, "clashes", [])
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("programme_staff.sessions", slug=event.slug), 303)
    elif session is not None and request.method == "GET" and session.clash_override:
        found = console.session_clashes(event, session, session.starts_at, session.ends_at, session.room_id,
                                        session.speakers)
    return render_template("programme/session_form.html", form=form, event=event, session=session,
                           clashes=found), 422 if form.errors else 200


@bp.route("/e/<slug>/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@requires("staff", event_from="slug")
def cancel_session(event, session_id):
    session = db.session.get(Session, session_id)
    if session is None or session.event_id != event.id:
        abort(404)
    form = CancelSessionForm()
    if form.validate_on_submit():
        try:
            told = console.cancel_session(session, form.message.data or "")
        except console.ConsoleError as exc:
            flash(exc.message, "error")
        else:
            flash(_("The session is cancelled; %(n)d people are told by e-mail.", n=told), "success")
        return redirect(url_for("programme_staff.sessions", slug=event.slug), 303)
    return render_template("programme/cancel_session.html", form=form, event=event, seats=seats_for(session))


@bp.post("/e/<slug>/rooms", defaults={"room_id": None})
@bp.post("/e/<slug>/rooms/<int:room_id>")
@requires("staff", event_from="slug")
def save_room(event, room_id):
    room = None
    if room_id is not None:
        room = db.session.get(Room, room_id)
        if room is None or room.event_id != event.id:
            abort(404)
    form = with_translations(RoomForm, content_languages(), event.text_language)()
    if form.validate_on_submit():
        try:
            console.save_room(event, room, name=form.name.data, capacity=form.capacity.data,
                              floor=form.floor.data or "", translations=form.translation_data())
        except console.ConsoleError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash(_("Room saved."), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
    return redirect(url_for("programme_staff.sessions", slug=event.slug) + "#rooms", 303)


# ----------------------------------------------------------------------------------------------- roles


@bp.route("/e/<slug>/roles", methods=["GET", "POST"])
@requires("admin", event_from="slug")
def roles(event):
    form = RoleForm()
    if form.validate_on_submit():
        try:
            accounts.grant_role_by_email(form.email.data, event, EventRoleKind(form.role.data))
        except accounts.AccountError as exc:
            show_rule_error(form, exc)
        else:
            flash(_("Role given."), "success")
            return redirect(url_for("programme_staff.roles", slug=event.slug), 303)
    holders = db.session.scalars(db.select(EventRole).where(EventRole.event_id == event.id)
                                 .order_by(EventRole.role, EventRole.id)).all()
    return render_template("programme/roles.html", event=event, form=form, holders=holders, confirm=ConfirmForm()), \
        422 if form.errors else 200


@bp.post("/e/<slug>/roles/<int:role_id>/revoke")
@requires("admin", event_from="slug")
def revoke_role(event, role_id):
    role = db.session.get(EventRole, role_id)
    if role is None or role.event_id != event.id or not ConfirmForm().validate_on_submit():
        abort(404)
    accounts.revoke_role(role)
    flash(_("Role taken away."), "success")
    return redirect(url_for("programme_staff.roles", slug=event.slug), 303)
