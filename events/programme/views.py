"""The programme's public pages: the welcome days to come, one day's programme with its seats, one session."""
from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l

from events.programme.models import Event
from events.registration import queries

bp = Blueprint("programme", __name__)

KIND_LABELS = {
    "workshop": _l("Workshop"), "talk": _l("Talk"), "panel": _l("Panel"), "networking": _l("Networking"),
    "info_stand": _l("Info stand"), "break": _l("Break"),
}


def event_or_404(slug: str) -> Event:
    """A published (or closed) welcome day by its slug, or 404: every public page and API call uses this."""
    event = queries.get_published_event(slug)
    if event is None:
        abort(404, description="No published welcome day with this slug.")
    return event


@bp.route("/")
def index():
    return render_template("programme/index.html", events=queries.upcoming_events())


@bp.route("/e/<slug>/")
def event_page(slug: str):
    event = event_or_404(slug)
    kind = request.args.get("kind") if request.args.get("kind") in KIND_LABELS else None
    language = request.args.get("language") if request.args.get("language") in (event.languages or []) else None
    programme = queries.session_seats(event, kind=kind, language=language)
    groups = [(start, list(items)) for start, items in groupby(programme, key=lambda s: s.session.starts_at)]
    return render_template("programme/event.html", event=event, groups=groups, kind=kind, language=language,
                           kinds=KIND_LABELS, places_taken=queries.places_taken(event))


@bp.route("/e/<slug>/s/<int:session_id>")
def session_page(slug: str, session_id: int):
    event = event_or_404(slug)
    session = queries.get_session(session_id)
    if session is None or session.event_id != event.id:
        abort(404)
    return render_template("programme/session.html", event=event, seats=queries.seats_for(session))
