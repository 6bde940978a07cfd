"""Pages: "become a partner" (public), the employer area (/employer) and staff pages (/console/e/<slug>/…)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from app.accounts.permissions import ACTING_ORGANISATION, acting_employer, acting_organisation_id, requires
from app.content import content_languages
from app.forms import show_rule_error, with_translations
from app.extensions import db, limiter
from app.inputs import db_id, id_arg
from app.security import isolated
from events.registration import queries
from events.employers import invitations, partnerships, profiles, services
from events.employers.errors import EmployerError
from events.employers.forms import (ROLE_LABELS, AcceptInvitationForm, CandidacyForm, DecisionForm,
                                    EmployerProfileForm, InviteForm, SlotForm, WorkshopForm)
from events.employers.models import BookingStatus
from events.registration.forms import ConfirmForm
from events.employers.models import Organisation

bp = Blueprint("employers", __name__)
staff_bp = Blueprint("employers_staff", __name__, url_prefix="/console/e/<slug>")
# Where these pages were before they joined the console: the old URLs answer a permanent redirect.
OLD_STAFF_URLS = [("/staff/events/<slug>/partners", "/console/e/<slug>/partners"),
                  ("/staff/events/<slug>/slots", "/console/e/<slug>/slots"),
                  ("/staff/events/<slug>/slots/<int:slot_id>/delete", "/console/e/<slug>/slots/<slot_id>/delete"),
                  ("/staff/events/<slug>/bookings/<int:booking_id>", "/console/e/<slug>/bookings/<booking_id>")]


def takes_part(organisation_id: int, event) -> bool:
    """The employer check of ``@requires("employer", event_from=…)``: an accepted partner of the event."""
    return services.is_accepted_partner(organisation_id, event.id)


def choose_organisation_first():
    """An administrator on an employer page who has not chosen whom to act for: the chooser, then back."""
    return redirect(url_for("employers.choose_organisation", next=request.full_path.rstrip("?")), 303)


# ------------------------------------------------------------------------------------------ public


@bp.route("/e/<slug>/partner", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def apply(slug: str):
    event = queries.get_published_event(slug)
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


@bp.route("/employer/act-for", methods=["GET", "POST"])
@requires("admin")
def choose_organisation():
    """Administrators may use the employer pages: they choose which organisation to act for."""
    form = ConfirmForm()
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, db_id(request.form.get("organisation", "")) or 0)
        if organisation is None:
            abort(400)
        session[ACTING_ORGANISATION] = organisation.id
        flash(_("You act for %(org)s now.", org=isolated(organisation.name)), "success")
        back = request.args.get("next", "")
        return redirect(back if back.startswith("/employer/") else url_for("employers.home"), 303)
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("employers/choose_organisation.html", organisations=organisations, form=form,
                           acting=acting_organisation_id())


@bp.route("/employer/")
@requires("employer")
def home():
    organisation = db.session.get(Organisation, acting_organisation_id())
    return render_template("employers/home.html", organisation=organisation,
                           partnerships=partnerships.employer_events(organisation.id),
                           contacts=partnerships.contacts_of(organisation.id), invite_form=InviteForm(),
                           roles=ROLE_LABELS)


@bp.route("/employer/contacts", methods=["POST"])
@requires("employer")
def invite():
    form = InviteForm()
    organisation = db.session.get(Organisation, acting_organisation_id())
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    else:
        try:
            invitations.invite_contact(organisation, form.email.data, form.name.data or "", current_user)
        except EmployerError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Invitation sent to %(email)s.", email=isolated(form.email.data)), "success")
    return redirect(url_for("employers.home"), 303)


@bp.route("/employer/profile", methods=["GET", "POST"])
@requires("employer")
def profile():
    organisation = db.session.get(Organisation, acting_organisation_id())
    form = with_translations(EmployerProfileForm, content_languages(), organisation.text_language)()
    if request.method == "GET":
        form.fill_from(profiles.profile_for(organisation.id), organisation)
    elif form.validate_on_submit():
        try:
            profiles.save_profile(organisation.id, form.data_object())
        except EmployerError as exc:
            show_rule_error(form, exc)
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("employers.home"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("employers/profile.html", organisation=organisation, form=form), status


@bp.route("/employer/e/<slug>/")
@requires("employer", event_from="slug")
def event_home(event):
    slots = services.slots_of(event)
    return render_template("employers/event.html", event=event, slots=slots,
                           bookings=services.bookings_of_organisation(acting_organisation_id(), event),
                           form=ConfirmForm(), statuses=BookingStatus)


@bp.route("/employer/e/<slug>/slots/<int:slot_id>/book", methods=["GET", "POST"])
@requires("employer", event_from="slug")
def book(event, slot_id: int):
    view = next((s for s in services.slots_of(event) if s.slot.id == slot_id), None)
    if view is None:
        abort(404)
    form = WorkshopForm()
    form.language.choices = [(code, code.upper()) for code in (event.languages or ["en"])]
    if request.method == "GET" and view.slot.room.capacity:
        form.capacity.data = view.slot.room.capacity
    if form.validate_on_submit():
        try:
            services.book_slot(acting_employer(), event, slot_id, form.request())
        except EmployerError as exc:
            show_rule_error(form, exc)
        else:
            flash(_("Booked. The organisers will confirm your workshop."), "success")
            return redirect(url_for("employers.event_home", slug=event.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("employers/book.html", event=event, view=view, form=form), status


@bp.route("/employer/e/<slug>/bookings/<int:booking_id>/withdraw", methods=["POST"])
@requires("employer", event_from="slug")
def withdraw(event, booking_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_booking(acting_employer(), event, booking_id)
    except EmployerError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
    else:
        flash(_("Your workshop is withdrawn; anyone enrolled has been told."), "info")
    return redirect(url_for("employers.event_home", slug=event.slug), 303)


# ------------------------------------------------------------------------------------------ staff


@staff_bp.route("/partners", methods=["GET", "POST"])
@requires("staff", event_from="slug")
def partners(event):
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
        return redirect(url_for("employers_staff.partners", slug=event.slug), 303)
    return render_template("employers/staff_partners.html", event=event, partners=partnerships.partners_of(event),
                           form=form, roles=ROLE_LABELS)


@staff_bp.route("/slots", methods=["GET", "POST"])
@requires("staff", event_from="slug")
def slots(event):
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
            return redirect(url_for("employers_staff.slots", slug=event.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("employers/staff_slots.html", event=event, form=form, slots=services.slots_of(event),
                           bookings=services.bookings_of_event(event), decision_form=DecisionForm(),
                           confirm=ConfirmForm()), status


@staff_bp.route("/slots/<int:slot_id>/delete", methods=["POST"])
@requires("staff", event_from="slug")
def delete_slot(event, slot_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_slot(event, slot_id)
    except EmployerError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
    return redirect(url_for("employers_staff.slots", slug=event.slug), 303)


@staff_bp.route("/bookings/<int:booking_id>", methods=["POST"])
@requires("staff", event_from="slug")
def decide_booking(event, booking_id: int):
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
    return redirect(url_for("employers_staff.slots", slug=event.slug), 303)
