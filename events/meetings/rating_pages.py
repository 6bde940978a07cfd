"""Pages for the meeting ratings after the day: the rating form behind a person's signed link, and the staff page
(who gets the mail, how many; ratings by the matcher's score band), plus the staff room plan (PDF)."""
from __future__ import annotations

import io

from babel.numbers import format_decimal
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_babel import gettext as _

from app.accounts.permissions import requires
from app.formatting import fmt_datetime, fmt_range
from events.meetings import ratings, room_plan
from events.meetings.forms import RatingClosingForm, RatingMailForm, rating_answers, rating_form
from events.meetings.models import RatingSide
from events.meetings.views import bp, staff_bp
from events.programme.times import local_to_utc, utc_to_local


def _label(rater: ratings.Rater, event):
    def label(meeting) -> str:
        if rater.side == RatingSide.ATTENDEE:
            other = meeting.organisation.name
        elif meeting.registration.consent_sharing_at is not None:
            other = meeting.registration.attendee.full_name
        else:
            other = _("an attendee who no longer shares their profile")
        return f"{fmt_range(meeting.slot.starts_at, meeting.slot.ends_at, event.tz)} · \u2068{other}\u2069"
    return label


def _mean(value: float | None) -> str:
    """A mean rating as the reader writes numbers ("4.50", "4,50"), or a dash when nobody rated."""
    return "–" if value is None else format_decimal(value, format="0.00", locale=get_locale())


@bp.app_template_global()
def meeting_rating_link(registration) -> str | None:
    """For "My registration": the attendee's rating link while ratings are open and they had a meeting."""
    rater = ratings.Rater(registration.event, RatingSide.ATTENDEE, registration=registration)
    if ratings.state(registration.event) != "open" or not ratings.meetings_of(rater):
        return None
    return url_for("meetings.rate", token=ratings.link_token(rater))


@bp.app_template_global()
def employer_rating_link(event) -> str | None:
    """For the employer's event page: the signed-in contact's rating link while ratings are open."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    if user is None or user.organisation_id is None or ratings.state(event) != "open":
        return None
    rater = ratings.Rater(event, RatingSide.EMPLOYER, user=user)
    return url_for("meetings.rate", token=ratings.link_token(rater)) if ratings.meetings_of(rater) else None


@bp.route("/rate/<token>", methods=["GET", "POST"])
def rate(token: str):
    """One form with every meeting the person had: a 1-5 rating and a comment each, editable until it closes."""
    rater = ratings.rater_of(token)
    if rater is None:
        abort(404, description="No ratings behind this link.")
    event, state = rater.event, ratings.state(rater.event)
    meetings = ratings.meetings_of(rater)
    form = rating_form(meetings, ratings.ratings_of(rater), _label(rater, event))
    status = 200
    if request.method == "POST":
        status = 409 if state != "open" else 422
        if state == "open" and form.validate_on_submit():
            try:
                ratings.save(rater, rating_answers(form))
            except ratings.RatingError as exc:
                flash(exc.message, "error")
                status = exc.status
            else:
                flash(_("Thank you! You can change your ratings until %(when)s.",
                        when=fmt_datetime(ratings.round_of(event).closes_at, event.tz, "short")), "success")
                return redirect(url_for("meetings.rate", token=token), 303)
    return render_template("meetings/rate.html", event=event, rater=rater, state=state, form=form,
                           rnd=ratings.round_of(event)), status


def _ratings_page(event, closing: RatingClosingForm | None = None, status: int = 200):
    counts = ratings.pending(event)
    form = RatingMailForm(attendees=counts[0], contacts=counts[1])
    rnd = ratings.round_of(event)
    if closing is None and rnd is not None:
        closing = RatingClosingForm(closes_at=utc_to_local(rnd.closes_at, event.timezone))
    return render_template("meetings/staff_ratings.html", event=event, state=ratings.state(event), counts=counts,
                           form=form, closing=closing, bands=ratings.bands(event), rnd=rnd, mean=_mean), status


@staff_bp.get("/ratings")
@requires("staff", event_from="slug")
def ratings_page(event):
    return _ratings_page(event)


@staff_bp.post("/ratings/closing")
@requires("staff", event_from="slug")
def rating_closing(event):
    """Close the ratings earlier, or keep them open longer."""
    try:
        ratings.open_round(event)  # before it opens, the page has no such form to show errors in
    except ratings.RatingError as exc:
        abort(exc.status, description=exc.message)
    form = RatingClosingForm()
    if form.validate_on_submit():
        try:
            rnd = ratings.set_closing(event, local_to_utc(form.closes_at.data, event.timezone))
        except ratings.RatingError as exc:
            form.closes_at.errors.append(exc.message)
        else:
            flash(_("Ratings can be given or changed until %(when)s.",
                    when=fmt_datetime(rnd.closes_at, event.tz, "short")), "success")
            return redirect(url_for("meetings_staff.ratings_page", slug=event.slug), 303)
    return _ratings_page(event, form, 422)


@staff_bp.post("/ratings/send")
@requires("staff", event_from="slug")
def send_ratings(event):
    form = RatingMailForm()
    if not form.validate_on_submit():
        if set(form.errors) - {"understood", "days_open"}:  # a token or the numbers missing: not from our page
            abort(400)
        flash(next(iter(form.errors.values()))[0], "error")
    else:
        try:
            sent = ratings.send_mails(event, (int(form.attendees.data), int(form.contacts.data)),
                                      days_open=form.days_open.data)
        except ratings.RatingError as exc:
            flash(exc.message, "error")
        else:
            flash(_("%(n)d rating e-mails written to the outbox.", n=sent), "success")
    return redirect(url_for("meetings_staff.ratings_page", slug=event.slug), 303)


@staff_bp.get("/room-plan.pdf")
@requires("staff", event_from="slug")
def room_plan_pdf(event):
    """Which employer sits at which table in which room, per networking session."""
    document = room_plan.room_plan_pdf(event)
    return send_file(io.BytesIO(document.data), mimetype="application/pdf", conditional=True, etag=document.etag,
                     download_name=f"{event.slug}-room-plan.pdf")
