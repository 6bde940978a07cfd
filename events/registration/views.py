"""Public pages of registration: registering for a welcome day, and the attendee's own page (secret link)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.content import localized
from app.formatting import fmt_range
from app.forms import show_rule_error
from app.security import isolated
from events.programme.views import event_or_404  # noqa: F401  (the API finds events through it, too)
from events.registration import services
from events.registration import queries
from events.registration.rules import RegistrationError
from events.registration.forms import ConfirmForm, ProfileForm, RegistrationForm, SessionChoiceForm
from events.registration.models import EnrolmentStatus, Registration, RegistrationStatus

bp = Blueprint("public", __name__)


def registration_or_404(token: str) -> Registration:
    """The registration behind a secret link, or 404 (an unknown link says nothing more)."""
    registration = queries.registration_by_token(token)
    if registration is None:
        abort(404, description="No registration behind this link.")
    return registration


def _session_label(seats: queries.SessionSeats, tz) -> str:
    s = seats.session
    # isolated: a title cannot reverse the rest
    label = f"{fmt_range(s.starts_at, s.ends_at, tz)} · {isolated(localized(s, 'title'))}"
    if seats.seats_left is not None:
        label += " · " + (_("full – waiting list") if seats.full else _("%(n)d seats left", n=seats.seats_left))
    return label


@bp.route("/e/<slug>/register", methods=["GET", "POST"])
def register(slug: str):
    event = event_or_404(slug)
    form = RegistrationForm()
    programme = [s for s in queries.session_seats(event) if not s.session.is_cancelled]
    form.sessions.choices = [(s.session.id, _session_label(s, event.tz)) for s in programme]
    if request.method == "GET":
        form.sessions.data = [int(x) for x in request.args.getlist("session")[:50]
                              if x.isascii() and x.isdigit() and len(x) < 10]
        form.offer_language_rows()
    if form.validate_on_submit():
        try:
            services.register_attendee(event.slug, form.registration_request())
        except RegistrationError as exc:
            show_rule_error(form, exc)
        else:
            return redirect(url_for("public.registered", slug=event.slug, email=form.email.data))
    status = 422 if request.method == "POST" else 200
    return render_template("registration/register.html", event=event, form=form,
                           is_open=event.registration_open()), status


@bp.route("/e/<slug>/registered")
def registered(slug: str):
    event = event_or_404(slug)
    return render_template("registration/registered.html", event=event, email=request.args.get("email", "")[:254])


@bp.route("/r/<token>/confirm")
def confirm(token: str):
    registration = registration_or_404(token)
    try:
        services.confirm_email(registration)
    except RegistrationError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Thank you, your e-mail address is confirmed."), "success")
    return redirect(url_for("public.my_registration", token=token))


@bp.route("/r/<token>")
def my_registration(token: str):
    registration = registration_or_404(token)
    event = registration.event
    chosen = {e.session_id for e in registration.active_enrolments}
    available = [s for s in queries.session_seats(event)
                 if s.session.id not in chosen and not s.session.is_cancelled]
    positions = {e.id: queries.waitlist_position(e) for e in registration.active_enrolments}
    return render_template(
        "registration/my_registration.html", registration=registration, event=event, attendee=registration.attendee,
        positions=positions, event_position=queries.event_waitlist_position(registration), available=available,
        form=ConfirmForm(), statuses=RegistrationStatus, enrolment_statuses=EnrolmentStatus,
        can_change=registration.status != RegistrationStatus.CANCELLED and event.registration_open())


@bp.route("/r/<token>/sessions", methods=["POST"])
def add_session(token: str):
    registration = registration_or_404(token)
    form = SessionChoiceForm()
    if not form.validate_on_submit():
        flash(_("Please choose a session."), "error")
        return redirect(url_for("public.my_registration", token=token)), 303
    try:
        enrolment = services.enrol(registration, form.session_id.data)
    except RegistrationError as exc:
        flash(exc.message, "error")
    else:
        if enrolment.status == EnrolmentStatus.CONFIRMED:
            flash(_("You have a seat in “%(title)s”.", title=isolated(localized(enrolment.session, "title"))),
                  "success")
        else:
            flash(_("“%(title)s” is full: you are on its waiting list, number %(n)d.",
                    title=isolated(localized(enrolment.session, "title")),
                    n=queries.waitlist_position(enrolment) or 0), "info")
    return redirect(url_for("public.my_registration", token=token), 303)


@bp.route("/r/<token>/sessions/<int:session_id>/drop", methods=["GET", "POST"])
def drop_session(token: str, session_id: int):
    """GET asks (saying what is given up: the seat, or the place on the waiting list); POST drops."""
    registration = registration_or_404(token)
    enrolment = next((e for e in registration.active_enrolments if e.session_id == session_id), None)
    form = ConfirmForm()
    if request.method == "GET":
        if enrolment is None or registration.status == RegistrationStatus.CANCELLED:
            return redirect(url_for("public.my_registration", token=token), 303)
        return render_template("registration/drop.html", registration=registration, event=registration.event,
                               enrolment=enrolment, position=queries.waitlist_position(enrolment),
                               seats=queries.seats_for(enrolment.session), form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        services.drop(registration, session_id)
    except RegistrationError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Done: the session is no longer in your day."), "success")
    return redirect(url_for("public.my_registration", token=token), 303)


@bp.route("/r/<token>/profile", methods=["GET", "POST"])
def edit_profile(token: str):
    registration = registration_or_404(token)
    form = ProfileForm()
    if request.method == "GET":
        form.fill_from(registration.attendee, registration)
    elif form.validate_on_submit():
        services.update_profile(registration, form.profile(), form.consent_sharing.data)
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("public.my_registration", token=token), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("registration/profile.html", registration=registration, event=registration.event,
                           form=form), status


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    registration = registration_or_404(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.cancel_registration(registration)
        flash(_("Your registration is cancelled. We are sorry to miss you."), "info")
        return redirect(url_for("public.my_registration", token=token), 303)
    return render_template("registration/cancel.html", registration=registration, event=registration.event, form=form)
