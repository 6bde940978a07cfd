"""Certificates of attendance and the funders' one-page report, both PDF.

A certificate is for a person who came (checked in at the main door or any session; events/aftercare/attendance)
and lists the sessions they were checked in to, in their language. The report puts the day's figures beside last
year's day (``Event.previous_event_id``, set by "clone last year's day"), computed by the dashboard's own
functions (events/dashboard/figures.py) so that the two never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale

from app.console.plugins import figure
from app.extensions import db, utcnow
from app.pdf import render_pdf
from events.aftercare.attendance import attendance
from events.dashboard import figures
from events.programme.models import Event
from events.registration.models import Registration
from events.registration.profile import DEGREE_LABELS
from events.registration.models import DegreeLevel


class NotAttended(LookupError):
    """This person did not come: no certificate."""


def certificate_sessions(registration: Registration) -> list:
    """The sessions the person was checked in to, in the programme's order; NotAttended when they did not come."""
    seen = attendance(registration.event)
    if registration.id not in seen.came:
        raise NotAttended(registration.id)
    attended = seen.sessions_of(registration.id)
    return [s for s in registration.event.sessions if s.id in attended]


def certificate_pdf(registration: Registration) -> bytes:
    sessions = certificate_sessions(registration)
    attendee = registration.attendee
    locale = attendee.locale if attendee.locale in ("en", "de", "nl") else "en"
    with force_locale(locale):
        html = render_template("pdf/certificate.html", event=registration.event, attendee=attendee,
                               sessions=sessions, locale=locale, issued=utcnow())
    return render_pdf(html)


@dataclass
class DayFigures:
    event: Event
    registered: int      # holding a place (pending or confirmed), as the dashboard counts
    came: int | None     # checked in at the main door (None: no check-in data)
    countries: list[tuple[str, int]]
    universities: list[tuple[str, int]]
    degrees: list[tuple[str, int]]
    sessions: list[tuple[str, int, int | None]]  # (title, taken, capacity)
    meetings: dict | None
    feedback: dict | None

    @property
    def fill(self) -> float | None:
        limited = [(t, c) for _n, t, c in self.sessions if c]
        return sum(t for t, _c in limited) / sum(c for _t, c in limited) if limited else None


def day_figures(event: Event) -> DayFigures:
    d = figures.build(event)
    feedback = figure("feedback")
    return DayFigures(
        event=event, registered=d.holding, came=d.checked_in, countries=d.countries[:5],
        universities=d.universities[:5],
        degrees=[(str(DEGREE_LABELS[DegreeLevel(level)]), n) for level, n in figures.degree_levels(event)],
        sessions=[(s.session.title, s.taken, s.session.capacity) for s in d.sessions], meetings=d.meetings,
        feedback=feedback(event) if feedback else None)


def report(event: Event) -> tuple[DayFigures, DayFigures | None]:
    previous = db.session.get(Event, event.previous_event_id) if event.previous_event_id else None
    return day_figures(event), day_figures(previous) if previous else None


def report_pdf(event: Event, locale: str) -> bytes:
    with force_locale(locale):
        this, last = report(event)
        html = render_template("pdf/funders_report.html", event=event, this=this, last=last, issued=utcnow())
    return render_pdf(html)
