"""The session form in the console: times checked in the event's zone on daylight-saving days, sessions that end
after they start (form and database), clashes that need a reason, and a moved session that tells its people."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit import AuditEntry
from app.extensions import db as _db
from app.formatting import fmt_range, fmt_time
from app.mail import OutboxMessage
from events.agendas import feeds
from events.programme.models import Room, Session
from events.registration.models import Attendee
from tests.agendas.helpers import vevents
from tests.factories import make_event, make_session, register
from tests.roles import login, team_for

UTC = timezone.utc


def _day(db, when: datetime, tz: str = "Europe/Berlin"):
    """A published day starting at ``when`` (UTC) in zone ``tz``, with two rooms."""
    event = make_event(starts_at=when, timezone=tz, registration_closes_at=None,
                       registration_opens_at=datetime(2020, 1, 1, tzinfo=UTC))
    for name in ("Aula", "Raum 2"):
        db.session.add(Room(event=event, name=name))
    db.session.commit()
    return event


@pytest.fixture
def staff(client):
    def sign_in(event):
        login(client, team_for(event)["staff"])
        return client
    return sign_in


def _form(event, **fields):
    room = {r.name: r.id for r in event.rooms}
    data = {"title": "Night shift", "kind": "workshop", "language": "en", "starts": "10:00", "ends": "11:00",
            "room_id": str(room["Aula"]), "capacity": "20", "needs_seat": "y", "speakers": "", "abstract": ""}
    data.update({k: (str(room[v]) if k == "room_id" and v in room else v) for k, v in fields.items()})
    return data


def _post(client, event, session=None, **fields):
    url = (f"/console/e/{event.slug}/sessions/{session.id}/edit" if session
           else f"/console/e/{event.slug}/sessions/new")
    return client.post(url, data=_form(event, **fields))


def test_a_time_the_clocks_skip_is_refused_naming_the_gap(client, db, staff):
    event = _day(db, datetime(2027, 3, 27, 23, 0, tzinfo=UTC))  # 00:00 CET on 28 March 2027
    client = staff(event)
    response = _post(client, event, starts="02:30", ends="03:00")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "02:30 does not exist on 2027-03-28 in Europe/Berlin: the clocks jump from 02:00 to 03:00." in html
    response = _post(client, event, starts="01:30", ends="02:10")
    assert "02:10 does not exist" in response.get_data(as_text=True)
    assert db.session.scalar(select(Session.id).where(Session.event_id == event.id)) is None
    # 01:30 CET to 03:30 CEST is one real hour, and is saved as one.
    assert _post(client, event, starts="01:30", ends="03:30").status_code == 303
    session = db.session.scalars(select(Session).where(Session.event_id == event.id)).one()
    assert (session.starts_at, session.ends_at) == (datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
                                                    datetime(2027, 3, 28, 1, 30, tzinfo=UTC))


def test_a_time_that_happens_twice_asks_which_and_keeps_the_answer(client, db, staff):
    event = _day(db, datetime(2027, 10, 30, 22, 0, tzinfo=UTC))  # 00:00 CEST on 31 October 2027
    client = staff(event)
    first = _post(client, event, starts="02:30", ends="03:30")
    assert first.status_code == 422
    html = first.get_data(as_text=True)
    assert "02:30 happens twice on 2027-10-31 in Europe/Berlin, because the clocks go back." in html
    assert 'name="starts_occurrence"' in html and 'name="ends_occurrence"' not in html  # only where needed
    assert "The second time (after the clocks go back)" in html
    assert _post(client, event, starts="02:30", ends="03:30", starts_occurrence="1").status_code == 303
    session = db.session.scalars(select(Session).where(Session.event_id == event.id)).one()
    assert session.starts_at == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 02:30 CET, the second time
    assert session.ends_at == datetime(2027, 10, 31, 2, 30, tzinfo=UTC)
    # The form shows the choice again when the session is opened, with the answer kept.
    page = client.get(f"/console/e/{event.slug}/sessions/{session.id}/edit").get_data(as_text=True)
    assert '<input checked id="starts_occurrence-1"' in page and 'name="ends_occurrence"' not in page
    # 02:50 (first time) to 02:10 (second time) is 20 minutes, not a session that ends before it starts.
    response = _post(client, event, session, starts="02:50", ends="02:10", starts_occurrence="0",
                     ends_occurrence="1")
    assert response.status_code == 303
    db.session.expire_all()
    assert (session.ends_at - session.starts_at).total_seconds() == 20 * 60


def test_a_session_never_ends_before_it_starts(client, db, staff):
    event = _day(db, datetime(2027, 6, 1, 7, 0, tzinfo=UTC))
    client = staff(event)
    for starts, ends in (("11:00", "10:00"), ("10:00", "10:00")):
        response = _post(client, event, starts=starts, ends=ends)
        assert response.status_code == 422
        assert "The session must end after it starts." in response.get_data(as_text=True)
    session = make_session(event, title="Fine")
    session.ends_at = session.starts_at
    with pytest.raises(IntegrityError):  # the database refuses it too (ck_session_ends_after_start)
        db.session.commit()
    db.session.rollback()


def test_a_room_or_speaker_clash_needs_a_reason_which_is_stored_audited_and_shown(client, db, staff):
    event = _day(db, datetime(2027, 6, 1, 7, 0, tzinfo=UTC))  # 09:00 CEST
    client = staff(event)
    assert _post(client, event, title="CV clinic", starts="10:00", ends="11:00",
                 speakers="Dr. Anna Müller, Ben Ito").status_code == 303
    response = _post(client, event, title="Visa talk", starts="10:30", ends="11:30")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This session clashes with another one." in html
    assert "Same room at the same time as “CV clinic”" in html
    # Another room but the same speaker, written without the accent: still a clash.
    response = _post(client, event, title="Visa talk", starts="10:30", ends="11:30", room_id="Raum 2",
                     speakers="anna muller")
    assert "anna muller also speaks in “CV clinic”" in response.get_data(as_text=True)
    assert db.session.scalars(select(Session.title).where(Session.event_id == event.id)).all() == ["CV clinic"]
    # Side by side in time is no clash; a reason lets a real one through.
    assert _post(client, event, title="Lunch talk", starts="11:00", ends="12:00").status_code == 303
    assert _post(client, event, title="Visa talk", starts="10:30", ends="11:30",
                 clash_reason="Two halves of the Aula, with a partition").status_code == 303
    visa = db.session.scalars(select(Session).where(Session.title == "Visa talk")).one()
    assert visa.clash_override == "Two halves of the Aula, with a partition"
    entry = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "session.create")
                                .order_by(AuditEntry.id.desc())).first()
    assert entry.after["clash_override"] == "Two halves of the Aula, with a partition"
    assert {c["title"] for c in entry.after["clashes"]} == {"CV clinic", "Lunch talk"}
    grid = client.get(f"/console/e/{event.slug}/grid")
    assert grid.status_code == 200
    page = grid.get_data(as_text=True)
    assert "Kept because: Two halves of the Aula, with a partition" in page
    assert "3 sessions clash with another one." in page  # CV clinic, Lunch talk and Visa talk


def test_moving_a_session_tells_its_people_in_their_language_and_bumps_the_feed(client, db, staff, ical_js):
    event = _day(db, datetime(2027, 6, 1, 7, 0, tzinfo=UTC))
    client = staff(event)
    assert _post(client, event, title="CV clinic", starts="10:00", ends="11:00", capacity="1").status_code == 303
    session = db.session.scalars(select(Session).where(Session.event_id == event.id)).one()
    seated, waiting = register(event, sessions=[session]), register(event, sessions=[session])
    db.session.get(Attendee, seated.attendee_id).locale = "de"
    db.session.get(Attendee, waiting.attendee_id).locale = "nl"
    db.session.commit()
    feed = f"/calendar/{feeds.feed_token(registration_id=seated.id)}.ics"
    (before,) = [v for v in vevents(client.get(feed).data).values()]
    # Only the title changes: nobody is told.
    assert _post(client, event, session, title="CV clinic!", starts="10:00", ends="11:00",
                 capacity="1").status_code == 303
    assert not db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "session_moved")).all()
    assert _post(client, event, session, title="CV clinic!", starts="14:00", ends="15:00", room_id="Raum 2",
                 capacity="1").status_code == 303
    mails = {m.to: m for m in db.session.scalars(select(OutboxMessage)
                                                 .where(OutboxMessage.template == "session_moved"))}
    assert set(mails) == {seated.attendee.email, waiting.attendee.email}
    german, dutch = mails[seated.attendee.email], mails[waiting.attendee.email]
    assert "14:00" in german.body_text and "10:00" in german.body_text and "Raum 2" in german.body_text
    assert german.subject.startswith("Neue Zeit oder neuer Raum") and dutch.subject.startswith("Nieuwe tijd")
    body = client.get(feed).data
    (after,) = [v for v in vevents(body).values()]
    assert after["sequence"] > before["sequence"]
    assert after["start"] == datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
    (theirs,) = ical_js(body)
    assert theirs["start"] == "2027-06-01T12:00:00.000Z" and theirs["sequence"] == after["sequence"]
    entry = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "session.edit")
                                .order_by(AuditEntry.id.desc())).first()
    assert entry.after["told"] == 2


def test_a_repeated_time_is_shown_with_its_offset_and_an_ordinary_one_without(app):
    """Pages, mails and PDFs say which of the two 02:30s they mean."""
    with app.test_request_context(), force_locale("de"):
        first, second = datetime(2027, 10, 31, 0, 30, tzinfo=UTC), datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
        assert fmt_time(first, "Europe/Berlin") == "02:30 (GMT+02:00)"
        assert fmt_time(second, "Europe/Berlin") == "02:30 (GMT+01:00)"
        assert fmt_range(datetime(2027, 6, 1, 8, 0, tzinfo=UTC), datetime(2027, 6, 1, 9, 0, tzinfo=UTC),
                         "Europe/Berlin") == "10:00–11:00"
