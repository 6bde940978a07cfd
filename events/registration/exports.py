"""Exports as CSV or Excel: registrations and enrolments here; check-ins and meetings plug in.

A dataset is a function ``(event) -> (header, rows)`` listed in DATASETS. "checkins" and "meetings" take their
rows from the console figures the door and the meetings feature give (app.console.plugins); without them those
exports have a header only.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Callable

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


def _local(moment: datetime | None, event: Event) -> str:
    return moment.astimezone(event.tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def registrations(event: Event) -> Rows:
    header = ["id", "status", "email", *(f.name for f in FIELDS), "registered_at", "email_confirmed_at",
              "waiting_list_number", "consent_processing_at", "consent_processing_version", "consent_sharing_at",
              "consent_sharing_version", "cancelled_at", "cancel_reason"]
    rows = []
    for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                .options(selectinload(Registration.attendee)).order_by(Registration.id)):
        a = r.attendee
        rows.append([r.id, r.status.value, a.email, *(text_value(f, a) for f in FIELDS),
                     _local(r.created_at, event), _local(r.email_confirmed_at, event), r.queue_seq or "",
                     _local(r.consent_processing_at, event), r.consent_processing_version,
                     _local(r.consent_sharing_at, event), r.consent_sharing_version, _local(r.cancelled_at, event),
                     r.cancel_reason])
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
        rows.append([s.id, s.title, _local(s.starts_at, event), s.room.name if s.room else "", r.id,
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
    rows = [[r.id, r.attendee.full_name, r.attendee.email, _local(first[r.id], event)] for r in people]
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


def to_csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8 names correctly


def to_xlsx(header: list[str], rows: list[list], title: str) -> bytes:
    # openpyxl loads numpy when it is installed: only an Excel export needs it, not the web process at start
    from openpyxl import Workbook
    # openpyxl.styles: as above, loaded only for an Excel export
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(v) for v in row])
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 50)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
