"""Agenda downloads and calendar feeds: programme booklet, event and session .ics, personal agenda and feed."""
from __future__ import annotations

import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.accounts.permissions import acting_employer, requires
from app.content import content_languages, localized
from app.extensions import db
from app.storage import StoredDocument
from app.urls import external_url
from events.agendas.items import items_for_registration, items_for_user
from events.agendas import documents, feeds
from events.agendas.calendar import build_calendar, etag_for, last_modified
from events.agendas.providers import session_item
from events.programme.models import Event, EventStatus, Session
from events.employers.models import EventPartner, PartnerStatus
from events.registration.views import event_or_404, registration_or_404

bp = Blueprint("agendas", __name__)


def _calendar_response(body: bytes, stamp, filename: str, *, private: bool, download: bool = False) -> Response:
    response = Response(body, mimetype="text/calendar")
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.set_etag(etag_for(body))
    response.last_modified = stamp
    # Calendar apps poll: let them revalidate cheaply (304) rather than cache blindly.
    response.cache_control.no_cache = True
    if private:
        response.cache_control.private = True
        response.headers["X-Robots-Tag"] = "noindex"
    else:
        response.cache_control.public = True
    return response.make_conditional(request)


def _pdf_response(document: StoredDocument, filename: str) -> Response:
    response = send_file(io.BytesIO(document.data), mimetype="application/pdf", download_name=filename,
                         conditional=True, etag=document.etag, last_modified=document.created_at)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


def feed_links(token: str) -> dict:
    https = external_url("agendas.personal_feed", feed_token=token)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@bp.app_template_global()
def agenda_links(registration) -> dict:
    """Links for the downloads on "My registration" (used by templates/events/_agenda_downloads.html)."""
    return {"pdf": url_for("agendas.registration_agenda", token=registration.token),
            **feed_links(feeds.feed_token(registration_id=registration.id))}


# ------------------------------------------------------------------------------------------- public


@bp.route("/e/<slug>/programme.pdf")
def programme_pdf(slug: str):
    event = event_or_404(slug)
    size = request.args.get("size", "a4").lower()
    if size not in documents.PAGE_SIZES:
        abort(404)
    document = documents.programme_pdf(event, size)
    return _pdf_response(document, f"{event.slug}-programme-{size}.pdf")


def _feed_language(event: Event) -> str:
    """A public feed's language: ``?lang=`` when it is one of the content languages, else the event's main one
    (calendar apps send no Accept-Language worth following, and a subscription must not change language)."""
    wanted = request.args.get("lang", "")
    return wanted if wanted in content_languages() else event.text_language


@bp.route("/e/<slug>/programme.ics")
def event_feed(slug: str):
    event = event_or_404(slug)
    sessions = db.session.scalars(select(Session).where(Session.event_id == event.id)
                                  .order_by(Session.starts_at, Session.id)).all()
    with force_locale(_feed_language(event)):
        items = [session_item(event, s) for s in sessions]
        body = build_calendar(event, items, name=localized(event, "title"), uid=f"event-{event.id}")
    return _calendar_response(body, last_modified(event, items), f"{event.slug}.ics", private=False)


@bp.route("/e/<slug>/s/<int:session_id>/calendar.ics")
def session_ics(slug: str, session_id: int):
    event = event_or_404(slug)
    session = db.session.get(Session, session_id)
    if session is None or session.event_id != event.id:
        abort(404)
    with force_locale(_feed_language(event)):
        items = [session_item(event, session)]
        body = build_calendar(event, items, name=localized(session, "title"), uid=f"session-{session.id}-file")
    return _calendar_response(body, last_modified(event, items), f"{event.slug}-session-{session.id}.ics",
                              private=False, download=True)


# ------------------------------------------------------------------------------------------- attendees


@bp.route("/r/<token>/agenda.pdf")
def registration_agenda(token: str):
    registration = registration_or_404(token)
    document = documents.agenda_for_registration(registration)
    db.session.commit()  # the badge issued on first use
    return _pdf_response(document, f"{registration.event.slug}-agenda.pdf")


@bp.route("/r/<token>/calendar/renew", methods=["POST"])
def renew_registration_feed(token: str):
    registration = registration_or_404(token)
    feeds.renew(registration_id=registration.id)
    flash(_("Your calendar link is renewed; the old link no longer works. Subscribe again with the new one."),
          "success")
    return redirect(url_for("public.my_registration", token=token) + "#agenda", 303)


@bp.route("/calendar/<feed_token>.ics")
def personal_feed(feed_token: str):
    holder = feeds.resolve(feed_token)
    if holder is None:
        abort(404)
    event = holder.event
    if holder.registration is not None:
        locale = holder.registration.attendee.locale or "en"
        with force_locale(locale):
            items = items_for_registration(holder.registration, include_cancelled=True)
            body = build_calendar(event, items, name=localized(event, "title"),
                                  uid=f"agenda-reg-{holder.registration.id}")
    else:
        with force_locale(holder.user.locale or "en"):
            items = items_for_user(holder.user, event, include_cancelled=True)
            body = build_calendar(event, items, name=localized(event, "title"),
                                  uid=f"agenda-user-{holder.user.id}-event-{event.id}")
    return _calendar_response(body, last_modified(event, items), f"{event.slug}-agenda.ics", private=True)


# ------------------------------------------------------------------------------------------- employer contacts


def employer_events(user) -> list[Event]:
    """Published events where the user's organisation is an accepted partner or hosts a session."""
    partner = select(EventPartner.event_id).where(EventPartner.organisation_id == user.organisation_id,
                                                  EventPartner.status == PartnerStatus.ACCEPTED)
    hosting = select(Session.event_id).where(Session.host_organisation_id == user.organisation_id)
    return list(db.session.scalars(
        select(Event).where(Event.status.in_([EventStatus.PUBLISHED, EventStatus.CLOSED]),
                            or_(Event.id.in_(partner), Event.id.in_(hosting))).order_by(Event.starts_at)))


def _employer_event(slug: str) -> tuple:
    user = acting_employer()
    event = next((e for e in employer_events(user) if e.slug == slug), None)
    if event is None:
        abort(404)
    return user, event


@bp.route("/employer/agenda")
@requires("employer")
def employer_agenda():
    user = acting_employer()
    days = []
    for event in employer_events(user):
        items = items_for_user(user, event)
        days.append({"event": event, "items": items,
                     "links": feed_links(feeds.feed_token(user_id=user.id, event_id=event.id))})
    return render_template("agendas/_employer.html", user=user, days=days)


@bp.route("/employer/agenda/<slug>.pdf")
@requires("employer")
def employer_agenda_pdf(slug: str):
    user, event = _employer_event(slug)
    document = documents.agenda_for_user(user, event, locale=str(get_locale()))
    db.session.commit()  # the badge issued on first use
    return _pdf_response(document, f"{event.slug}-agenda.pdf")


@bp.route("/employer/agenda/<slug>/calendar/renew", methods=["POST"])
@requires("employer")
def renew_employer_feed(slug: str):
    user, event = _employer_event(slug)
    feeds.renew(user_id=user.id, event_id=event.id)
    flash(_("Your calendar link is renewed; the old link no longer works. Subscribe again with the new one."),
          "success")
    return redirect(url_for("agendas.employer_agenda") + f"#event-{event.id}", 303)

