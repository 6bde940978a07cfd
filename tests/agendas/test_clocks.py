"""Clocks that cannot lie (issue 14): sessions entered through the programme's own service across both
daylight-saving changes of five zones, and every feed parsed by icalendar and by ical.js (Mozilla's parser),
which must agree with each other and with the instant staff meant, on every session. Pages and PDFs answer."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from events.agendas import feeds
from events.programme import services as programme
from events.programme.models import Session
from events.registration.models import Registration
from tests.agendas.helpers import iso_utc, vevents
from tests.factories import make_event, register
from tests.roles import login, team_for

UTC = timezone.utc
# Sao Paulo kept daylight saving time until 2019; Kolkata has none (its days are ordinary ones).
ZONES = {"Europe/Berlin": 2027, "Europe/Brussels": 2027, "America/Sao_Paulo": 2018, "Asia/Kolkata": 2027,
         "Australia/Lord_Howe": 2027}
PLAIN_DAYS = [date(2027, 3, 28), date(2027, 10, 31)]


def transitions(tz: str, year: int) -> list[datetime]:
    """The instants in ``year`` at which the zone's offset changes (found every 15 minutes, exact to the minute)."""
    zone, found = ZoneInfo(tz), []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    while moment.year == year:
        after = moment + timedelta(minutes=15)
        if moment.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            exact = next(moment + timedelta(minutes=m) for m in range(1, 16)
                         if (moment + timedelta(minutes=m)).astimezone(zone).utcoffset()
                         != moment.astimezone(zone).utcoffset())
            found.append(exact)
        moment = after
    return found


def _days(tz: str, year: int) -> list[tuple[date, time]]:
    """(local day, local wall time of the change) for each change, or two plain days for a zone without any."""
    changes = transitions(tz, year)
    if not changes:
        return [(day, time(2, 0)) for day in PLAIN_DAYS]
    zone = ZoneInfo(tz)  # the wall clock just after the change: on the day of the gap or of the repeated times
    return [(t.astimezone(zone).date(), t.astimezone(zone).time()) for t in changes]


def _meant(day: date, clock: time, tz: str, fold: int) -> datetime | None:
    """The instant a wall-clock time means, straight from zoneinfo (None when the clocks skip it)."""
    local = datetime.combine(day, clock).replace(tzinfo=ZoneInfo(tz), fold=fold)
    instant = local.astimezone(UTC)
    return instant if instant.astimezone(ZoneInfo(tz)).replace(tzinfo=None) == local.replace(tzinfo=None) else None


def _build_day(tz: str, day: date, change: time) -> tuple[object, dict[int, tuple[datetime, datetime]]]:
    """An event on ``day`` with a session starting every 10 minutes from 2 hours before the change to 2 hours
    after (40 minutes of wall clock each; both occurrences of a repeated time), as staff would save them."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0, 0)).replace(tzinfo=zone).astimezone(UTC)
    event = make_event(starts_at=start, ends_at=start + timedelta(hours=23), timezone=tz,
                       registration_opens_at=datetime(2017, 1, 1, tzinfo=UTC),
                       registration_closes_at=datetime(2099, 1, 1, tzinfo=UTC))
    meant, refused = {}, 0
    centre = datetime.combine(day, change)
    for step in range(-12, 13):
        wall = centre + timedelta(minutes=10 * step)
        wall_end = wall + timedelta(minutes=40)
        if wall.date() != day or wall_end.date() != day:
            continue
        for fold in (0, 1):
            starts, ends = _meant(day, wall.time(), tz, fold), _meant(day, wall_end.time(), tz, fold)
            data = programme.SessionData(title=f"{tz} {wall:%H:%M} #{fold}", kind="workshop", starts=wall.time(),
                                         ends=wall_end.time(), room_id=None, capacity=None,
                                         starts_fold=fold, ends_fold=fold)
            try:
                session = programme.save_session(event, None, data)
            except programme.ConsoleError as exc:
                db.session.rollback()
                refused += 1
                assert starts is None or ends is None or ends <= starts, (tz, wall, fold, exc.message)
                assert exc.field in ("starts", "ends")
                continue
            assert (session.starts_at, session.ends_at) == (starts, ends), (tz, wall, fold)
            meant[session.id] = (starts, ends)
    return event, meant


def _agree(body: bytes, ical_js, expected: dict[str, tuple[datetime, datetime]]) -> None:
    ours = vevents(body)
    theirs = {e["uid"]: e for e in ical_js(body)}
    assert set(ours) == set(theirs) == set(expected)
    for uid, (starts, ends) in expected.items():
        assert (ours[uid]["start"], ours[uid]["end"]) == (starts, ends), uid
        assert (theirs[uid]["start"], theirs[uid]["end"]) == (iso_utc(starts), iso_utc(ends)), uid


@pytest.mark.slow
@pytest.mark.parametrize("tz", list(ZONES))
def test_every_feed_agrees_with_both_parsers_across_both_changes(tz, client, ical_js):
    days = _days(tz, ZONES[tz])
    assert len(days) == 2
    for day, change in days:
        event, meant = _build_day(tz, day, change)
        assert len(meant) >= 12
        host = "localhost"
        response = client.get(f"/e/{event.slug}/programme.ics")
        assert response.status_code == 200
        _agree(response.data, ical_js, {f"session-{sid}@{host}": when for sid, when in meant.items()})
        for sid, when in list(meant.items())[::5]:
            response = client.get(f"/e/{event.slug}/s/{sid}/calendar.ics")
            assert response.status_code == 200
            _agree(response.data, ical_js, {f"session-{sid}@{host}": when})
        # A person down for every other session that does not overlap the one before: their own feed.
        chosen, last_end = [], None
        for sid, (starts, ends) in sorted(meant.items(), key=lambda kv: kv[1]):
            if last_end is None or starts >= last_end:
                chosen.append(sid)
                last_end = ends
        sessions = db.session.scalars(select(Session).where(Session.id.in_(chosen))).all()
        registration = register(event, sessions=sessions)
        response = client.get(f"/calendar/{feeds.feed_token(registration_id=registration.id)}.ics")
        assert response.status_code == 200
        _agree(response.data, ical_js,
               {f"session-{sid}-reg-{registration.id}@{host}": meant[sid] for sid in chosen})
        assert client.get(f"/e/{event.slug}/").status_code == 200
        assert client.get(f"/e/{event.slug}/programme.pdf").status_code == 200
        registration = db.session.get(Registration, registration.id)
        assert client.get(f"/r/{registration.token}/agenda.pdf").status_code == 200
        login(client, team_for(event)["staff"])
        for page in ("sessions", "grid"):
            assert client.get(f"/console/e/{event.slug}/{page}").status_code == 200
        client.post("/logout")


def test_the_changes_found_are_the_real_ones():
    berlin = transitions("Europe/Berlin", 2027)
    assert berlin == [datetime(2027, 3, 28, 1, 0, tzinfo=UTC), datetime(2027, 10, 31, 1, 0, tzinfo=UTC)]
    assert _days("Europe/Berlin", 2027) == [(date(2027, 3, 28), time(3, 0)), (date(2027, 10, 31), time(2, 0))]
    # Lord Howe Island moves its clocks by half an hour: back from 02:00 to 01:30, forward from 02:00 to 02:30.
    assert _days("Australia/Lord_Howe", 2027) == [(date(2027, 4, 4), time(1, 30)), (date(2027, 10, 3), time(2, 30))]
    # Sao Paulo changed at midnight: the repeated hour is the last of 17 February, the gap the first of 4 November.
    assert _days("America/Sao_Paulo", 2018) == [(date(2018, 2, 17), time(23, 0)), (date(2018, 11, 4), time(1, 0))]
    assert transitions("Asia/Kolkata", 2027) == []


def test_an_item_without_length_from_another_feature_breaks_no_feed_and_no_pdf(app, client, ical_js):
    """The programme's sessions cannot end before they start (a CHECK); items of other features might: the feed
    leaves DTEND out rather than write a forbidden one, and the agenda PDF is still made."""
    from events.agendas.items import AgendaItem
    from events.agendas.signals import registration_items

    event = make_event(registration_closes_at=datetime(2099, 1, 1, tzinfo=UTC))
    registration = register(event)
    start = event.starts_at + timedelta(hours=2)

    def odd(_app, registration):
        return [AgendaItem(uid=f"odd-{registration.id}@localhost", kind="meeting", title="Backwards",
                           starts_at=start, ends_at=start - timedelta(minutes=30)),
                AgendaItem(uid=f"zero-{registration.id}@localhost", kind="meeting", title="Zero",
                           starts_at=start, ends_at=start)]

    registration_items.connect(odd, sender=app)
    try:
        response = client.get(f"/calendar/{feeds.feed_token(registration_id=registration.id)}.ics")
        assert response.status_code == 200 and b"DTEND" not in response.data
        theirs = {e["uid"]: e for e in ical_js(response.data)}
        assert {e["start"] for e in theirs.values()} == {iso_utc(start)}
        assert client.get(f"/r/{registration.token}/agenda.pdf").status_code == 200
    finally:
        registration_items.disconnect(odd, sender=app)
