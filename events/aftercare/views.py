"""Certificates from "My registration" and the funders' report from the console."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for
from flask_babel import get_locale

from app.accounts.permissions import requires
from app.extensions import utcnow
from events.aftercare import services
from events.aftercare.attendance import attendance
from events.registration.views import registration_or_404

public = Blueprint("aftercare", __name__)
staff = Blueprint("aftercare_console", __name__, url_prefix="/console/e/<slug>")


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "private, no-store"})


@public.app_template_global()
def certificate_url(registration) -> str | None:
    """For "My registration": the certificate's link once the day is over, for a person who came."""
    if registration.event.ends_at > utcnow() or registration.id not in attendance(registration.event).came:
        return None
    return url_for("aftercare.certificate", token=registration.token)


@public.get("/r/<token>/certificate.pdf")
def certificate(token: str):
    registration = registration_or_404(token)
    try:
        data = services.certificate_pdf(registration)
    except services.NotAttended:
        return render_template("aftercare/no_certificate.html", registration=registration,
                               event=registration.event), 404
    return _pdf(data, f"certificate-{registration.event.slug}.pdf")


@staff.get("/after-the-day")
@requires("staff", event_from="slug")
def after_the_day(event):
    this, last = services.report(event)
    return render_template("aftercare/staff_after.html", event=event, this=this, last=last,
                           certificates=len(attendance(event).came))


@staff.get("/after-the-day/report.pdf")
@requires("staff", event_from="slug")
def report_pdf(event):
    return _pdf(services.report_pdf(event, str(get_locale() or "en")), f"report-{event.slug}.pdf")
