"""PDFs read back: every session's title, time and room, in order; names in any script; cache and rebuild."""
from __future__ import annotations

import io
from datetime import timezone

import pytest
from pypdf import PdfReader

from app.accounts.models import User
from app.extensions import db
from events.employers.models import EventPartner, Organisation, PartnerRole
from events.programme.models import SessionKind
from tests.agendas.conftest import pdf_pages, pdf_text
from tests.agendas.helpers import add_session, berlin
from tests.factories import make_event, register


def _event():
    event = make_event(title="Welcome day Düsseldorf", starts_at=berlin(2027, 3, 25, 9, 0).astimezone(timezone.utc),
                       ends_at=berlin(2027, 3, 25, 17, 0).astimezone(timezone.utc))
    org = Organisation(name="Henkel Test AG")
    db.session.add(org)
    db.session.add(EventPartner(event=event, organisation=org, role=PartnerRole.LEAD))
    sessions = [
        add_session(event, "Opening talk", berlin(2027, 3, 25, 9, 0), 30, room="Plenary", kind=SessionKind.TALK,
                    abstract="Why the region wants you to stay."),
        add_session(event, "CV clinic", berlin(2027, 3, 25, 9, 45), 60, room="Room A", host=org),
        add_session(event, "Residence permits", berlin(2027, 3, 25, 9, 45), 60, room="Room B", language="de"),
        add_session(event, "Lunch break", berlin(2027, 3, 25, 12, 0), 60, room="Foyer", kind=SessionKind.BREAK,
                    capacity=None),
        add_session(event, "Henkel careers", berlin(2027, 3, 25, 14, 0), 60, room="Room A", host=org, capacity=1),
    ]
    return event, org, sessions


def _in_order(text: str, needles: list[str]) -> None:
    position = -1
    for needle in needles:
        found = text.find(needle, position + 1)
        assert found > position, f"{needle!r} missing or out of order"
        position = found


@pytest.mark.slow
def test_programme_booklet_lists_every_session_in_order_on_a4_and_a5(client):
    event, org, sessions = _event()
    for size, width in (("a4", 595), ("a5", 420)):
        response = client.get(f"/e/{event.slug}/programme.pdf" + ("?size=a5" if size == "a5" else ""))
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        reader = PdfReader(io.BytesIO(response.data))
        assert round(float(reader.pages[0].mediabox.width)) == width
        pages = pdf_pages(response.data)
        assert "Welcome day Düsseldorf" in pages[0]
        grid = pages[1]
        assert "The day at a glance" in grid and all(s.room.name in grid for s in sessions)
        listing = "\n".join(pages[2:])
        needles = []
        for s in sessions:
            needles += [s.title]
        _in_order(listing, needles)
        for s, start in zip(sessions, ["9:00 AM–9:30 AM", "9:45 AM–10:45 AM", "9:45 AM–10:45 AM",
                                       "12:00 PM–1:00 PM", "2:00 PM–3:00 PM"]):
            chunk = listing[max(listing.find(s.title) - 40, 0): listing.find(s.title) + len(s.title) + 60]
            assert start in chunk and s.room.name in chunk, (s.title, chunk)
        assert "Henkel Test AG" in listing and "Partners" in listing
        # Running headers: the event's name on every page after the cover, with page numbers.
        assert all("Welcome day Düsseldorf" in p for p in pages[1:])
        assert f"2 / {len(pages)}" in pages[1]
    assert client.get(f"/e/{event.slug}/programme.pdf?size=letter").status_code == 404


@pytest.mark.slow
def test_programme_is_cached_and_rebuilt_when_a_session_changes(client, app):
    event, org, sessions = _event()
    first = client.get(f"/e/{event.slug}/programme.pdf").data
    assert client.get(f"/e/{event.slug}/programme.pdf").data == first
    sessions[1].title = "CV clinic, moved"
    db.session.commit()
    again = client.get(f"/e/{event.slug}/programme.pdf").data
    assert again != first and "CV clinic, moved" in pdf_text(again)


@pytest.mark.slow
def test_personal_agenda_in_the_attendees_language_with_badge_and_free_time(client):
    event, org, sessions = _event()
    register(event, sessions=[sessions[4]])  # takes the only seat
    registration = register(event, sessions=[sessions[1], sessions[3], sessions[4]], name="محمد الأحمد")
    registration.attendee.locale = "de"
    db.session.commit()
    response = client.get(f"/r/{registration.token}/agenda.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "محمد" in text or "دمحم" in text  # extraction may give visual order
    _in_order(text, ["09:45–10:45", "CV clinic", "Room A", "12:00–13:00", "Lunch break", "Foyer",
                     "14:00–15:00", "Henkel careers", "Room A"])
    assert "Donnerstag, 25. März 2027" in text  # German dates: the attendee's language
    assert "Warteliste: Nummer 1" in text  # the attendee's language
    assert "Freie Zeit" in text and "10:45–12:00" in text  # translated now, like the rest of the agenda
    from badges.models import Badge
    from badges.tokens import token_for
    badge = db.session.scalars(db.select(Badge).where(Badge.registration_id == registration.id)).one()
    assert token_for(badge) in text.replace(" ", "")


@pytest.mark.slow
def test_personal_agenda_with_chinese_name_is_rebuilt_when_data_changes(client):
    event, org, sessions = _event()
    registration = register(event, sessions=[sessions[0]], name="王芳")
    first = client.get(f"/r/{registration.token}/agenda.pdf").data
    assert "王芳" in pdf_text(first)
    assert client.get(f"/r/{registration.token}/agenda.pdf").data == first  # cached
    sessions[0].room.name = "Aula"
    db.session.commit()
    changed = client.get(f"/r/{registration.token}/agenda.pdf").data
    assert "Aula" in pdf_text(changed)
    page = client.get(f"/r/{registration.token}").get_data(as_text=True)
    assert f"/r/{registration.token}/agenda.pdf" in page
    assert client.get("/r/not-a-token/agenda.pdf").status_code == 404


def _login(client, user, password="secret-pass-123"):
    response = client.post("/account/login", data={"email": user.email, "password": password})
    assert response.status_code in (302, 303)


@pytest.mark.slow
def test_employer_agenda_page_pdf_and_feed(client, ical_js):
    event, org, sessions = _event()
    user = User(email="recruiting@henkel-test.example.org", name="Rita Recruiter", organisation=org)
    user.set_password("secret-pass-123")
    db.session.add(user)
    db.session.commit()
    assert client.get("/employer/agenda").status_code in (302, 401)
    _login(client, user)
    page = client.get("/employer/agenda").get_data(as_text=True)
    assert "CV clinic" in page and "Henkel careers" in page and "Opening talk" not in page
    pdf = client.get(f"/employer/agenda/{event.slug}.pdf")
    assert pdf.status_code == 200
    _in_order(pdf_text(pdf.data), ["Rita Recruiter", "CV clinic", "Room A", "Henkel careers", "0 of 1 seats"])
    import re
    feed = re.search(r'value="http://localhost(/calendar/[^"]+\.ics)"', page).group(1)
    events = ical_js(client.get(feed).data)
    assert sorted(e["uid"] for e in events) == sorted(f"session-{s.id}-user-{user.id}@localhost"
                                                      for s in (sessions[1], sessions[4]))
    client.post(f"/employer/agenda/{event.slug}/calendar/renew")
    assert client.get(feed).status_code == 404
    assert client.get("/employer/agenda/no-such-event.pdf").status_code == 404


def test_non_employers_get_403(client):
    user = User(email="someone@example.org", name="Someone")
    user.set_password("secret-pass-123")
    db.session.add(user)
    db.session.commit()
    _login(client, user)
    assert client.get("/employer/agenda").status_code == 403
