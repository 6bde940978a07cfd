"""Exports people can use: Excel with headings in the staff member's language, typed numbers, dates and
date-times (in the event's time zone), a frozen header row and an autofilter; CSV keeps its machine headers and
text values for programs. Read back with openpyxl."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from events.registration import services
from tests.factories import profile
from tests.roles import login


def _register(event, email, name, **fields):
    result = services.register_attendee(event.slug, services.RegistrationRequest(
        email=email, profile=profile(name, **fields), consent_processing=True,
        session_ids=[event.sessions[0].id]))
    return services.confirm_email(result.registration)


@pytest.fixture
def staff(client, team):
    login(client, team["staff"])
    return client


def _sheet(client, event, name, lang):
    response = client.get(f"/console/e/{event.slug}/export/{name}.xlsx?lang={lang}")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data)).active


# Where the registrations sheet has the graduation date and the time of registering (after the profile's fields).
GRADUATION, REGISTERED = 10, 14


@pytest.mark.parametrize("lang,headings", [
    ("en", ("ID", "Status", "E-mail", "Full name", "Graduation (expected)", "Registered at")),
    ("de", ("ID", "Status", "E-Mail", "Vollständiger Name", None, "Angemeldet am")),
    ("nl", ("ID", "Status", "E-mail", "Volledige naam", None, "Ingeschreven op")),
])
def test_excel_has_headings_in_the_page_language_and_typed_cells(staff, event, db, lang, headings):
    registration = _register(event, "ana@example.org", "Ana Pérez", graduation_date=date(2026, 7, 31))
    sheet = _sheet(staff, event, "registrations", lang)
    header = [c.value for c in sheet[1]]
    for expected, got in zip(headings, [header[0], header[1], header[2], header[3], header[GRADUATION], header[REGISTERED]]):
        if expected is not None:
            assert got == expected
    assert not any("_" in h for h in header), header  # no machine names
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    row = [c for c in sheet[2]]
    assert row[0].value == registration.id and isinstance(row[0].value, int)
    graduation = row[header.index(headings[4] or header[GRADUATION])]
    assert graduation.is_date and graduation.value.date() == date(2026, 7, 31)
    registered = row[REGISTERED]
    assert registered.is_date and isinstance(registered.value, datetime)
    local = registration.created_at.astimezone(event.tz).replace(tzinfo=None, second=0, microsecond=0)
    assert registered.value.replace(second=0, microsecond=0) == local
    assert registered.number_format == "yyyy-mm-dd hh:mm"


def test_enrolments_in_excel_are_typed_and_csv_keeps_machine_headers(staff, event, db):
    _register(event, "ana@example.org", "Ana Pérez")
    sheet = _sheet(staff, event, "enrolments", "de")
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Veranstaltungs-ID", "Veranstaltung", "Beginn", "Raum"]
    first = [c.value for c in sheet[2]]
    assert isinstance(first[0], int) and first[1] == "CV clinic" and isinstance(first[2], datetime)
    assert first[2] == event.sessions[0].starts_at.astimezone(event.tz).replace(tzinfo=None)
    text = staff.get(f"/console/e/{event.slug}/export/enrolments.csv?lang=de").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["session_id", "session", "starts_at", "room"]  # for programs: the same in every language
    assert rows[1][2] == event.sessions[0].starts_at.astimezone(event.tz).strftime("%Y-%m-%d %H:%M")
    registrations = list(csv.reader(io.StringIO(staff.get(
        f"/console/e/{event.slug}/export/registrations.csv?lang=nl").data.decode("utf-8-sig"))))
    assert registrations[0][:3] == ["id", "status", "email"] and registrations[1][2] == "ana@example.org"
