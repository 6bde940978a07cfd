"""The reminders' staff page: the setting, what was sent, and a preview of the mail in each language."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.accounts.permissions import requires
from events.reminders import services
from events.reminders.forms import ReminderSettingForm

bp = Blueprint("reminders", __name__, url_prefix="/console/e/<slug>")


@bp.route("/reminders", methods=["GET", "POST"])
@requires("staff", event_from="slug")
def reminders(event):
    form = ReminderSettingForm()
    if request.method == "GET":
        form.days.data = event.reminder_days
    elif form.validate_on_submit():
        services.save_setting(event, form.parsed())
        flash(_("Saved."), "success")
        return redirect(url_for("reminders.reminders", slug=event.slug), 303)
    languages = current_app.config["LANGUAGES"]
    shown = request.args.get("preview", "")
    shown = shown if shown in languages else str(get_locale() or "en")
    return render_template("reminders/staff_reminders.html", event=event, form=form,
                           days=services.parse_days(event.reminder_days), sent=services.sent_counts(event),
                           preview=services.preview(event, shown), shown=shown,
                           languages=languages), 422 if request.method == "POST" else 200
