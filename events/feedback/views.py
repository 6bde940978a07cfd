"""The survey's pages: the attendee's answer (secret link) and the console's questions and results."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.accounts.permissions import requires
from events.feedback import services
from events.feedback.forms import SurveySettingsForm, answer_form
from events.registration.views import registration_or_404

public = Blueprint("feedback", __name__)
staff = Blueprint("feedback_console", __name__, url_prefix="/console/e/<slug>")


def _refusal(reason: str) -> str:
    return {"closed": _("The survey is closed."),
            "not_attended": _("The survey is for people who came to the day."),
            }.get(reason, _("Please check your answer."))


@public.app_template_global()
def feedback_offer(registration) -> dict | None:
    """For "My registration": the survey's state and whether this person answered; None when there is nothing to
    offer (no survey, not over yet, or they did not come)."""
    event = registration.event
    survey = services.survey_of(event)
    state = services.state(event, survey)
    if state not in ("open", "closed") or not services.came(registration):
        return None
    return {"state": state, "answered": services.answer_of(survey, registration) is not None,
            "url": url_for("feedback.answer", token=registration.token)}


@public.route("/r/<token>/feedback", methods=["GET", "POST"])
def answer(token: str):
    registration = registration_or_404(token)
    event = registration.event
    survey = services.survey_of(event)
    state = services.state(event, survey)
    if state == "none":
        abort(404, description="No survey for this day.")
    came = services.came(registration)
    sessions = services.rateable_sessions(registration) if came else []
    previous = services.answer_of(survey, registration)
    form = answer_form(survey, sessions, previous)
    if request.method == "POST" and state == "open" and came and form.validate_on_submit():
        try:
            services.submit_answer(registration, overall=getattr(form, "overall", None) and form.overall.data,
                                   session_ratings=form.session_ratings(),
                                   comment=form.comment.data if survey.ask_comment else "")
        except services.FeedbackError as exc:
            flash(_refusal(exc.reason), "error")
        else:
            flash(_("Thank you! You can change your answer until the survey closes."), "success")
            return redirect(url_for("feedback.answer", token=token), 303)
    status = 200
    if request.method == "POST":
        status = 422 if state == "open" and came else 409
    return render_template("feedback/answer.html", registration=registration, event=event, survey=survey,
                           state=state, came=came, form=form, answered=previous is not None), status


@staff.route("/feedback", methods=["GET", "POST"])
@requires("staff", event_from="slug")
def survey_page(event):
    survey = services.survey_of(event)
    form = SurveySettingsForm()
    if request.method == "GET":
        form.ask_overall.data = survey.ask_overall if survey else True
        form.ask_sessions.data = survey.ask_sessions if survey else True
        form.ask_comment.data = survey.ask_comment if survey else True
        form.anonymous.data = survey.anonymous if survey else True
        form.closed.data = survey is not None and survey.closed_at is not None
    elif form.validate_on_submit():
        services.save_survey(event, ask_overall=form.ask_overall.data, ask_sessions=form.ask_sessions.data,
                             ask_comment=form.ask_comment.data, anonymous=form.anonymous.data,
                             closed=form.closed.data)
        flash(_("Saved."), "success")
        return redirect(url_for("feedback_console.survey_page", slug=event.slug), 303)
    return render_template("feedback/staff_survey.html", event=event, form=form, survey=survey,
                           state=services.state(event, survey), results=services.results(event)), \
        422 if request.method == "POST" else 200
