"""On the day: a printable table × slot sheet per employer (a real PDF, read back), who is now and next at each
table, and a no-show marked with one tap by the employer at its own table."""
from __future__ import annotations

from datetime import timedelta

from app.extensions import utcnow
from events.meetings import day, services
from events.meetings.models import MeetingStatus
from tests.agendas.conftest import pdf_pages
from tests.employers.helpers import login, make_staff
from tests.meetings.helpers import networking_day


def _published(setup):
    services.run_now(setup)
    services.publish(setup)
    return services.meetings_of(setup, (MeetingStatus.PUBLISHED,))


def test_the_table_sheet_lists_each_slot_and_table(client, db):
    event, setup, orgs, users, regs, _ = networking_day(attendees=8, employers=3, tables=2)
    meetings = _published(setup)
    login(client, users[0].email)
    response = client.get(f"/employer/e/{event.slug}/meetings/{setup.session_id}/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf_pages(response.data)
    assert len(pages) == 1 and "Employer0 GmbH" in pages[0]
    first = setup.employers[0].first_table
    assert f"Table {first}" in pages[0] and f"Table {first + 1}" in pages[0]
    mine = [m for m in meetings if m.organisation_id == orgs[0].id]
    assert mine and all(m.registration.attendee.full_name in pages[0] for m in mine)
    assert pages[0].count("no-show") == len(mine)  # a box to tick per meeting
    assert pages[0].count("free") == len(setup.slots) * 2 - len(mine)
    # staff print every employer's sheet, one page each
    login(client, make_staff(event).email)
    everyone = client.get(f"/console/e/{event.slug}/meetings/{setup.session_id}/sheets.pdf")
    assert everyone.status_code == 200 and len(pdf_pages(everyone.data)) == 3


def test_now_and_next_at_each_table(db):
    event, setup, orgs, users, regs, _ = networking_day()
    meetings = _published(setup)
    first_slot, second_slot = setup.slots[0], setup.slots[1]
    during_first = first_slot.starts_at + timedelta(minutes=1)
    marks = day.upcoming(meetings, now=during_first)
    for m in meetings:
        if m.slot_id == first_slot.id:
            assert marks[m.id] == "now"
        elif m.slot_id == second_slot.id and any(o.slot_id == first_slot.id and o.organisation_id == m.organisation_id
                                                 and o.table == m.table for o in meetings):
            assert marks[m.id] == "next"
    before = day.upcoming(meetings, now=first_slot.starts_at - timedelta(hours=1))
    assert set(before.values()) == {"next"}
    assert day.upcoming(meetings, now=setup.slots[-1].ends_at) == {}


def test_the_employer_marks_a_no_show_at_its_own_table(client, db):
    event, setup, orgs, users, regs, _ = networking_day()
    meetings = _published(setup)
    mine = next(m for m in meetings if m.organisation_id == orgs[0].id)
    other = next(m for m in meetings if m.organisation_id != orgs[0].id)
    login(client, users[0].email)
    page = client.get(f"/employer/e/{event.slug}/meetings").text
    assert "Did not come" in page and "Print the table sheet (PDF)" in page and "Next" in page
    url = f"/employer/e/{event.slug}/meetings/no-show/{mine.id}"
    # a month before the day: not yet
    early = client.post(url, follow_redirects=True)
    assert "once the meeting is about to start" in early.text
    db.session.refresh(mine)
    assert mine.status == MeetingStatus.PUBLISHED
    # someone else's meeting: not found, unchanged
    assert client.post(f"/employer/e/{event.slug}/meetings/no-show/{other.id}").status_code == 404
    # the meeting starts now: one tap
    slot = mine.slot
    slot.starts_at, slot.ends_at = utcnow() - timedelta(minutes=1), utcnow() + timedelta(minutes=9)
    db.session.commit()
    done = client.post(url)
    assert done.status_code == 303 and done.location.endswith(f"#meeting-{mine.id}")
    db.session.expire_all()
    assert db.session.get(type(mine), mine.id).status == MeetingStatus.NO_SHOW
    assert db.session.get(type(other), other.id).status == MeetingStatus.PUBLISHED
    again = client.post(url, follow_redirects=True)
    assert "not on the schedule any more" in again.text
