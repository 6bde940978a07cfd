"""PDF documents: the programme booklet and personal agendas (WeasyPrint via app.pdf).

Every document is cached on disk under a fingerprint of everything that goes into it (items with their
SEQUENCE, names, locale, badge token, template version), so an unchanged agenda is served from disk and any change
to its data builds a new one. Bump TEMPLATE_VERSION when a template or this module changes the output.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import render_template
from flask_babel import force_locale, get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.pdf import cached, fingerprint, qr_svg, render_pdf
from app.storage import StoredDocument
from events.agendas.items import AgendaItem, items_for_registration, items_for_user
from events.agendas.signals import answers, holder_badge
from events.programme.grid import Column, day_grid
from events.programme.models import Event, Session
from events.employers.models import PartnerStatus
from events.registration.models import RegistrationStatus

TEMPLATE_VERSION = "agendas-2"  # 2: long words wrap, running headers on one line
PAGE_SIZES = {"a4": "A4", "a5": "A5"}
MIN_FREE = timedelta(minutes=15)


# ------------------------------------------------------------------------------------------- programme


@dataclass
class Day:
    date: datetime
    sessions: list[Session]
    columns: list[Column]
    rows: list[tuple[datetime, datetime, list]]  # (start, end, cells); a cell: None (covered), {} or {session, span}


def programme_days(event: Event, sessions: list[Session]) -> list[Day]:
    room_order = [r.name for r in event.rooms]
    by_day: dict = {}
    for s in sessions:
        by_day.setdefault(event.local(s.starts_at).date(), []).append(s)
    days = []
    for day, items in sorted(by_day.items()):
        columns, rows = day_grid(items, room_order)
        days.append(Day(items[0].starts_at, items, columns, rows))
    return days


def _programme_sessions(event: Event) -> list[Session]:
    return list(db.session.scalars(
        select(Session).where(Session.event_id == event.id)
        .options(selectinload(Session.room), selectinload(Session.host)).order_by(Session.starts_at, Session.id)))


def programme_pdf(event: Event, size: str = "a4") -> StoredDocument:
    sessions = _programme_sessions(event)
    partners = sorted((p for p in event.partners if p.status == PartnerStatus.ACCEPTED),
                      key=lambda p: (p.role.value != "lead_partner", p.role.value, p.organisation.name))
    locale = str(get_locale() or "en")
    key = fingerprint(
        TEMPLATE_VERSION, "programme", size, locale, event.id, event.title, event.description, event.venue,
        event.address, event.timezone, event.starts_at, event.ends_at, event.main_language, event.translations,
        [(r.name, r.translations) for r in event.rooms],
        [(s.id, s.sequence, s.updated_at, s.capacity) for s in sessions],
        [(p.organisation.name, p.role.value, p.organisation.description, p.organisation.translations)
         for p in partners])

    def build() -> bytes:
        html = render_template("pdf/programme.html", event=event, days=programme_days(event, sessions),
                               sessions=sessions, partners=partners, locale=locale, page_size=PAGE_SIZES[size])
        return render_pdf(html)

    return cached("programme", key, build)


# ------------------------------------------------------------------------------------------- personal agendas


@dataclass
class AgendaDay:
    date: datetime
    rows: list[tuple[str, object]]  # ("item", AgendaItem) or ("free", (start, end))


def _window(event: Event, day) -> tuple[datetime, datetime] | None:
    """The event's opening hours on one local day (None when the day has no clear hours)."""
    tz = event.tz
    start_t, end_t = event.local(event.starts_at).time(), event.local(event.ends_at).time()
    if end_t <= start_t:
        return None
    return (datetime.combine(day, start_t, tz), datetime.combine(day, end_t, tz))


def agenda_days(event: Event, items: list[AgendaItem]) -> list[AgendaDay]:
    """The items by local day, with the free time between them (within the event's hours) as rows of its own."""
    by_day: dict = {}
    for item in items:
        by_day.setdefault(event.local(item.starts_at).date(), []).append(item)
    if not by_day:
        return []
    days = []
    for day, day_items in sorted(by_day.items()):
        window = _window(event, day)
        rows: list[tuple[str, object]] = []
        cursor = window[0] if window else None
        for item in day_items:
            if cursor is not None and item.starts_at - cursor >= MIN_FREE:
                rows.append(("free", (cursor, item.starts_at)))
            rows.append(("item", item))
            cursor = max(cursor or item.ends_at, item.ends_at)
        if window and cursor is not None and window[1] - cursor >= MIN_FREE:
            rows.append(("free", (cursor, window[1])))
        days.append(AgendaDay(datetime.combine(day, time(12), event.tz), rows))
    return days


def _item_key(item: AgendaItem) -> tuple:
    return (item.uid, item.sequence, item.status, item.title, item.starts_at, item.ends_at, item.location,
            sorted((k, str(v)) for k, v in item.extra.items()))


def _badge_qr(event: Event, *, registration_id: int | None = None,
              user_id: int | None = None) -> tuple[str, str] | None:
    """(token, inline SVG) of the holder's badge, issued on first use by whoever answers ``holder_badge``
    (the badges feature; flushed, the caller commits); None when no feature issues badges."""
    token = next((t for t in answers(holder_badge, event=event, registration_id=registration_id,
                                     user_id=user_id) if t), None)
    return (token, qr_svg(token, size_mm=32)) if token else None


def _agenda(kind: str, event: Event, items: list[AgendaItem], *, name: str, subtitle: str, locale: str,
            badge: tuple[str, str] | None, holder_key: str) -> StoredDocument:
    key = fingerprint(TEMPLATE_VERSION, kind, holder_key, name, subtitle, locale, event.title, event.venue,
                      event.address, event.timezone, event.starts_at, event.ends_at, event.translations,
                      badge[0] if badge else "", [_item_key(i) for i in items])

    def build() -> bytes:
        with force_locale(locale):
            html = render_template("pdf/agenda.html", event=event, days=agenda_days(event, items), name=name,
                                   subtitle=subtitle, locale=locale, badge=badge, kind=kind)
        return render_pdf(html)

    return cached("agenda", key, build)


def agenda_for_registration(registration) -> StoredDocument:
    event, attendee = registration.event, registration.attendee
    locale = attendee.locale or "en"
    with force_locale(locale):  # items carry translated text (descriptions, reasons)
        items = items_for_registration(registration)
    badge = (_badge_qr(event, registration_id=registration.id)
             if registration.status == RegistrationStatus.CONFIRMED else None)
    return _agenda("attendee", event, items, name=attendee.full_name, subtitle=attendee.university or "",
                   locale=locale, badge=badge, holder_key=f"r{registration.id}:{registration.status.value}")


def agenda_for_user(user, event: Event, locale: str | None = None) -> StoredDocument:
    """An employer contact's agenda, in ``locale`` (the page's language, when downloaded from a page)."""
    locale = locale or user.locale or "en"
    with force_locale(locale):
        items = items_for_user(user, event)
    badge = _badge_qr(event, user_id=user.id)
    organisation = user.organisation.name if user.organisation else ""
    return _agenda("employer", event, items, name=user.name or user.email, subtitle=organisation, locale=locale,
                   badge=badge, holder_key=f"u{user.id}")
