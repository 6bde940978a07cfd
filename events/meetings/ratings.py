"""After the day: attendees and employer contacts rate each 1:1 meeting they had (1-5, a comment), from a signed
link mailed to each; staff see the ratings by the matcher's score band ("does the score predict how meetings went").

Who rates: an attendee, for their published meetings; an employer contact, for its organisation's (one rating per
meeting and side: a colleague's later rating replaces it). The link is signed with SECRET_KEY (and its fallbacks,
app/keys.py) and names the person and the event; it opens the form until the round closes (``closes_at``).
Each person is mailed once (a ``meeting_rating_mail`` row under a unique key, in the mail's transaction).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from app import keys
from app.audit import audit
from app.accounts.models import User
from app.extensions import db, utcnow
from app.mail import queue_mail
from events.employers.partnerships import contacts_of
from events.meetings.models import (Meeting, MeetingRating, MeetingSetup, MeetingSlot, MeetingStatus, RatingMail,
                                    RatingRound, RatingSide)
from events.programme.models import Event, Session
from events.registration.models import Registration

RATINGS = (1, 2, 3, 4, 5)
COMMENT_LENGTH = 2000
BANDS = 5  # quintiles of the matcher's score
MAX_DAYS_OPEN = 90  # how long ratings may stay open at most, from the rating e-mails
TEMPLATE = "meeting_ratings"
_CLAIM = {dialect: module.insert(RatingMail.__table__).on_conflict_do_nothing(
    index_elements=["event_id", "recipient"]).returning(RatingMail.id)
    for dialect, module in (("postgresql", postgresql), ("sqlite", sqlite))}


class RatingError(ValueError):
    def __init__(self, status: int, reason: str, message: str):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


@dataclass(frozen=True)
class Rater:
    """Who rates: an attendee (``registration``) or an employer contact (``user``), for one event."""
    event: Event
    side: RatingSide
    registration: Registration | None = None
    user: User | None = None

    @property
    def key(self) -> str:
        return f"r{self.registration.id}" if self.registration else f"u{self.user.id}"


def _serializer() -> URLSafeSerializer:
    # itsdangerous signs with the last key and accepts every one: the current key goes last
    return URLSafeSerializer(list(reversed(keys.keys("SECRET_KEY"))), salt="meeting-ratings")


def link_token(rater: Rater) -> str:
    return _serializer().dumps({"e": rater.event.id, "p": rater.key})


def rater_of(token: str) -> Rater | None:
    """The person a signed rating link names, or None (bad signature, or gone)."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), int) or not isinstance(data.get("p"), str):
        return None
    event = db.session.get(Event, data["e"])
    kind, number = data["p"][:1], data["p"][1:]
    if event is None or not number.isdigit():
        return None
    if kind == "r":
        registration = db.session.get(Registration, int(number))
        if registration is None or registration.event_id != event.id:
            return None
        return Rater(event, RatingSide.ATTENDEE, registration=registration)
    user = db.session.get(User, int(number)) if kind == "u" else None
    if user is None or user.organisation_id is None or not user.active:
        return None
    return Rater(event, RatingSide.EMPLOYER, user=user)


def _had(event: Event):
    """The meetings of the event that took place (published, not a no-show nor cancelled)."""
    return (select(Meeting).join(MeetingSetup, MeetingSetup.id == Meeting.setup_id)
            .join(Session, Session.id == MeetingSetup.session_id).join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
            .where(Session.event_id == event.id, Meeting.status == MeetingStatus.PUBLISHED)
            .options(selectinload(Meeting.slot), selectinload(Meeting.organisation),
                     selectinload(Meeting.registration).selectinload(Registration.attendee))
            .order_by(MeetingSlot.starts_at, Meeting.id))


def meetings_of(rater: Rater) -> list[Meeting]:
    query = _had(rater.event)
    if rater.registration is not None:
        query = query.where(Meeting.registration_id == rater.registration.id)
    else:
        query = query.where(Meeting.organisation_id == rater.user.organisation_id)
    return list(db.session.scalars(query))


def round_of(event: Event) -> RatingRound | None:
    return db.session.scalar(select(RatingRound).where(RatingRound.event_id == event.id))


def state(event: Event, now: datetime | None = None) -> str:
    """"before" (the day is not over), "ready" (over, no mail sent yet), "open" or "closed"."""
    now = now or utcnow()
    rnd = round_of(event)
    if event.ends_at > now:
        return "before"
    if rnd is None:
        return "ready"
    return "open" if rnd.closes_at > now else "closed"


def ratings_of(rater: Rater) -> dict[int, MeetingRating]:
    ids = [m.id for m in meetings_of(rater)]
    rows = db.session.scalars(select(MeetingRating).where(MeetingRating.meeting_id.in_(ids),
                                                          MeetingRating.side == rater.side)) if ids else []
    return {r.meeting_id: r for r in rows}


def save(rater: Rater, answers: dict[int, tuple[int | None, str]], now: datetime | None = None) -> int:
    """Store the rater's ratings {meeting id: (rating or None, comment)}; one transaction. A meeting left
    unrated keeps no row. Returns how many are rated."""
    if state(rater.event, now) != "open":
        raise RatingError(409, "closed", _("Rating is closed."))
    mine = {m.id for m in meetings_of(rater)}
    if set(answers) - mine:
        raise RatingError(404, "not_yours", _("A meeting you did not have."))
    existing = ratings_of(rater)
    count = 0
    for meeting_id, (rating, comment) in answers.items():
        if rating is None:
            if meeting_id in existing:
                db.session.delete(existing[meeting_id])
            continue
        if rating not in RATINGS:
            raise RatingError(422, "bad_rating", _("Choose a rating from 1 to 5."))
        row = existing.get(meeting_id) or MeetingRating(meeting_id=meeting_id, side=rater.side)
        row.rating, row.comment = rating, (comment or "").strip()[:COMMENT_LENGTH]
        row.user_id = rater.user.id if rater.user else None
        db.session.add(row)
        count += 1
    db.session.commit()
    return count


def _recipients(event: Event) -> list[Rater]:
    """Everyone with a meeting that took place and no rating mail yet: attendees, then employer contacts."""
    sent = set(db.session.scalars(select(RatingMail.recipient).where(RatingMail.event_id == event.id)))
    had = list(db.session.scalars(_had(event)))
    people = [Rater(event, RatingSide.ATTENDEE, registration=r)
              for r in sorted({m.registration for m in had}, key=lambda r: r.id)]
    for organisation_id in sorted({m.organisation_id for m in had}):
        people += [Rater(event, RatingSide.EMPLOYER, user=u) for u in contacts_of(organisation_id)]
    return [p for p in people if p.key not in sent]


def pending(event: Event) -> tuple[int, int]:
    """Whom sending now would mail: (attendees, employer contacts)."""
    people = _recipients(event)
    return (sum(p.side == RatingSide.ATTENDEE for p in people), sum(p.side == RatingSide.EMPLOYER for p in people))


def send_mails(event: Event, expected: tuple[int, int] | None = None, *, days_open: int = 14,
               now: datetime | None = None) -> int:
    """Mail each person their signed rating link once, in their language; opens the round. One transaction.
    ``expected``: the numbers staff confirmed; if they changed meanwhile, nothing is sent."""
    now = now or utcnow()
    if event.ends_at > now:
        raise RatingError(409, "before", _("Meetings can be rated once the day is over."))
    if expected is not None and tuple(expected) != pending(event):
        raise RatingError(409, "changed", _("The numbers changed since you looked: check them, then confirm again."))
    rnd = round_of(event)
    if rnd is None:
        closes = (now + timedelta(days=days_open)).replace(second=0, microsecond=0)
        db.session.add(RatingRound(event_id=event.id, opened_at=now, closes_at=closes))
    conn, count = db.session.connection(), 0
    for person in _recipients(event):
        if conn.execute(_CLAIM[conn.dialect.name], {"event_id": event.id, "recipient": person.key,
                                                    "sent_at": now}).first() is None:
            continue  # another run mailed this person meanwhile
        to, locale = ((person.registration.attendee.email, person.registration.attendee.locale) if person.registration
                      else (person.user.email, person.user.locale))
        queue_mail(to, TEMPLATE, locale=locale or "en", event=event, token=link_token(person),
                   employer=person.side == RatingSide.EMPLOYER)
        count += 1
    db.session.commit()
    return count


def open_round(event: Event) -> RatingRound:
    """The event's rating round; RatingError (409) before the rating e-mails opened it."""
    rnd = round_of(event)
    if rnd is None:
        raise RatingError(409, "not_open", _("Ratings open with the rating e-mails: send them first."))
    return rnd


def set_closing(event: Event, closes_at: datetime) -> RatingRound:
    """Staff move the end of the ratings: earlier closes them (a time already past closes them now), later extends
    or reopens them; not before they opened, nor more than MAX_DAYS_OPEN days after. With its audit entry,
    one transaction. RatingError (409) before the rating e-mails went out, (422) for a time out of bounds."""
    rnd = open_round(event)
    closes_at = closes_at.replace(second=0, microsecond=0)
    latest = rnd.opened_at + timedelta(days=MAX_DAYS_OPEN)
    if closes_at < rnd.opened_at.replace(second=0, microsecond=0):
        raise RatingError(422, "before_opening", _("Ratings cannot close before they opened."))
    if closes_at > latest:
        raise RatingError(422, "too_late", _("Ratings can stay open for at most %(days)d days.", days=MAX_DAYS_OPEN))
    before = {"closes_at": rnd.closes_at}
    rnd.closes_at = closes_at
    audit("ratings.closing", event, before=before, after={"closes_at": closes_at})
    db.session.commit()
    return rnd


@dataclass
class Band:
    """Meetings whose matcher score lies in [low, high], and how each side rated them."""
    low: int
    high: int
    meetings: int
    attendee_count: int
    attendee_mean: float | None
    employer_count: int
    employer_mean: float | None


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def bands(event: Event, parts: int = BANDS) -> list[Band]:
    """The event's meetings that took place, in ``parts`` bands of about equal size by score (quintiles; equal
    scores stay in one band), with the count and mean rating of each side."""
    had = sorted(db.session.scalars(_had(event)), key=lambda m: (m.score, m.id))
    if not had:
        return []
    rows = db.session.execute(select(MeetingRating.meeting_id, MeetingRating.side, MeetingRating.rating)
                              .where(MeetingRating.meeting_id.in_([m.id for m in had]))).all()
    given: dict[tuple[int, RatingSide], int] = {(mid, side): rating for mid, side, rating in rows}
    groups: list[list[Meeting]] = []
    for i, meeting in enumerate(had):
        cut = len(groups) < parts and i >= len(had) * len(groups) / parts
        if not groups or (cut and meeting.score != groups[-1][-1].score):
            groups.append([])
        groups[-1].append(meeting)
    out = []
    for group in groups:
        by_side = {side: [given[(m.id, side)] for m in group if (m.id, side) in given] for side in RatingSide}
        out.append(Band(group[0].score, group[-1].score, len(group),
                        len(by_side[RatingSide.ATTENDEE]), _mean(by_side[RatingSide.ATTENDEE]),
                        len(by_side[RatingSide.EMPLOYER]), _mean(by_side[RatingSide.EMPLOYER])))
    return out


def personal_data(_app, *, attendee) -> dict:
    """For "Download my data" (events.registration.signals.personal_data): the person's own meeting ratings."""
    rows = db.session.execute(
        select(MeetingRating, Meeting).join(Meeting, Meeting.id == MeetingRating.meeting_id)
        .join(Registration, Registration.id == Meeting.registration_id)
        .where(Registration.attendee_id == attendee.id, MeetingRating.side == RatingSide.ATTENDEE)
        .order_by(MeetingRating.id)).all()
    return {"meeting_ratings": [{"organisation": m.organisation.name, "rating": r.rating, "comment": r.comment,
                                 "changed_at": r.updated_at.isoformat()} for r, m in rows]}


def forget(_app, *, attendee) -> None:
    """Erasing a person's data drops the comments they wrote on their meetings (the ratings stay, for the bands)."""
    ids = select(Meeting.id).join(Registration, Registration.id == Meeting.registration_id).where(
        Registration.attendee_id == attendee.id)
    db.session.execute(update(MeetingRating).where(MeetingRating.meeting_id.in_(ids),
                                                   MeetingRating.side == RatingSide.ATTENDEE).values(comment=""))
