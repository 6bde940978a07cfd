"""iCalendar (RFC 5545) for the programme and for a person's day, written with icalendar 7.

What real calendar apps need, and why:
- times in the event's IANA zone with its VTIMEZONE (only the years the items need), so that a session on a
  daylight-saving change day lands at the right instant everywhere; a time in the hour that happens twice when
  the clocks go back is written in UTC instead: a local time there names two instants, RFC 5545 says the first,
  and Mozilla's ical.js reads the second (issue 14), so only UTC means the same to every parser;
- an item whose end is not after its start (nothing the programme stores, but items come from every feature)
  gets no DTEND rather than a forbidden DTEND <= DTSTART;
- a stable UID per item and a SEQUENCE that grows when it changes (clients ignore updates with the same one);
- STATUS:CANCELLED with the same UID for sessions cancelled or dropped, so that subscribed clients remove them;
- DTSTAMP is the item's last change (there is no METHOD on feeds, RFC 5545 3.8.7.2), which keeps the body, and
  so the ETag, unchanged until something changes;
- no ORGANIZER: clients would offer to send replies to it.
UIDs: ``session-12@<host>`` in the public event feed and in a session's own file, ``session-12-reg-40@<host>``
and ``session-12-user-5@<host>`` in personal feeds; meetings bring their own UIDs through events.agendas.items.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent
from icalendar import vDuration

from events.agendas.items import AgendaItem
from events.programme.models import Event

UTC = timezone.utc
PRODID = "-//welcomeday//agendas 1.0//EN"
STATUS = {"confirmed": "CONFIRMED", "waitlisted": "TENTATIVE", "cancelled": "CANCELLED"}


def uid_domain() -> str:
    return current_app.config.get("CALENDAR_UID_DOMAIN") or urlsplit(current_app.config["BASE_URL"]).hostname \
        or "welcomeday"


def location_line(event: Event, item: AgendaItem) -> str:
    return ", ".join(part for part in (item.location, event.venue, event.address) if part)


def _summary(item: AgendaItem) -> str:
    if item.status == "waitlisted":
        position = item.extra.get("waitlist_position")
        note = (_("waiting list, number %(n)d", n=position) if position else _("waiting list"))
        return f"{item.title} ({note})"
    return item.title


def _description(item: AgendaItem) -> str:
    parts = [item.description] if item.description else []
    if item.extra.get("reason"):
        parts.append(str(item.extra["reason"]))
    if item.status == "waitlisted":
        parts.append(_("You are on the waiting list for this item; we write to you when you have a seat."))
    return "\n\n".join(parts)


def _repeats(moment: datetime, tz: ZoneInfo) -> bool:
    """Whether the local time of ``moment`` happens twice in zone ``tz`` (the hour when the clocks go back)."""
    local = moment.astimezone(tz)
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def _when(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> tuple[datetime, datetime | None]:
    """DTSTART and DTEND: local times of the event's zone, or both in UTC when either local time repeats."""
    zone = UTC if _repeats(starts_at, tz) or _repeats(ends_at, tz) else tz
    return starts_at.astimezone(zone), ends_at.astimezone(zone) if ends_at > starts_at else None


def build_calendar(event: Event, items: list[AgendaItem], *, name: str, uid: str,
                   method: str | None = None) -> bytes:
    """One VCALENDAR with the items in the event's time zone. ``method="PUBLISH"`` for e-mail attachments.

    ``uid`` names the calendar itself (stable, so that an unchanged feed gives the same bytes and ETag).
    """
    tz = event.tz
    fallback_stamp = event.updated_at or event.created_at
    calendar = Calendar.new(prodid=PRODID, name=name, method=method, uid=f"{uid}@{uid_domain()}",
                            refresh_interval=None if method else timedelta(hours=1))
    calendar.add("X-WR-TIMEZONE", event.timezone)
    if not method:
        calendar.add("X-PUBLISHED-TTL", vDuration(timedelta(hours=1)))
    for item in items:
        start, end = _when(item.starts_at, item.ends_at, tz)
        vevent = VEvent.new(
            uid=item.uid, summary=_summary(item), start=start, end=end, stamp=(item.updated_at or fallback_stamp),
            sequence=item.sequence, status=STATUS.get(item.status, "CONFIRMED"),
            location=location_line(event, item) or None, description=_description(item) or None, url=item.url,
            transparency="TRANSPARENT" if item.status != "confirmed" else "OPAQUE")
        if item.updated_at:
            vevent.add("LAST-MODIFIED", item.updated_at)
        calendar.add_component(vevent)
    if items:
        first = min(i.starts_at for i in items).astimezone(tz).year
        last = max(i.ends_at for i in items).astimezone(tz).year
        calendar.add_missing_timezones(first_date=date(first, 1, 1), last_date=date(last + 1, 1, 1))
    return calendar.to_ical()


def etag_for(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def last_modified(event: Event, items: list[AgendaItem]) -> datetime:
    stamps = [i.updated_at for i in items if i.updated_at] + [event.updated_at or event.created_at]
    return max(stamps).replace(microsecond=0)
