"""After the day: rating mails (how many first, once each, in each person's language, a signed link), the rating
form of attendees and employer contacts (editable until it closes), ratings by the matcher's score band; and the
staff room plan PDF, read back."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.extensions import utcnow
from events.meetings import ratings, services
from events.meetings.models import MeetingRating, MeetingStatus, RatingRound, RatingSide
from tests.agendas.conftest import pdf_pages
from tests.employers.helpers import login, mails, make_staff
from tests.meetings.helpers import networking_day


def _day_over(db, employers: int = 2):
    event, setup, orgs, users, regs, _ = networking_day(attendees=6, employers=employers)
    services.run_now(setup)
    services.publish(setup)
    now = utcnow()
    event.starts_at, event.ends_at = now - timedelta(hours=9), now - timedelta(hours=1)
    db.session.commit()
    return event, setup, orgs, users, regs


def _link(message) -> str:
    return re.search(r"/rate/([A-Za-z0-9_.\-]+)", message.body_text).group(0)


def _form(meetings, values: dict) -> dict:
    return {f"rating_{m.id}": str(values[m.id]) for m in meetings if m.id in values} | {
        f"comment_{m.id}": f"comment {m.id}" for m in meetings}


def test_rating_mails_say_how_many_go_once_each_in_each_language(client, db):
    event, setup, _orgs, users, regs = _day_over(db)
    met = {m.registration_id for m in services.meetings_of(setup, (MeetingStatus.PUBLISHED,))}
    met_orgs = {m.organisation_id for m in services.meetings_of(setup, (MeetingStatus.PUBLISHED,))}
    german = next(r for r in regs if r.id in met)
    german.attendee.locale = "de"
    db.session.commit()
    login(client, make_staff(event).email)
    page = client.get(f"/console/e/{event.slug}/meetings/ratings")
    counts = (len(met), len(met_orgs))  # one contact per organisation here
    assert f"{counts[0]} attendees and {counts[1]} employer contacts" in page.text
    form = {"attendees": str(counts[0]), "contacts": str(counts[1] + 1), "days_open": "7", "understood": "y"}
    client.post(f"/console/e/{event.slug}/meetings/ratings/send", data=form)
    assert mails("meeting_ratings") == [] and db.session.scalar(select(RatingRound)) is None  # numbers changed
    form["contacts"] = str(counts[1])
    client.post(f"/console/e/{event.slug}/meetings/ratings/send", data=form)
    sent = mails("meeting_ratings")
    assert len(sent) == sum(counts)
    assert {m.to for m in sent} == {r.attendee.email for r in regs if r.id in met} | {
        u.email for u in users if u.organisation_id in met_orgs}
    assert next(m for m in sent if m.to == german.attendee.email).subject.startswith("Wie liefen Ihre Gespräche")
    assert "Nobody is waiting" in client.get(f"/console/e/{event.slug}/meetings/ratings").text
    assert ratings.send_mails(event) == 0  # a rerun mails nobody twice


def test_both_sides_rate_their_meetings_until_it_closes_and_staff_see_bands(client, db):
    event, setup, _orgs, users, regs = _day_over(db)
    ratings.send_mails(event, days_open=3)
    published = services.meetings_of(setup, (MeetingStatus.PUBLISHED,))
    attendee = next(r for r in regs if any(m.registration_id == r.id for m in published))
    hers = [m for m in published if m.registration_id == attendee.id]
    link = _link(next(m for m in mails("meeting_ratings") if m.to == attendee.attendee.email))
    page = client.get(link)
    assert page.status_code == 200 and all(m.organisation.name in page.text for m in hers)
    assert link in client.get(f"/r/{attendee.token}").text  # "My registration" links to it too
    assert client.post(link, data=_form(hers, {hers[0].id: 7})).status_code == 422
    assert client.post(link, data=_form(hers, {m.id: 4 for m in hers})).status_code == 303
    assert client.post(link, data=_form(hers, {m.id: 5 for m in hers})).status_code == 303  # changed
    rows = db.session.scalars(select(MeetingRating)).all()
    assert sorted((r.meeting_id, r.side, r.rating) for r in rows) == sorted(
        (m.id, RatingSide.ATTENDEE, 5) for m in hers)

    org = hers[0].organisation_id
    contact = next(u for u in users if u.organisation_id == org)
    theirs = [m for m in published if m.organisation_id == org]
    employer_link = _link(next(m for m in mails("meeting_ratings") if m.to == contact.email))
    assert hers[0].registration.attendee.full_name in client.get(employer_link).text
    login(client, contact.email)  # signed in, the contact finds the same link on the event's page
    assert employer_link in client.get(f"/employer/e/{event.slug}/").text
    assert client.post(employer_link, data=_form(theirs, {m.id: 2 for m in theirs})).status_code == 303

    bands = ratings.bands(event)
    assert sum(b.meetings for b in bands) == len(published) and len(bands) <= ratings.BANDS
    assert sum(b.attendee_count for b in bands) == len(hers) and sum(b.employer_count for b in bands) == len(theirs)
    assert {b.employer_mean for b in bands if b.employer_count} == {2.0}
    assert all(bands[i].high < bands[i + 1].low for i in range(len(bands) - 1))
    login(client, make_staff(event).email)
    staff_page = client.get(f"/console/e/{event.slug}/meetings/ratings").text
    assert "Ratings by score band" in staff_page and "<td>2.00</td>" in staff_page and "<td>5.00</td>" in staff_page

    db.session.scalar(select(RatingRound)).closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.post(link, data=_form(hers, {m.id: 1 for m in hers})).status_code == 409
    assert "Rating is closed" in client.get(link).text
    assert {r.rating for r in db.session.scalars(select(MeetingRating).where(
        MeetingRating.side == RatingSide.ATTENDEE))} == {5}
    assert client.get(link[:-3] + "abc").status_code == 404  # a forged link
    mine = client.get(f"/r/{attendee.token}/data.json").get_json()["meeting_ratings"]
    assert sorted((r["rating"], r["comment"]) for r in mine) == sorted((5, f"comment {m.id}") for m in hers)
    client.post(f"/r/{attendee.token}/delete")
    assert {r.comment for r in db.session.scalars(select(MeetingRating).where(
        MeetingRating.side == RatingSide.ATTENDEE))} == {""}


def test_the_room_plan_lists_every_table_with_its_employer(client, db):
    event, setup, _orgs, _users, _regs, _ = networking_day(attendees=2, employers=3, tables=2)
    login(client, make_staff(event).email)
    response = client.get(f"/console/e/{event.slug}/meetings/room-plan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf_pages(response.data)
    assert len(pages) == 1 and "Room plan: Foyer" in pages[0] and "Meet the employers" in pages[0]
    for employer in setup.employers:
        for n in range(employer.first_table, employer.first_table + 2):
            assert re.search(rf"\b{n}\s+{re.escape(employer.organisation.name)}", pages[0]), (n, pages[0])
        first = employer.first_table  # and the index by name, for the helpers at the door
        assert f"{employer.organisation.name}: {first}, {first + 1}" in pages[0]
    assert f'href="/console/e/{event.slug}/meetings/room-plan.pdf"' in client.get(
        f"/console/e/{event.slug}/meetings").text


def test_staff_close_ratings_early_or_keep_them_open_longer(client, db):
    from app.audit import AuditEntry
    event, _setup, _orgs, _users, _regs = _day_over(db)
    login(client, make_staff(event).email)
    url = f"/console/e/{event.slug}/meetings/ratings/closing"
    assert client.post(url, data={"closes_at": "2030-01-01T10:00"}).status_code == 409  # no e-mails sent yet
    assert "ratings/closing" not in client.get(f"/console/e/{event.slug}/meetings/ratings").text
    ratings.send_mails(event, days_open=3, now=utcnow() - timedelta(minutes=30))
    rnd = db.session.scalar(select(RatingRound))
    page = client.get(f"/console/e/{event.slug}/meetings/ratings").text
    local = rnd.closes_at.astimezone(event.tz)
    assert f'value="{local:%Y-%m-%d %H:%M}:00"' in page  # the closing time in the day's zone

    answer = client.post(url, data={"closes_at": ""})
    assert answer.status_code == 422 and "Please give a date and a time." in answer.text
    too_late = (rnd.opened_at + timedelta(days=ratings.MAX_DAYS_OPEN + 1)).astimezone(event.tz)
    answer = client.post(url, data={"closes_at": f"{too_late:%Y-%m-%dT%H:%M}"})
    assert answer.status_code == 422 and "at most 90 days" in answer.text
    assert db.session.scalar(select(RatingRound)).closes_at == rnd.closes_at  # nothing changed

    before_opening = (rnd.opened_at - timedelta(minutes=5)).astimezone(event.tz)
    answer = client.post(url, data={"closes_at": f"{before_opening:%Y-%m-%dT%H:%M}"})
    assert answer.status_code == 422 and "cannot close before they opened" in answer.text
    past = (utcnow() - timedelta(minutes=5)).astimezone(event.tz)
    assert client.post(url, data={"closes_at": f"{past:%Y-%m-%dT%H:%M}"}).status_code == 303
    db.session.expire_all()
    assert ratings.state(event) == "closed"
    later = (utcnow() + timedelta(days=20)).astimezone(event.tz)
    assert client.post(url, data={"closes_at": f"{later:%Y-%m-%dT%H:%M}"}).status_code == 303
    db.session.expire_all()
    assert ratings.state(event) == "open"
    assert db.session.scalar(select(RatingRound)).closes_at == later.replace(second=0, microsecond=0)
    changes = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "ratings.closing")).all()
    assert len(changes) == 2 and changes[-1].event_id == event.id
    assert "Changed when the meeting ratings close" in client.get(f"/console/e/{event.slug}/audit").text
