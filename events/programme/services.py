"""Staff console: events, rooms and sessions. Every change is audited in its own transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit import audit, snapshot
from app.content import change_main_languages, language_name, set_translations
from app.extensions import db, utcnow
from app.mail import queue_mail
from events.employers.models import EventPartner, PartnerStatus
from events.registration.models import HOLDS_PLACE, Enrolment, EnrolmentStatus, Registration
from events.programme.models import Event, EventStatus, Room, Session, SessionKind, SessionStatus
from events.programme.grid import Clash, clashes_with
from events.programme.times import at_local, check_local, local_to_utc, move_to_day, occurrence, utc_to_local
from events.registration import store
from events.registration.locking import fill_event, fill_session, lock_event

EVENT_FIELDS = ("slug", "title", "description", "venue", "address", "timezone", "starts_at", "ends_at",
                "registration_opens_at", "registration_closes_at", "capacity", "status", "languages",
                "contact_email", "privacy_notice", "main_language", "translations")
ROOM_FIELDS = ("name", "capacity", "floor", "translations")
SESSION_FIELDS = ("title", "kind", "abstract", "starts_at", "ends_at", "room_id", "capacity", "needs_seat",
                  "language", "speakers", "status", "clash_override", "translations")
MOVE_FIELDS = ("starts_at", "ends_at", "room_id")


class ConsoleError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ClashError(ConsoleError):
    """A session would share a room or a speaker with another at the same time: saved only with a reason."""

    def __init__(self, clashes: list[Clash]):
        super().__init__(_("This session clashes with another one. Give a reason to keep it anyway, or change its "
                           "time, room or speakers."), field="clash_reason")
        self.clashes = clashes


@dataclass
class EventData:
    title: str
    slug: str
    day: date
    starts: time
    ends: time
    timezone: str = "Europe/Berlin"
    description: str = ""
    venue: str = ""
    address: str = ""
    registration_opens_at: datetime | None = None  # naive, in the event's time zone
    registration_closes_at: datetime | None = None
    capacity: int | None = None
    languages: list[str] | None = None
    contact_email: str = ""
    privacy_notice: str = ""
    main_language: str = "en"   # the main language wanted
    texts_language: str | None = None  # the language title and description are written in (None: main_language)
    translations: dict | None = None  # the other languages' texts: {"de": {"title": …, "description": …}}


def _slug_taken(slug: str, except_id: int | None = None) -> bool:
    query = select(Event.id).where(Event.slug == slug)
    if except_id:
        query = query.where(Event.id != except_id)
    return db.session.scalar(query) is not None


def _apply(event: Event, data: EventData) -> None:
    event.title, event.slug, event.timezone = data.title, data.slug, data.timezone
    event.description, event.venue, event.address = data.description, data.venue, data.address
    event.starts_at = at_local(data.day, data.starts, data.timezone)
    event.ends_at = at_local(data.day, data.ends, data.timezone)
    event.registration_opens_at = local_to_utc(data.registration_opens_at, data.timezone)
    event.registration_closes_at = local_to_utc(data.registration_closes_at, data.timezone)
    event.capacity = data.capacity
    event.languages = list(data.languages or ["en"])
    event.contact_email = data.contact_email
    event.privacy_notice = data.privacy_notice
    if event.id is None:
        event.main_language = data.texts_language or data.main_language
    set_translations(event, data.translations or {})
    _change_main_language(event, data.main_language)


def _change_main_language(event: Event, language: str) -> None:
    """The texts of ``language`` become the main texts of the event, its sessions and its rooms (all or none)."""
    lacking = change_main_languages([event, *event.sessions, *event.rooms] if event.id else [event], language)
    if lacking:
        raise ConsoleError(_("%(language)s can become the main language once every text has it: %(n)d of the "
                             "day, its sessions and rooms have none yet.", language=language_name(language),
                             n=len(lacking)), field="main_language")
    event.main_language = language


def create_event(data: EventData) -> Event:
    if _slug_taken(data.slug):
        raise ConsoleError(_("Another welcome day already uses this address."), field="slug")
    event = Event(status=EventStatus.DRAFT)
    _apply(event, data)
    db.session.add(event)
    db.session.flush()
    audit("event.create", event, None, snapshot(event, EVENT_FIELDS))
    db.session.commit()
    return event


def update_event(event: Event, data: EventData) -> Event:
    if _slug_taken(data.slug, event.id):
        raise ConsoleError(_("Another welcome day already uses this address."), field="slug")
    event = lock_event(event.id)  # a capacity change refills the waiting list, under the event's lock
    before = snapshot(event, EVENT_FIELDS)
    old_day = event.starts_at.astimezone(event.tz).date()
    _apply(event, data)
    # Moving the day moves its programme with it, keeping each session's local time of day.
    if data.day != old_day or data.timezone != before["timezone"]:
        for session in event.sessions:
            for attr in ("starts_at", "ends_at"):
                setattr(session, attr, move_to_day(getattr(session, attr), before["timezone"], old_day, data.day,
                                                   event.timezone))
    db.session.flush()
    if before["capacity"] is not None and (event.capacity is None or event.capacity > before["capacity"]):
        fill_event(event, utcnow())  # more places (or no limit): the first in line get them now, and are told
    audit("event.edit", event, before, snapshot(event, EVENT_FIELDS))
    db.session.commit()
    return event


def event_data_from(event: Event) -> EventData:
    local_start = event.starts_at.astimezone(event.tz)
    return EventData(
        title=event.title, slug=event.slug, day=local_start.date(), starts=local_start.time(),
        ends=event.ends_at.astimezone(event.tz).time(), timezone=event.timezone, description=event.description,
        venue=event.venue, address=event.address,
        registration_opens_at=utc_to_local(event.registration_opens_at, event.timezone),
        registration_closes_at=utc_to_local(event.registration_closes_at, event.timezone),
        capacity=event.capacity, languages=list(event.languages or []), contact_email=event.contact_email,
        privacy_notice=event.privacy_notice, main_language=event.text_language,
        translations=dict(event.translations or {}))


def clone_event(source: Event, *, title: str, slug: str, day: date) -> Event:
    """A new draft from last year's day: same programme, rooms and partners, moved to ``day``."""
    if _slug_taken(slug):
        raise ConsoleError(_("Another welcome day already uses this address."), field="slug")
    old_day = source.starts_at.astimezone(source.tz).date()

    def move(moment: datetime | None) -> datetime | None:
        return move_to_day(moment, source.timezone, old_day, day) if moment else None

    event = Event(slug=slug, title=title, description=source.description, venue=source.venue,
                  address=source.address, timezone=source.timezone, starts_at=move(source.starts_at),
                  ends_at=move(source.ends_at), registration_opens_at=move(source.registration_opens_at),
                  registration_closes_at=move(source.registration_closes_at), capacity=source.capacity,
                  status=EventStatus.DRAFT, languages=list(source.languages or []),
                  contact_email=source.contact_email, privacy_notice=source.privacy_notice,
                  previous_event_id=source.id, main_language=source.text_language,
                  translations=dict(source.translations or {}))
    db.session.add(event)
    rooms = {}
    for room in source.rooms:
        rooms[room.id] = Room(event=event, name=room.name, capacity=room.capacity, floor=room.floor,
                              translations=dict(room.translations or {}))
        db.session.add(rooms[room.id])
    for s in source.sessions:
        if s.is_cancelled:
            continue
        db.session.add(Session(
            event=event, kind=s.kind, title=s.title, abstract=s.abstract, starts_at=move(s.starts_at),
            ends_at=move(s.ends_at), room=rooms.get(s.room_id), capacity=s.capacity, language=s.language,
            host_organisation_id=s.host_organisation_id, speakers=s.speakers, needs_seat=s.needs_seat,
            translations=dict(s.translations or {})))
    for p in source.partners:
        if p.status == PartnerStatus.ACCEPTED:
            db.session.add(EventPartner(event=event, organisation_id=p.organisation_id, role=p.role,
                                        status=PartnerStatus.APPLIED))
    db.session.flush()
    audit("event.clone", event, {"from": source.slug}, snapshot(event, EVENT_FIELDS))
    db.session.commit()
    return event


def set_status(event: Event, status: EventStatus) -> Event:
    if status == EventStatus.PUBLISHED and not event.sessions:
        raise ConsoleError(_("Add at least one session before publishing."))
    before = {"status": event.status.value}
    event.status = status
    action = {EventStatus.PUBLISHED: "event.publish", EventStatus.DRAFT: "event.unpublish",
              EventStatus.CLOSED: "event.close"}[status]
    audit(action, event, before, {"status": status.value})
    db.session.commit()
    return event


# ----------------------------------------------------------------------------------------------- rooms


def save_room(event: Event, room: Room | None, *, name: str, capacity: int | None, floor: str,
              translations: dict | None = None) -> Room:
    clash = db.session.scalar(select(Room.id).where(Room.event_id == event.id, Room.name == name,
                                                    Room.id != (room.id if room else -1)))
    if clash:
        raise ConsoleError(_("This event already has a room with this name."), field="name")
    before = snapshot(room, ROOM_FIELDS) if room else None
    if room is None:
        room = Room(event=event)
        db.session.add(room)
    room.name, room.capacity, room.floor = name, capacity, floor
    set_translations(room, translations or {})
    db.session.flush()
    audit("room.edit" if before else "room.create", room, before, snapshot(room, ROOM_FIELDS),
          event_id=event.id)
    db.session.commit()
    return room


# ----------------------------------------------------------------------------------------------- sessions


@dataclass
class SessionData:
    title: str
    kind: str
    starts: time
    ends: time
    abstract: str = ""
    room_id: int | None = None
    capacity: int | None = None
    needs_seat: bool = True
    language: str = "en"
    speakers: str = ""
    starts_fold: int | None = None  # FIRST or SECOND when the local time happens twice (the clocks go back)
    ends_fold: int | None = None
    clash_reason: str = ""          # why the session is kept although it clashes
    translations: dict | None = None  # title and abstract in the event's other languages: {"nl": {"title": …}}


def _instant(event: Event, day: date, clock: time, fold: int | None, field: str) -> datetime:
    """A time staff typed, as an instant of the event's zone: refused when the clocks skip it, asked about when
    it happens twice."""
    check = check_local(datetime.combine(day, clock), event.timezone)
    fmt = "%H:%M"
    if not check.exists:
        start, end = check.gap
        raise ConsoleError(_("%(time)s does not exist on %(day)s in %(zone)s: the clocks jump from %(start)s to "
                             "%(end)s. Choose a time before or after the jump.", time=clock.strftime(fmt),
                             day=day.isoformat(), zone=event.timezone, start=start.strftime(fmt),
                             end=end.strftime(fmt)), field=field)
    if check.ambiguous:
        if fold is None:
            raise ConsoleError(_("%(time)s happens twice on %(day)s in %(zone)s, because the clocks go back. "
                                 "Choose which of the two you mean.", time=clock.strftime(fmt),
                                 day=day.isoformat(), zone=event.timezone), field=f"{field}_occurrence")
        return check.instants[fold]
    return check.instants[0]


def session_instants(event: Event, data: SessionData) -> tuple[datetime, datetime]:
    """The start and end of a session as UTC instants on the event's day, checked: both exist, and it ends after
    it starts (the database refuses anything else too)."""
    day = event.starts_at.astimezone(event.tz).date()
    starts = _instant(event, day, data.starts, data.starts_fold, "starts")
    ends = _instant(event, day, data.ends, data.ends_fold, "ends")
    if ends <= starts:
        raise ConsoleError(_("The session must end after it starts."), field="ends")
    return starts, ends


def session_clashes(event: Event, session: Session | None, starts: datetime, ends: datetime,
                    room_id: int | None, speakers: str) -> list[Clash]:
    """What a session at these times, room and speakers would clash with (cancelled sessions clash with none)."""
    if session is not None and session.is_cancelled:
        return []
    others = db.session.scalars(select(Session).where(
        Session.event_id == event.id, Session.status == SessionStatus.SCHEDULED,
        Session.starts_at < ends, Session.ends_at > starts)).all()
    return clashes_with(starts, ends, room_id, speakers, others, own_id=session.id if session else None)


def save_session(event: Event, session: Session | None, data: SessionData) -> Session:
    if data.room_id is not None and db.session.scalar(
            select(Room.id).where(Room.id == data.room_id, Room.event_id == event.id)) is None:
        raise ConsoleError(_("Choose a room of this event."), field="room_id")
    starts, ends = session_instants(event, data)
    lock_event(event.id)  # capacity changes refill the waiting list, and clashes are judged, under the event's lock
    found = session_clashes(event, session, starts, ends, data.room_id, data.speakers)
    if found and not data.clash_reason.strip():
        raise ClashError(found)
    before = snapshot(session, SESSION_FIELDS) if session else None
    moved = session is not None and (session.starts_at, session.ends_at, session.room_id) != (starts, ends,
                                                                                              data.room_id)
    was = (session.starts_at, session.ends_at, session.room) if moved else None
    if session is None:
        session = Session(event=event)
        db.session.add(session)
    session.title, session.kind, session.abstract = data.title, SessionKind(data.kind), data.abstract
    session.starts_at, session.ends_at = starts, ends
    session.room = db.session.get(Room, data.room_id) if data.room_id is not None else None
    session.capacity, session.needs_seat = data.capacity, data.needs_seat
    session.language, session.speakers = data.language, data.speakers
    set_translations(session, data.translations or {})
    session.clash_override = data.clash_reason.strip()[:300] if found else ""
    db.session.flush()  # events/agendas bumps the SEQUENCE of a session whose times or room change
    told = _tell_moved(session, *was) if was else 0
    if before is not None:
        fill_session(session, utcnow())  # more seats: the first in line get them now
    after = snapshot(session, SESSION_FIELDS)
    if found:
        after["clashes"] = [c.describe() for c in found]
    if moved:
        after["told"] = told
    audit("session.edit" if before else "session.create", session, before, after)
    db.session.commit()
    return session


def _tell_moved(session: Session, was_starts: datetime, was_ends: datetime, was_room: Room | None) -> int:
    """Mail everyone down for a session (seat or waiting list) its new time and room, in their language."""
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.session_id == session.id, Enrolment.status != EnrolmentStatus.DROPPED)
        .order_by(Enrolment.id)).all()
    told = 0
    for enrolment in enrolments:
        registration = enrolment.registration
        if registration.status in HOLDS_PLACE or registration.status.value == "waitlisted":
            queue_mail(registration.attendee.email, "session_moved", locale=registration.attendee.locale,
                       registration=registration, session=session, event=session.event, was_starts=was_starts,
                       was_ends=was_ends, was_room=was_room.name if was_room else "")
            told += 1
    return told


def session_data_from(session: Session) -> SessionData:
    tz = session.event.tz
    starts, ends = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)

    def fold(moment: datetime) -> int | None:
        return occurrence(moment, session.event.timezone) if check_local(
            moment.replace(tzinfo=None), session.event.timezone).ambiguous else None

    return SessionData(title=session.title, kind=session.kind.value, starts=starts.time(), ends=ends.time(),
                       abstract=session.abstract, room_id=session.room_id, capacity=session.capacity,
                       needs_seat=session.needs_seat, language=session.language, speakers=session.speakers,
                       starts_fold=fold(starts), ends_fold=fold(ends), clash_reason=session.clash_override,
                       translations=dict(session.translations or {}))


def cancel_session(session: Session, message: str = "") -> int:
    """Cancel a session: everyone down for it is told, their enrolments dropped (calendars show CANCELLED)."""
    lock_event(session.event_id)
    if session.is_cancelled:
        db.session.rollback()
        raise ConsoleError(_("This session is already cancelled."))
    now = utcnow()
    before = snapshot(session, SESSION_FIELDS)
    session.status = SessionStatus.CANCELLED
    told = 0
    enrolments = db.session.scalars(
        select(Enrolment).join(Registration, Registration.id == Enrolment.registration_id)
        .where(Enrolment.session_id == session.id, Enrolment.status != EnrolmentStatus.DROPPED)
        .order_by(Enrolment.id)).all()
    registrations = [enrolment.registration for enrolment in enrolments]
    store.drop_enrolments([enrolment.id for enrolment in enrolments], now)
    for registration in registrations:
        if registration.status in HOLDS_PLACE or registration.status.value == "waitlisted":
            queue_mail(registration.attendee.email, "session_cancelled", locale=registration.attendee.locale,
                       registration=registration, session=session, event=session.event, note=message)
            told += 1
    audit("session.cancel", session, before, {**snapshot(session, SESSION_FIELDS), "told": told,
                                              "message": message})
    db.session.commit()
    return told
