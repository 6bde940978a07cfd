"""Pages: "become a partner" (public), the employer area (/employer) and staff pages (/staff/events/<slug>)."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from app.forms import show_rule_error
from app.extensions import db, limiter
from app.inputs import id_arg
from app.security import isolated
from events.registration import services as event_services
from events.employers import invitations, partnerships, profiles, services
from events.employers.errors import EmployerError
from events.employers.forms import (ROLE_LABELS, AcceptInvitationForm, CandidacyForm, DecisionForm,
                                    EmployerProfileForm, InviteForm, SlotForm, WorkshopForm)
from events.employers.models import BookingStatus
from events.registration.forms import ConfirmForm
from events.programme.models import Event
from events.employers.models import Organisation

bp = Blueprint("employers", __name__)
staff_bp = Blueprint("employers_staff", __name__, url_prefix="/staff/events/<slug>")



def employer_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_employer:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def partner_event_or_404(slug: str) -> Event:
    """An event the current employer's organisation takes part in; 404 otherwise (no hint it exists)."""
    event = db.session.scalars(select(Event).where(Event.slug == slug)).first()
    if event is None or not partnerships.is_accepted_partner(current_user.organisation_id, event.id):
        abort(404)
    return event


# ------------------------------------------------------------------------------------------ public


@bp.route("/e/<slug>/partner", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def apply(slug: str):
    event = event_services.get_published_event(slug)
    if event is None:
        abort(404)
    form = CandidacyForm()
    if form.validate_on_submit():
        try:
            partnerships.apply_as_partner(event, form.candidacy())
        except EmployerError as exc:
            show_rule_error(form, exc)
        else:
            return render_template("employers/applied.html", event=event, email=form.contact_email.data)
    status = 422 if request.method == "POST" else 200
    return render_template("employers/apply.html", event=event, form=form), status


@bp.route("/employer/invite/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def accept_invitation(token: str):
    invitation = invitations.invitation_by_token(token)
    if invitation is None:
        return render_template("employers/invitation_invalid.html"), 410
    form = AcceptInvitationForm()
    if request.method == "GET":
        form.name.data = invitation.name
    if form.validate_on_submit():
        try:
            user = invitations.accept_invitation(token, form.name.data, form.password.data)
        except EmployerError as exc:
            show_rule_error(form, exc)
        else:
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("employers.home"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("employers/accept_invitation.html", invitation=invitation, form=form), status


# ------------------------------------------------------------------------------------------ employer area


@bp.route("/employer/")
@employer_required
def home():
    organisation = db.session.get(Organisation, current_user.organisation_id)
    return render_template("employers/home.html", organisation=organisation,
                           partnerships=partnerships.employer_events(organisation.id),
                           contacts=partnerships.contacts_of(organisation.id), invite_form=InviteForm(),
                           roles=ROLE_LABELS)


@bp.route("/employer/contacts", methods=["POST"])
@employer_required
def invite():
    form = InviteForm()
    organisation = db.session.get(Organisation, current_user.organisation_id)
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    else:
        try:
            invitations.invite_contact(organisation, form.email.data, form.name.data or "", current_user)
        except EmployerError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Invitation sent to %(email)s.", email=isolated(form.email.data)), "success")
    return redirect(url_for("employers.home"), 303)


@bp.route("/employer/profile", methods=["GET", "POST"])
@employer_required
def profile():
    organisation = db.session.get(Organisation, current_user.organisation_id)
    form = EmployerProfileForm()
    if request.method == "GET":
        form.fill_from(profiles.profile_for(organisation.id), organisation)
    elif form.validate_on_submit():
        profiles.save_profile(organisation.id, form.data_object())
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("employers.home"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("employers/profile.html", organisation=organisation, form=form), status


@bp.route("/employer/e/<slug>/")
@employer_required
def event_home(slug: str):
    event = partner_event_or_404(slug)
    slots = services.slots_of(event)
    return render_template("employers/event.html", event=event, slots=slots,
                           bookings=services.bookings_of_organisation(current_user.organisation_id, event),
                           form=ConfirmForm(), statuses=BookingStatus)


@bp.route("/employer/e/<slug>/slots/<int:slot_id>/book", methods=["GET", "POST"])
@employer_required
def book(slug: str, slot_id: int):
    event = partner_event_or_404(slug)
    view = next((s for s in services.slots_of(event) if s.slot.id == slot_id), None)
    if view is None:
        abort(404)
    form = WorkshopForm()
    form.language.choices = [(code, code.upper()) for code in (event.languages or ["en"])]
    if request.method == "GET" and view.slot.room.capacity:
        form.capacity.data = view.slot.room.capacity
    if form.validate_on_submit():
        try:
            services.book_slot(current_user, event, slot_id, form.request())
        except EmployerError as exc:
            show_rule_error(form, exc)
        else:
            flash(_("Booked. The organisers will confirm your workshop."), "success")
            return redirect(url_for("employers.event_home", slug=slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("employers/book.html", event=event, view=view, form=form), status


@bp.route("/employer/e/<slug>/bookings/<int:booking_id>/withdraw", methods=["POST"])
@employer_required
def withdraw(slug: str, booking_id: int):
    event = partner_event_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_booking(current_user, event, booking_id)
    except EmployerError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
    else:
        flash(_("Your workshop is withdrawn; anyone enrolled has been told."), "info")
    return redirect(url_for("employers.event_home", slug=slug), 303)


# ------------------------------------------------------------------------------------------ staff


def _staff_event(slug: str) -> Event:
    event = db.session.scalars(select(Event).where(Event.slug == slug)).first()
    if event is None:
        abort(404)
    if not current_user.is_staff_for(event.id):
        abort(403)
    return event


@staff_bp.route("/partners", methods=["GET", "POST"])
@login_required
def partners(slug: str):
    event = _staff_event(slug)
    form = DecisionForm()
    if request.method == "POST":
        partner_id = id_arg("partner")
        if not form.validate_on_submit() or not partner_id:
            abort(400)
        try:
            partner = partnerships.decide_candidacy(event, partner_id, form.decision.data == "accept",
                                                form.message.data or "", current_user)
        except EmployerError as exc:
            if exc.status == 404:
                abort(404)
            flash(exc.message, "error")
        else:
            flash(_("%(org)s: %(status)s.", org=isolated(partner.organisation.name), status=partner.status.value),
                  "success")
        return redirect(url_for("employers_staff.partners", slug=slug), 303)
    return render_template("employers/staff_partners.html", event=event, partners=partnerships.partners_of(event),
                           form=form, roles=ROLE_LABELS)


@staff_bp.route("/slots", methods=["GET", "POST"])
@login_required
def slots(slug: str):
    event = _staff_event(slug)
    form = SlotForm()
    form.room_id.choices = [(r.id, f"{r.name} ({r.capacity or '∞'})") for r in event.rooms]
    if form.validate_on_submit():
        tz = event.tz
        try:
            services.create_slot(event, form.room_id.data, form.starts_at.data.replace(tzinfo=tz),
                                 form.ends_at.data.replace(tzinfo=tz), form.withdraw_deadline.data.replace(tzinfo=tz))
        except EmployerError as exc:
            show_rule_error(form, exc)
        else:
            flash(_("Slot published."), "success")
            return redirect(url_for("employers_staff.slots", slug=slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("employers/staff_slots.html", event=event, form=form, slots=services.slots_of(event),
                           bookings=services.bookings_of_event(event), decision_form=DecisionForm(),
                           confirm=ConfirmForm()), status


@staff_bp.route("/slots/<int:slot_id>/delete", methods=["POST"])
@login_required
def delete_slot(slug: str, slot_id: int):
    event = _staff_event(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_slot(event, slot_id)
    except EmployerError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
    return redirect(url_for("employers_staff.slots", slug=slug), 303)


@staff_bp.route("/bookings/<int:booking_id>", methods=["POST"])
@login_required
def decide_booking(slug: str, booking_id: int):
    event = _staff_event(slug)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        booking = services.decide_booking(event, booking_id, form.decision.data == "accept",
                                          form.message.data or "", current_user)
    except EmployerError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
    else:
        flash(_("“%(title)s”: %(status)s.", title=isolated(booking.title), status=booking.status.value), "success")
    return redirect(url_for("employers_staff.slots", slug=slug), 303)
