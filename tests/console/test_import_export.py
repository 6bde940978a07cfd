"""CSV import (preview, mapping, per-row errors, all or nothing) and CSV/Excel exports."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from events.registration.models import Registration, RegistrationStatus
from tests.factories import register

GOOD = ("E-Mail;Name;Land;Universität\n"
        "mei@example.org;王美;China;RWTH Aachen\n"
        "omar@example.org;عمر فاروق;EG;HHU Düsseldorf\n").encode("utf-8")


def _upload(client, event, data: bytes) -> str:
    response = client.post(f"/console/e/{event.slug}/import",
                           data={"file": (io.BytesIO(data), "list.csv")}, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    return response.location


def _count(db, event):
    return db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.event_id == event.id))


def test_import_guesses_columns_and_imports_everyone(staff_client, event, db):
    url = _upload(staff_client, event, GOOD)
    html = staff_client.get(url).get_data(as_text=True)
    assert "王美" in html and "The file has 2 people." in html
    assert re.search(r'<option value="0" selected>E-Mail</option>', html)
    mapping = {"map-email": "0", "map-full_name": "1", "map-country": "2", "map-university": "3"}
    checked = staff_client.post(url, data={**mapping, "go": "check"})
    assert "All good: 2 people are ready to import." in checked.get_data(as_text=True)
    assert _count(db, event) == 0  # checking imports nothing
    done = staff_client.post(url, data={**mapping, "go": "import"})
    assert done.status_code == 303
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event.id)).all()
    assert sorted(r.attendee.country for r in rows) == ["CN", "EG"]
    assert all(r.status == RegistrationStatus.PENDING for r in rows)  # they confirm their address
    assert staff_client.get(url).status_code == 303  # the upload is gone after the import


def test_import_shows_every_problem_and_imports_nothing(staff_client, event, db):
    register(event, "taken@example.org")
    data = ("email,name,country,language\n"
            "ok@example.org,Fine Person,DE,de\n"
            "not-an-address,Someone,DE,en\n"
            "taken@example.org,Already There,NL,nl\n"
            "ok@example.org,Twice,Atlantis,xx\n"
            "blank@example.org,,DE,en\n").encode()
    url = _upload(staff_client, event, data)
    mapping = {"map-email": "0", "map-full_name": "1", "map-country": "2", "map-locale": "3"}
    response = staff_client.post(url, data={**mapping, "go": "import"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "4 lines have a problem; nothing was imported." in html
    for expected in ("Line 3", "is not an e-mail address", "Line 4", "Already registered for this day.",
                     "Line 5", "The same e-mail address as line 2.", "Unknown country “Atlantis”.",
                     "Language “xx”", "Line 6", "The name is missing."):
        assert expected in html, expected
    assert _count(db, event) == 1


def test_import_rejects_bad_files_clearly(staff_client, event):
    for data, message in ((b"", "The file is empty."), (b"just a header\n", "at least one person"),
                          (b"\x00\xff\xfe\x00binary", None)):
        response = staff_client.post(f"/console/e/{event.slug}/import",
                                     data={"file": (io.BytesIO(data), "x.csv")},
                                     content_type="multipart/form-data", follow_redirects=True)
        assert response.status_code in (200, 422)
        if message:
            assert message in response.get_data(as_text=True)
    assert staff_client.get(f"/console/e/{event.slug}/import/..%2F..%2Fetc").status_code in (303, 404)
    url = _upload(staff_client, event, GOOD)
    response = staff_client.post(url, data={"map-email": "0", "go": "check"})
    assert "Choose the column for “Full name”." in response.get_data(as_text=True)


def test_exports_csv_and_excel(staff_client, event, db):
    register(event, "ana@example.org", sessions=[event.sessions[0]], name="=HYPERLINK(\"x\")")
    csv_response = staff_client.get(f"/console/e/{event.slug}/export/registrations.csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    text = csv_response.data.decode("utf-8-sig")
    assert text.startswith("id,status,email")
    assert "'=HYPERLINK" in text  # never a live formula
    xlsx = staff_client.get(f"/console/e/{event.slug}/export/enrolments.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("Session ID", "Session") and rows[1][1] == "CV clinic"  # headings for people
    for name in ("checkins", "meetings"):
        assert staff_client.get(f"/console/e/{event.slug}/export/{name}.csv").status_code == 200
    assert staff_client.get(f"/console/e/{event.slug}/export/secrets.csv").status_code == 404
    assert staff_client.get(f"/console/e/{event.slug}/export/registrations.pdf").status_code == 404
