"""Leads at the day: an employer contact scans a badge (the door's token checks), saves a rating and a note for an
attendee who shares their profile, and nothing for one who does not; a second scan updates; the organisation's
list exports as CSV and typed Excel (read back); the attendee sees who saved them and withdraws (audited)."""
from __future__ import annotations

import csv
import io

from flask_babel import refresh
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.audit import AuditEntry
from badges import services as badge_services
from badges import tokens
from events.leads.models import Lead
from events.leads.services import save_lead
from tests.employers.helpers import login, make_partner
from events.registration.services import update_profile
from tests.factories import make_event, profile, register

JSON = {"Accept": "application/json"}


def _badge(registration) -> str:
    return tokens.token_for(badge_services.badge_for_registration(registration))


def _scan(client, slug, code):
    return client.post(f"/employer/e/{slug}/leads/scan", data={"code": code}, headers=JSON)


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Lead))


def test_a_scan_shows_the_shared_profile_and_saves_a_lead_once(client, db):
    event = make_event()
    org, contact = make_partner(event, "Henkel AG", "recruiting@henkel.example")
    thai = register(event, "malee@example.org", name="มาลี ศรีสุข")
    login(client, contact.email)
    page = client.get(f"/employer/e/{event.slug}/leads/scan")
    assert page.status_code == 200 and "js/scanner.js" in page.text and 'id="code"' in page.text

    found = _scan(client, event.slug, _badge(thai).lower()[:5] + " " + _badge(thai).lower()[5:])  # as typed
    assert found.status_code == 200, found.text
    person = found.get_json()["person"]
    assert person["full_name"] == "มาลี ศรีสุข" and person["latin_name"].lower().startswith("mali")
    assert person["degree"] == "Master" and person["field_of_study"] == "Chemistry"
    assert person["rating"] is None and _count(db) == 0  # a scan alone stores nothing

    save_url = found.get_json()["save_url"]
    saved = client.post(save_url, data={"rating": "4", "note": "Strong in polymers"}, headers=JSON)
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    again = client.post(save_url, data={"rating": "5", "note": "Invite to the lab"}, headers=JSON)
    assert again.status_code == 200
    lead = db.session.scalars(select(Lead)).one()
    assert (lead.rating, lead.note, lead.scanned_by_id, lead.organisation_id) == (5, "Invite to the lab",
                                                                                  contact.id, org.id)
    assert _scan(client, event.slug, _badge(thai)).get_json()["person"]["rating"] == 5  # the next scan shows it
    bad = client.post(save_url, data={"rating": "9"}, headers=JSON)
    assert bad.status_code == 422 and bad.get_json()["error"]["reason"] == "bad_rating"


def test_no_consent_nothing_stored_and_bad_codes_are_clear_4xx(client, db):
    event, other_event = make_event(), make_event()
    _org, contact = make_partner(event, "Henkel AG", "recruiting@henkel.example")
    private = register(event, "private@example.org", consent_sharing=False)
    elsewhere = register(other_event, "elsewhere@example.org")
    login(client, contact.email)
    refused = _scan(client, event.slug, _badge(private))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["message"] == ("This attendee has not agreed to share their profile; "
                                                      "nothing was stored.")
    forced = client.post(f"/employer/e/{event.slug}/leads/{private.id}", data={"rating": "3"}, headers=JSON)
    assert forced.status_code == 403 and _count(db) == 0
    good = _badge(register(event, "x@example.org"))
    wrong_check = good[:-1] + ("A" if good[-1] != "A" else "B")
    for code, status, reason in [("", 400, "empty"), ("HELLO", 422, "malformed"), (wrong_check, 422, "malformed"),
                                 (_badge(elsewhere), 404, "unknown")]:
        answer = _scan(client, event.slug, code)
        assert (answer.status_code, answer.get_json()["error"]["reason"]) == (status, reason), code
    assert client.post(f"/employer/e/{event.slug}/leads/scan", json=[1, 2],
                       headers={**JSON, "X-CSRFToken": "x"}).status_code == 400
    # without JavaScript the page itself says it
    page = client.post(f"/employer/e/{event.slug}/leads/scan", data={"code": _badge(private)})
    assert page.status_code == 403 and "nothing was stored" in page.text


def test_exports_and_the_attendee_withdraws(client, db):
    event = make_event()
    _org, contact = make_partner(event, "Henkel AG", "recruiting@henkel.example")
    _other, rival = make_partner(event, "Bayer AG", "hr@bayer.example")
    person = register(event, "ana@example.org", name="Ana Pérez")
    login(client, contact.email)
    client.post(f"/employer/e/{event.slug}/leads/{person.id}", data={"rating": "3", "note": "=SUM(A1)"}, headers=JSON)
    login(client, rival.email)
    client.post(f"/employer/e/{event.slug}/leads/{person.id}", data={"note": "met at the stand"}, headers=JSON)
    assert "Ana Pérez" in client.get(f"/employer/e/{event.slug}/leads").text

    login(client, contact.email)
    rows = list(csv.reader(io.StringIO(client.get(f"/employer/e/{event.slug}/leads.csv").data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["full_name", "latin_name", "email"] and len(rows) == 2  # only its own organisation's
    assert rows[1][0] == "Ana Pérez" and rows[1][5] == "3" and rows[1][6] == "'=SUM(A1)"
    refresh()  # the test's app context carries the locale between requests; a real request starts afresh
    sheet = load_workbook(io.BytesIO(client.get(f"/employer/e/{event.slug}/leads.xlsx?lang=de").data)).active
    header = [c.value for c in sheet[1]]
    assert header[0] == "Vollständiger Name" and "Bewertung" in header  # in the reader's language
    assert sheet.cell(2, 6).value == 3 and sheet.cell(2, 9).is_date  # typed: a number, a date-time

    mine = client.get(f"/r/{person.token}")
    assert "Henkel AG" in mine.text and "Bayer AG" in mine.text and mine.text.count("/withdraw") == 2
    lead = db.session.scalars(select(Lead).where(Lead.organisation_id == _org.id)).one()
    withdrawn = client.post(f"/r/{person.token}/leads/{lead.id}/withdraw")
    assert withdrawn.status_code == 303
    assert [l.organisation.name for l in db.session.scalars(select(Lead))] == ["Bayer AG"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "lead.withdraw")).one()
    assert entry.event_id == event.id and entry.before["organisation_id"] == _org.id
    other = register(event, "someone@example.org")
    rival_lead = db.session.scalars(select(Lead)).one()
    assert client.post(f"/r/{other.token}/leads/{rival_lead.id}/withdraw").status_code == 404  # not theirs
    assert "Henkel AG" not in client.get(f"/r/{person.token}").text
    # an attendee who stops sharing their profile drops out of the employer's list and exports
    login(client, rival.email)
    assert "Ana Pérez" in client.get(f"/employer/e/{event.slug}/leads").text
    update_profile(person, profile("Ana Pérez"), consent_sharing=False)
    assert "Ana Pérez" not in client.get(f"/employer/e/{event.slug}/leads").text
    assert "Ana Pérez" not in client.get(f"/employer/e/{event.slug}/leads.csv").data.decode("utf-8-sig")


def test_my_data_lists_the_saved_contacts_and_deleting_it_deletes_them(client, db):
    event = make_event()
    org, contact = make_partner(event, "Henkel AG", "recruiting@henkel.example")
    person = register(event, "ana@example.org", name="Ana Pérez")
    save_lead(event, org.id, person.id, contact, rating=4, note="Polymers")
    data = client.get(f"/r/{person.token}/data.json").get_json()
    assert [(s["organisation"], s["rating"], s["note"]) for s in data["saved_by_employers"]] == [
        ("Henkel AG", 4, "Polymers")]
    assert client.post(f"/r/{person.token}/delete").status_code == 303
    assert _count(db) == 0

