"""Exports as CSV or Excel: registrations and enrolments here; check-ins and meetings plug in.

A dataset is a function ``(event) -> (header, rows)`` listed in DATASETS. "checkins" and "meetings" take their
rows from the console figures the door and the meetings feature give (app.console.plugins); without them those
exports have a header only. Rows hold typed values (numbers, dates, aware datetimes, None), and each format writes
them its way:

- CSV is for programs (scripts, re-imports): stable machine headers (``registered_at``), the same in every
  language, and text values: times as ``YYYY-MM-DD HH:MM`` in the event's time zone, dates as ``YYYY-MM-DD``.
- Excel is for people: headers in the language of the staff member's page ("Angemeldet am"), real numbers, dates
  and date-times (local to the event) that sort and filter as such, a frozen header row and an autofilter.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Callable
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.console.plugins import figure
from app.extensions import db
from app.forms import without_unstorable
from events.registration.models import Enrolment, Registration
from events.registration.profile import FIELDS, text_value
from events.programme.models import Event

Rows = tuple[list[str], list[list]]


def datasets() -> dict[str, object]:
    return {name: label for name, (label, _f) in DATASETS.items()}


def rows_for(name: str, event: Event) -> Rows:
    return DATASETS[name][1](event)


# Column headings for people, by machine header (the features' check-in and meeting rows included).
HEADINGS = {
    "id": _l("ID"), "status": _l("Status"), "email": _l("E-mail"), "registered_at": _l("Registered at"),
    "email_confirmed_at": _l("E-mail confirmed at"), "waiting_list_number": _l("Number on the waiting list"),
    "consent_processing_at": _l("Consent to processing at"),
    "consent_processing_version": _l("Version of the consent to processing"),
    "consent_sharing_at": _l("Consent to sharing at"),
    "consent_sharing_version": _l("Version of the consent to sharing"), "cancelled_at": _l("Cancelled at"),
    "cancel_reason": _l("Reason for cancelling"), "walk_in": _l("Walk-in"), "session_id": _l("Session ID"),
    "session": _l("Session"),
    "starts_at": _l("Starts at"), "ends_at": _l("Ends at"), "room": _l("Room"),
    "registration_id": _l("Registration ID"), "full_name": _l("Full name"),
    "registration_status": _l("Registration status"), "enrolment_status": _l("Seat or waiting list"),
    "queue_number": _l("Number on the waiting list"), "checked_in_at": _l("Checked in at"),
    "holder": _l("Badge holder"), "door": _l("Door"), "station": _l("Station"),
    "organisation": _l("Organisation"), "table": _l("Table"), "score": _l("Score"), "reasons": _l("Reasons"),
    **{f.name: f.column_label for f in FIELDS},
}


def heading(name: str) -> str:
    """The column's heading in the current language (the machine header when none is known)."""
    return str(HEADINGS.get(name, name))


def registrations(event: Event) -> Rows:
    header = ["id", "status", "email", *(f.name for f in FIELDS), "registered_at", "email_confirmed_at",
              "waiting_list_number", "consent_processing_at", "consent_processing_version", "consent_sharing_at",
              "consent_sharing_version", "cancelled_at", "cancel_reason", "walk_in"]
    rows = []
    for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                .options(selectinload(Registration.attendee)).order_by(Registration.id)):
        a = r.attendee
        rows.append([r.id, r.status.value, a.email,
                     *(getattr(a, f.name) if f.kind == "date" else text_value(f, a) for f in FIELDS),
                     r.created_at, r.email_confirmed_at, r.queue_seq, r.consent_processing_at,
                     r.consent_processing_version, r.consent_sharing_at, r.consent_sharing_version, r.cancelled_at,
                     r.cancel_reason, r.walk_in])
    return header, rows


def enrolments(event: Event) -> Rows:
    header = ["session_id", "session", "starts_at", "room", "registration_id", "full_name", "email",
              "registration_status", "enrolment_status", "queue_number"]
    rows = []
    query = (select(Enrolment).join(Registration, Registration.id == Enrolment.registration_id)
             .where(Registration.event_id == event.id)
             .options(selectinload(Enrolment.session), selectinload(Enrolment.registration)
                      .selectinload(Registration.attendee)))
    items = sorted(db.session.scalars(query), key=lambda e: (e.session.starts_at, e.session_id, e.queue_seq))
    for e in items:
        s, r = e.session, e.registration
        rows.append([s.id, s.title, s.starts_at, s.room.name if s.room else "", r.id,
                     r.attendee.full_name, r.attendee.email, r.status.value, e.status.value, e.queue_seq])
    return header, rows


def checkins(event: Event) -> Rows:
    if figure("checkin_rows"):
        return figure("checkin_rows")(event)
    header = ["registration_id", "full_name", "email", "checked_in_at"]
    first = figure("checkins")(event) if figure("checkins") else {}
    if not first:
        return header, []
    people = db.session.scalars(select(Registration).where(Registration.id.in_(list(first)))
                                .options(selectinload(Registration.attendee)))
    rows = [[r.id, r.attendee.full_name, r.attendee.email, first[r.id]] for r in people]
    return header, sorted(rows, key=lambda row: row[3])


def meetings(event: Event) -> Rows:
    provider = figure("meeting_rows")
    return provider(event) if provider else (["organisation", "full_name", "starts_at", "status"], [])


# What staff can export, in the order the page lists them.
DATASETS: dict[str, tuple[object, Callable[[Event], Rows]]] = {
    "registrations": (_l("Registrations"), registrations),
    "enrolments": (_l("Enrolments"), enrolments),
    "checkins": (_l("Check-ins"), checkins),
    "meetings": (_l("Meetings"), meetings),
}


def _safe(value):
    if not isinstance(value, str):
        return value
    # Rows stored before their text was checked may hold characters no XML document can (an Excel sheet is XML):
    # dropped, so that one name cannot break the export.
    value = without_unstorable(value)
    # Spreadsheets run cells starting with = + - @ as formulas: names from the public must never do that.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_value(value, tz: ZoneInfo):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else _safe(value)


def to_csv(header: list[str], rows: list[list], tz: ZoneInfo) -> bytes:
    """Machine headers and text values (see the module's docstring)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_value(v, tz) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8 names correctly


def _cell(value, tz: ZoneInfo):
    """A typed cell and its number format: Excel has no time zones, so a moment is written in the event's."""
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None), "yyyy-mm-dd hh:mm"
    if isinstance(value, date):
        return value, "yyyy-mm-dd"
    return _safe(value), None


def to_xlsx(header: list[str], rows: list[list], title: str, tz: ZoneInfo, headings: dict | None = None) -> bytes:
    """Headings in the current language (``headings`` adds a feature's own), typed cells, a frozen header row and
    an autofilter."""
    # openpyxl loads numpy when it is installed: only an Excel export needs it, not the web process at start
    from openpyxl import Workbook
    # openpyxl.styles: as above, loaded only for an Excel export
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([str((headings or {}).get(name) or heading(name)) for name in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        cells = [_cell(v, tz) for v in row]
        sheet.append([value for value, _format in cells])
        for cell, (_value, number_format) in zip(sheet[sheet.max_row], cells):
            if number_format:
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column in sheet.columns:
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 50)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
