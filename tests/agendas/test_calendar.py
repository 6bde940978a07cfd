"""Calendar feeds: parsed by icalendar and by ical.js, correct across DST changes, SEQUENCE, CANCELLED, 304."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db
from events.registration import services
from events.agendas.items import AgendaItem
from events.agendas.signals import registration_items
from events.agendas import feeds
from tests.agendas.helpers import add_session, berlin, iso_utc, vevents
from tests.factories import make_event, register


def _dst_event():
    # Europe/Berlin: 2027-03-28 02:00 CET -> 03:00 CEST, and 2027-10-31 03:00 CEST -> 02:00 CET.
    event = make_event(starts_at=berlin(2027, 3, 28, 1, 0).astimezone(timezone.utc),
                       ends_at=berlin(2027, 10, 31, 18, 0).astimezone(timezone.utc), timezone="Europe/Berlin",
                       registration_closes_at=datetime(2027, 3, 1, tzinfo=timezone.utc))
    spring = add_session(event, "Night owls, spring", berlin(2027, 3, 28, 1, 30), berlin(2027, 3, 28, 3, 30),
                         room="Raum A")
    autumn = add_session(event, "Night owls, autumn", berlin(2027, 10, 31, 1, 30),
                         berlin(2027, 10, 31, 3, 30), room="Raum B")
    return event, spring, autumn


def _feed_path(registration) -> str:
    return f"/calendar/{feeds.feed_token(registration_id=registration.id)}.ics"


def _check_both_parsers(body: bytes, ical_js) -> tuple[dict, dict]:
    ours = vevents(body)
    theirs = {e["uid"]: e for e in ical_js(body)}
    assert set(ours) == set(theirs)
    for uid, item in ours.items():
        assert theirs[uid]["start"] == iso_utc(item["start"]), uid
        assert theirs[uid]["end"] == iso_utc(item["end"]), uid
        assert theirs[uid]["status"] == item["status"]
        assert theirs[uid]["sequence"] == item["sequence"]
        assert theirs[uid]["organizer"] is None
        assert "DTSTAMP" in item["component"]
    return ours, theirs


def test_event_feed_is_right_across_daylight_saving_changes(client, ical_js):
    event, spring, autumn = _dst_event()
    response = client.get(f"/e/{event.slug}/programme.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.data
    assert b"BEGIN:VTIMEZONE" in body and b"TZID:Europe/Berlin" in body
    assert b"ORGANIZER" not in body
    ours, theirs = _check_both_parsers(body, ical_js)
    host = "localhost"
    # 01:30 CET = 00:30 UTC; 03:30 CEST = 01:30 UTC (the hour 02:00-03:00 does not exist that night).
    assert theirs[f"session-{spring.id}@{host}"]["start"] == "2027-03-28T00:30:00.000Z"
    assert theirs[f"session-{spring.id}@{host}"]["end"] == "2027-03-28T01:30:00.000Z"
    assert theirs[f"session-{spring.id}@{host}"]["tzid"] == "Europe/Berlin"
    # 01:30 CEST = 23:30 UTC the day before; three hours later it is 03:30 CET = 02:30 UTC.
    assert theirs[f"session-{autumn.id}@{host}"]["start"] == "2027-10-30T23:30:00.000Z"
    assert theirs[f"session-{autumn.id}@{host}"]["end"] == "2027-10-31T02:30:00.000Z"
    component = ours[f"session-{spring.id}@{host}"]["component"]
    assert "Raum A" in str(component["LOCATION"]) and event.address in str(component["LOCATION"])
    assert str(component["URL"]).endswith(f"/e/{event.slug}/s/{spring.id}")


def test_personal_feed_changes_sequence_and_cancels_dropped_sessions(client, ical_js):
    event, spring, autumn = _dst_event()
    other = add_session(event, "Säß & “quotes”, commas; semicolons\\ and a very long title that must be folded",
                        berlin(2027, 3, 28, 10, 0), 60, room="Raum C", abstract="Line one\nLine two, with commas")
    registration = register(event, sessions=[spring, autumn, other], name="王芳")
    path = _feed_path(registration)
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["Cache-Control"].startswith("no-cache") or "private" in first.headers["Cache-Control"]
    ours, theirs = _check_both_parsers(first.data, ical_js)
    uid = f"session-{spring.id}-reg-{registration.id}@localhost"
    assert ours[uid]["status"] == "CONFIRMED"
    long_uid = f"session-{other.id}-reg-{registration.id}@localhost"
    assert theirs[long_uid]["summary"] == other.title  # escaping and line folding survive a real parser
    assert theirs[long_uid]["description"].startswith("Line one\nLine two, with commas")
    assert all(len(line) <= 75 for line in first.data.split(b"\r\n"))
    before = ours[uid]["sequence"]

    # The session moves: same UID, higher SEQUENCE, new time.
    spring.starts_at += timedelta(minutes=30)
    spring.ends_at += timedelta(minutes=30)
    db.session.commit()
    moved, moved_js = _check_both_parsers(client.get(path).data, ical_js)
    assert moved[uid]["sequence"] > before
    assert moved_js[uid]["start"] == "2027-03-28T01:00:00.000Z"

    # The attendee drops it: it stays in the feed, CANCELLED, same UID, higher SEQUENCE again.
    services.drop(registration, spring.id)
    dropped, dropped_js = _check_both_parsers(client.get(path).data, ical_js)
    assert dropped[uid]["status"] == "CANCELLED" and dropped_js[uid]["status"] == "CANCELLED"
    assert dropped[uid]["sequence"] > moved[uid]["sequence"]

    # Staff cancel another session: CANCELLED too.
    from events.programme.models import SessionStatus
    autumn.status = SessionStatus.CANCELLED
    db.session.commit()
    cancelled = vevents(client.get(path).data)
    autumn_uid = f"session-{autumn.id}-reg-{registration.id}@localhost"
    assert cancelled[autumn_uid]["status"] == "CANCELLED"
    assert cancelled[autumn_uid]["sequence"] > dropped[autumn_uid]["sequence"]


def test_room_rename_and_venue_change_raise_sequence(client):
    event, spring, _ = _dst_event()
    before = vevents(client.get(f"/e/{event.slug}/programme.ics").data)
    spring.room.name = "Raum A (Erdgeschoss)"
    db.session.commit()
    after = vevents(client.get(f"/e/{event.slug}/programme.ics").data)
    uid = f"session-{spring.id}@localhost"
    assert after[uid]["sequence"] > before[uid]["sequence"]
    assert "Erdgeschoss" in str(after[uid]["component"]["LOCATION"])
    event.address = "Neue Straße 2, 40210 Düsseldorf"
    db.session.commit()
    moved = vevents(client.get(f"/e/{event.slug}/programme.ics").data)
    assert all(moved[u]["sequence"] > after[u]["sequence"] for u in moved)


def test_waitlisted_place_is_tentative_with_its_position(client, ical_js):
    event, spring, _ = _dst_event()
    small = add_session(event, "Tiny workshop", berlin(2027, 3, 28, 12, 0), 60, room="Raum D", capacity=1)
    register(event, sessions=[small])
    second = register(event, sessions=[small])
    body = client.get(_feed_path(second)).data
    ours, theirs = _check_both_parsers(body, ical_js)
    uid = f"session-{small.id}-reg-{second.id}@localhost"
    assert ours[uid]["status"] == "TENTATIVE"
    assert "waiting list, number 1" in theirs[uid]["summary"]


def test_feeds_answer_304_to_conditional_requests(client):
    event, spring, _ = _dst_event()
    registration = register(event, sessions=[spring])
    for path in (f"/e/{event.slug}/programme.ics", _feed_path(registration),
                 f"/e/{event.slug}/s/{spring.id}/calendar.ics"):
        first = client.get(path)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert client.get(path).data == first.data  # stable bytes, stable ETag
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    spring.title = "Renamed"
    db.session.commit()
    assert client.get(f"/e/{event.slug}/programme.ics", headers={"If-None-Match": etag}).status_code == 200


def test_renewed_feed_link_revokes_the_old_one(client):
    event, spring, _ = _dst_event()
    registration = register(event, sessions=[spring])
    old = _feed_path(registration)
    assert client.get(old).status_code == 200
    response = client.post(f"/r/{registration.token}/calendar/renew")
    assert response.status_code == 303
    new = _feed_path(registration)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    page = client.get(f"/r/{registration.token}").get_data(as_text=True)
    assert new in page and "webcal://localhost" + new in page
    assert old not in page


@pytest.mark.parametrize("token", ["", "r1-AAAA", "r1-" + "A" * 26, "u1e1-" + "A" * 26, "x" * 300,
                                   "r99999999-" + "B" * 26, "r1-" + "a" * 26])
def test_forged_or_malformed_feed_tokens_give_404(client, token):
    event, spring, _ = _dst_event()
    register(event, sessions=[spring])
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_session_file_and_links_on_pages(client, ical_js):
    event, spring, _ = _dst_event()
    response = client.get(f"/e/{event.slug}/s/{spring.id}/calendar.ics")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    (item,) = ical_js(response.data)
    assert item["uid"] == f"session-{spring.id}@localhost"  # the same UID as in the event feed
    assert client.get(f"/e/{event.slug}/s/999999/calendar.ics").status_code == 404
    page = client.get(f"/e/{event.slug}/s/{spring.id}").get_data(as_text=True)
    assert f"/e/{event.slug}/s/{spring.id}/calendar.ics" in page
    page = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert f"/e/{event.slug}/programme.pdf" in page and f"/e/{event.slug}/programme.ics" in page


@pytest.mark.slow
def test_items_of_other_features_show_generically(app, client, ical_js):
    """A provider for another kind of item (as matching adds 1:1 meetings) needs no change in the feeds."""
    event, spring, _ = _dst_event()
    registration = register(event, sessions=[spring])

    def meetings(_app, registration):
        reg = registration
        start = berlin(2027, 3, 28, 14, 0)
        return [AgendaItem(uid=f"meeting-7-reg-{reg.id}@localhost", kind="meeting", title="Meeting with Henkel",
                           starts_at=start, ends_at=start + timedelta(minutes=15), location="Foyer, table 3",
                           sequence=2, extra={"reason": "You both listed polymer chemistry"})]

    registration_items.connect(meetings, sender=app)
    try:
        body = client.get(_feed_path(registration)).data
        theirs = {e["uid"]: e for e in ical_js(body)}
        meeting = theirs[f"meeting-7-reg-{registration.id}@localhost"]
        assert meeting["sequence"] == 2 and meeting["start"] == "2027-03-28T12:00:00.000Z"
        assert "Foyer, table 3" in meeting["location"] and "polymer chemistry" in meeting["description"]
        pdf = client.get(f"/r/{registration.token}/agenda.pdf")
        from tests.agendas.conftest import pdf_text
        text = pdf_text(pdf.data)
        assert "Meeting with Henkel" in text and "polymer chemistry" in text and "Foyer, table 3" in text
    finally:
        registration_items.disconnect(meetings, sender=app)


@pytest.mark.slow
def test_confirmation_mail_carries_agenda_ics_and_pdf(app, db):
    from app.mail import memory_outbox, send_pending
    event, spring, _ = _dst_event()
    register(event, sessions=[spring])
    send_pending()
    confirmed = [m for m in memory_outbox() if m["Subject"].startswith("You are registered")]
    assert confirmed, [m["Subject"] for m in memory_outbox()]
    files = {part.get_filename(): part for part in confirmed[-1].iter_attachments()}
    names = sorted(files)
    assert any(n.endswith("-agenda.ics") for n in names) and any(n.endswith("-agenda.pdf") for n in names)
    ics = next(p for n, p in files.items() if n.endswith(".ics")).get_content()
    ics = ics if isinstance(ics, bytes) else ics.encode()
    assert b"METHOD:PUBLISH" in ics and re.search(rb"UID:session-\d+-reg-\d+@localhost", ics)
    pdf = next(p for n, p in files.items() if n.endswith(".pdf")).get_content()
    assert pdf.startswith(b"%PDF")
