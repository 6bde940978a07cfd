"""Privacy: the notice per event, an attendee's data as JSON, deleting one's data, purging after the event.

Erasing keeps the counts: the attendee row stays with its country and university (for the statistics) but
without name, e-mail address or anything else that points to the person; registrations stay, cancelled, with
their dates; mails still waiting in the outbox to that address are deleted, and the secret links stop working.
"""
from __future__ import annotations

from datetime import timedelta

import click
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.audit import audit
from app.extensions import db, utcnow
from app.mail import OutboxMessage
from events.registration import services
from events.registration import queries
from events.registration import store
from events.registration.profile import FIELDS, stored_value
from events.registration.signals import collect, erasing, personal_data
from events.registration.forms import ConfirmForm
from events.registration.views import registration_or_404
from events.registration.models import Attendee, Registration, RegistrationStatus
from events.programme.models import Event

ERASED_DOMAIN = "erased.invalid"


def is_erased(attendee: Attendee) -> bool:
    return attendee.email.endswith("@" + ERASED_DOMAIN)


def attendee_data(attendee: Attendee) -> dict:
    """Everything we hold about one person, as JSON (the right of access)."""
    def iso(v):
        return v.isoformat() if v else None
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == attendee.email)
                               .order_by(OutboxMessage.id)).all()
    extra = {key: value for part in collect(personal_data, attendee=attendee) for key, value in part.items()}
    return {
        "exported_at": utcnow().isoformat(),
        "profile": {"email": attendee.email, **{f.name: stored_value(f, attendee) for f in FIELDS},
                    "created_at": iso(attendee.created_at)},
        "registrations": [{
            "event": r.event.title, "event_date": iso(r.event.starts_at), "status": r.status.value,
            "registered_at": iso(r.created_at), "email_confirmed_at": iso(r.email_confirmed_at),
            "cancelled_at": iso(r.cancelled_at),
            "consents": {
                "processing": {"given_at": iso(r.consent_processing_at),
                               "wording_version": r.consent_processing_version},
                "sharing_with_employers": {"given_at": iso(r.consent_sharing_at),
                                           "wording_version": r.consent_sharing_version},
            },
            "sessions": [{"title": e.session.title, "starts_at": iso(e.session.starts_at), "status": e.status.value}
                         for e in r.enrolments],
        } for r in attendee.registrations],
        "emails": [{"subject": m.subject, "written_at": iso(m.created_at), "sent_at": iso(m.sent_at)}
                   for m in mails],
        **extra,  # what the other features hold (events/registration/signals.py)
    }


def erase_attendee(attendee: Attendee, reason: str) -> None:
    """Cancel what is still open (places go to the waiting list), then erase the personal data."""
    for registration in list(attendee.registrations):
        if registration.status != RegistrationStatus.CANCELLED and registration.event.ends_at > utcnow():
            services.cancel_registration(registration, reason=reason)
    attendee = db.session.get(Attendee, attendee.id)
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.to == attendee.email))
    collect(erasing, attendee=attendee)  # the other features delete what they hold about the person
    # Country, university, degree and language for e-mails stay, for the statistics; nothing else points to them.
    store.update_attendee(attendee.id, email=f"attendee-{attendee.id}@{ERASED_DOMAIN}", full_name="",
                          badge_name="", latin_name="", field_of_study="", graduation_date=None, languages={}, seeking=[])
    now = utcnow()
    for registration in attendee.registrations:
        store.renew_link(registration.id)  # a new link nobody is told: every old one (even from before hashing) dies
        store.update_registration(registration.id, pending_profile=None)
        if registration.status != RegistrationStatus.CANCELLED:
            store.cancel_registration(registration.id, now, reason)
    db.session.commit()


def purge(days: int, *, dry_run: bool = False) -> int:
    """Erase the people whose every registration is for a day that ended more than ``days`` days ago."""
    cutoff = utcnow() - timedelta(days=days)
    old_events = select(Event.id).where(Event.ends_at < cutoff)
    # DISTINCT on ids only: PostgreSQL cannot compare the JSON columns of whole rows.
    ids = select(Registration.attendee_id).where(Registration.event_id.in_(old_events)).distinct()
    candidates = db.session.scalars(
        select(Attendee).where(Attendee.id.in_(ids), Attendee.email.not_like(f"%@{ERASED_DOMAIN}"))
        .order_by(Attendee.id)).all()
    erased = 0
    for attendee in candidates:
        if any(r.event.ends_at >= cutoff for r in attendee.registrations):
            continue  # also coming to a later day: their data is still needed
        erased += 1
        if not dry_run:
            erase_attendee(attendee, "purged")
    if erased and not dry_run:
        audit("privacy.purge", None, None, {"attendees": erased, "days": days})
        db.session.commit()
    return erased


# ------------------------------------------------------------------------------------------------ views

bp = Blueprint("privacy", __name__)


@bp.get("/e/<slug>/privacy")
def notice(slug: str):
    event = queries.get_published_event(slug)
    if event is None:
        abort(404)
    return render_template("registration/privacy_notice.html", event=event, version=services.CONSENT_VERSION,
                           days=current_app.config["PURGE_AFTER_DAYS"])


@bp.get("/r/<token>/data.json")
def download(token: str):
    registration = registration_or_404(token)
    response = jsonify(attendee_data(registration.attendee))
    response.headers["Content-Disposition"] = "attachment; filename=welcomeday-my-data.json"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<token>/delete", methods=["GET", "POST"])
def delete_account(token: str):
    registration = registration_or_404(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        slug = registration.event.slug
        erase_attendee(registration.attendee, "deleted")
        flash(_("Your data is deleted. Thank you for your interest, and all the best."), "info")
        return redirect(url_for("programme.event_page", slug=slug) if queries.get_published_event(slug)
                        else url_for("programme.index"), 303)
    return render_template("registration/privacy_delete.html", registration=registration, event=registration.event, form=form)


@click.command("purge")
@click.option("--days", type=int, default=None, help="Days after a welcome day (default: PURGE_AFTER_DAYS).")
@click.option("--dry-run", is_flag=True, help="Only count.")
@with_appcontext
def purge_command(days: int | None, dry_run: bool) -> None:
    """Erase personal data a number of days after each welcome day (counts are kept)."""
    days = current_app.config["PURGE_AFTER_DAYS"] if days is None else days
    if days < 0:
        raise click.ClickException("--days must be 0 or more")
    n = purge(days, dry_run=dry_run)
    click.echo(f"{'would erase' if dry_run else 'erased'} {n} attendees (days after the event: {days})")
