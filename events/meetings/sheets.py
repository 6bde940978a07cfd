"""A printable table × slot sheet per employer (PDF): who sits at which table when, to lay on the table or pin
beside it. One page per employer, in the reader's language and the event's time zone; cached like every PDF
(app/pdf.py), keyed by what goes into it, so that a change to a meeting or a name prints anew."""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import get_locale

from app.content import localized
from app.pdf import cached, fingerprint, render_pdf
from app.storage import StoredDocument
from events.meetings.agenda import latin_spelling
from events.meetings.models import Meeting, MeetingEmployer, MeetingSetup, MeetingSlot, MeetingStatus
from events.meetings.services import meetings_of
from events.registration.profile import degree_label

TEMPLATE_VERSION = "meeting-sheets-1"


@dataclass
class Sheet:
    employer: MeetingEmployer
    tables: list[int]                                   # table numbers in the room
    rows: list[tuple[MeetingSlot, list[Meeting | None]]]  # per slot, the meeting at each table (or free)


def sheets_of(setup: MeetingSetup, organisation_ids: list[int] | None = None) -> list[Sheet]:
    """One sheet per employer of the session (or of those asked for), with its published meetings."""
    meetings = meetings_of(setup, (MeetingStatus.PUBLISHED,))
    out = []
    for me in sorted(setup.employers, key=lambda e: e.first_table):
        if organisation_ids is not None and me.organisation_id not in organisation_ids:
            continue
        mine = {(m.slot_id, m.table): m for m in meetings if m.organisation_id == me.organisation_id}
        rows = [(slot, [mine.get((slot.id, t)) for t in range(me.tables)]) for slot in setup.slots]
        out.append(Sheet(me, [me.first_table + t for t in range(me.tables)], rows))
    return out


def sheet_pdf(setup: MeetingSetup, organisation_ids: list[int] | None = None) -> StoredDocument:
    sheets = sheets_of(setup, organisation_ids)
    event = setup.session.event
    locale = str(get_locale() or "en")
    key = fingerprint(
        TEMPLATE_VERSION, locale, setup.id, localized(event, "title", locale), event.timezone,
        localized(setup.session, "title", locale),
        [(s.employer.organisation_id, s.employer.organisation.name, s.tables) for s in sheets],
        [(slot.id, slot.starts_at, slot.ends_at) for slot in setup.slots],
        [(m.id, m.sequence, m.status.value, m.registration.attendee.updated_at) for s in sheets
         for _slot, cells in s.rows for m in cells if m is not None])

    def build() -> bytes:
        return render_pdf(render_template("pdf/meeting_sheets.html", event=event, setup=setup, sheets=sheets,
                                          locale=locale, latin_spelling=latin_spelling,
                                          degree_label=degree_label))

    return cached("meeting-sheets", key, build)
