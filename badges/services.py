"""Who gets a badge, and what goes on it.

Every registration that holds a place, every employer contact of an accepted partner, and every staff and door
member of the event gets one badge (``issue_event_badges``). ``BadgeCard`` is what a template prints: plain
values, so that rendering can run in another process and a fingerprint of the cards keys the PDF cache.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass

from sqlalchemy import select

from app.accounts.models import EventRole, User
from app.content import localized
from app.extensions import db, utcnow
from app.text import latin
from badges import tokens
from badges.typography import name_lang
from badges.models import Badge, BadgeRole, BadgeStatus
from events.registration.models import HOLDS_PLACE, Attendee, Registration, RegistrationStatus
from events.programme.models import Event
from events.employers.models import EventPartner, PartnerStatus

ROLE_LABELS = {"attendee": "Attendee", "employer": "Employer", "staff": "Staff", "speaker": "Speaker"}


@dataclass(frozen=True)
class BadgeCard:
    badge_id: int
    token: str
    printed_name: str
    full_name: str
    organisation: str
    role: str
    event_title: str
    event_date: str
    sort_key: str
    name_hint: str = ""    # "ja": Han characters in the name are Japanese (see badges.typography.name_lang)
    latin_name: str = ""   # printed small under a name in another script

    def as_dict(self) -> dict:
        return asdict(self)


def issue_event_badges(event: Event) -> int:
    """Issue the badges still missing for the event; returns how many were issued."""
    issued = 0
    have_reg = set(db.session.scalars(select(Badge.registration_id).where(
        Badge.event_id == event.id, Badge.status == BadgeStatus.ACTIVE, Badge.registration_id.is_not(None))))
    have_user = set(db.session.scalars(select(Badge.user_id).where(
        Badge.event_id == event.id, Badge.status == BadgeStatus.ACTIVE, Badge.registration_id.is_(None))))
    for reg_id in db.session.scalars(select(Registration.id).where(
            Registration.event_id == event.id, Registration.status.in_(HOLDS_PLACE))):
        if reg_id not in have_reg:
            tokens.ensure_badge(event.id, registration_id=reg_id, commit=False)
            issued += 1
    for user_id, role in _badge_users(event):
        if user_id not in have_user:
            tokens.ensure_badge(event.id, user_id=user_id, role=role, commit=False)
            issued += 1
    db.session.commit()
    return issued


def _badge_users(event: Event) -> list[tuple[int, BadgeRole]]:
    staff = db.session.scalars(select(EventRole.user_id).where(EventRole.event_id == event.id)).all()
    employers = db.session.scalars(
        select(User.id).join(EventPartner, EventPartner.organisation_id == User.organisation_id)
        .where(EventPartner.event_id == event.id, EventPartner.status == PartnerStatus.ACCEPTED,
               User.active.is_(True))).all()
    roles = {uid: BadgeRole.EMPLOYER for uid in employers}
    roles.update({uid: BadgeRole.STAFF for uid in staff})
    return sorted(roles.items())


@dataclass(frozen=True)
class BadgeCounts:
    """Who gets a badge (whether it is issued yet or not: badges are issued on first use or when printed)."""
    by_role: dict[str, int]  # people per badge role, every role listed
    printed: int  # of them, whose badge is printed

    @property
    def people(self) -> int:
        return sum(self.by_role.values())

    @property
    def not_printed(self) -> int:
        return max(self.people - self.printed, 0)


def badge_counts(event: Event) -> BadgeCounts:
    """Every registration holding a place and every employer contact and staff member of the event, by the role
    of their badge (their default role while no badge is issued), and how many of their badges are printed."""
    badges = db.session.execute(select(Badge.registration_id, Badge.user_id, Badge.role, Badge.printed_at).where(
        Badge.event_id == event.id, Badge.status == BadgeStatus.ACTIVE)).all()
    by_registration = {b.registration_id: b for b in badges if b.registration_id is not None}
    by_user = {b.user_id: b for b in badges if b.registration_id is None}
    holders = [(by_registration.get(reg_id), BadgeRole.ATTENDEE) for reg_id in db.session.scalars(
        select(Registration.id).where(Registration.event_id == event.id, Registration.status.in_(HOLDS_PLACE)))]
    holders += [(by_user.get(user_id), role) for user_id, role in _badge_users(event)]
    roles = Counter((badge.role if badge is not None else role).value for badge, role in holders)
    printed = sum(1 for badge, _role in holders if badge is not None and badge.printed_at is not None)
    return BadgeCounts({role.value: roles.get(role.value, 0) for role in BadgeRole}, printed)


def badge_for_registration(registration: Registration) -> Badge | None:
    """The registration's badge, issued on first use; None while it holds no place."""
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING):
        return None
    return tokens.ensure_badge(registration.event_id, registration_id=registration.id)


def select_badges(event: Event, *, role: str | None = None, not_printed: bool = False,
                  attendee_email: str | None = None) -> list[Badge]:
    query = select(Badge).where(Badge.event_id == event.id, Badge.status == BadgeStatus.ACTIVE)
    if role:
        query = query.where(Badge.role == BadgeRole(role))
    if not_printed:
        query = query.where(Badge.printed_at.is_(None))
    if attendee_email:
        email = attendee_email.strip().lower()
        reg_ids = select(Registration.id).join(Attendee).where(Registration.event_id == event.id,
                                                               Attendee.email == email)
        user_ids = select(User.id).where(User.email == email)
        query = query.where(db.or_(Badge.registration_id.in_(reg_ids),
                                   db.and_(Badge.registration_id.is_(None), Badge.user_id.in_(user_ids))))
    badges = list(db.session.scalars(query))
    # Only places that count: a cancelled or waitlisted registration's badge is not printed.
    return [b for b in badges if b.registration_id is None or b.registration.status in HOLDS_PLACE]


def card_for(badge: Badge) -> BadgeCard:
    event = badge.event
    hint = own_latin = ""
    if badge.registration_id:
        a = badge.registration.attendee
        printed, full, org, locale = a.badge_name, a.full_name, a.university, a.locale or ""
        hint, own_latin = name_hint(a.country, a.languages), a.latin_name or ""
    else:
        user = badge.user
        full = user.name or user.email
        printed = full.split(" ")[0]
        locale = user.locale or ""
        org = user.organisation.name if user.organisation else localized(event, "title", locale)
    token, rekeyed = tokens.printable_token(badge)
    if rekeyed:  # its key was retired: the new token must be stored before it is printed
        db.session.commit()
    return BadgeCard(
        badge_id=badge.id, token=token, printed_name=printed or full, full_name=full,
        organisation=org or "", role=badge.role.value, event_title=localized(event, "title", locale),
        event_date=event.local(event.starts_at).strftime("%d.%m.%Y"),
        sort_key=_sort_key(full), name_hint=hint, latin_name=latin_spelling(full, hint, own_latin))


def latin_spelling(name: str, hint: str = "", own: str = "") -> str:
    """The name in Latin letters, small under a name in another script: the attendee's own spelling when they gave
    one (any script), else a transliteration, except for Japanese, whose kanji it would read as Chinese (山田 as
    "Shan Tian", not "Yamada")."""
    if own and own != name and latin(name):
        return own
    return "" if name_lang(name, hint or None) == "ja" else latin(name)


def name_hint(country: str | None, languages: dict | None) -> str:
    """How Han characters in a name are read: Japanese for someone from Japan or whose first language is
    Japanese, traditional Chinese forms for Taiwan, Hong Kong and Macao; "" leaves it to the script."""
    native = {code for code, level in (languages or {}).items() if str(level).lower() == "native"}
    if country == "JP" or "ja" in native:
        return "ja"
    if country in ("TW", "HK", "MO"):
        return "zh-Hant"
    return ""


def _sort_key(name: str) -> str:
    """Name order: the full name as written, compared without case and accents (Ö with O, é with e)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return plain.casefold()


def cards(badges: list[Badge]) -> list[BadgeCard]:
    return sorted((card_for(b) for b in badges), key=lambda c: (c.sort_key, c.badge_id))


def mark_printed(badge_ids: list[int]) -> None:
    if badge_ids:
        db.session.execute(db.update(Badge).where(Badge.id.in_(badge_ids)).values(printed_at=utcnow()))
        db.session.commit()


def reissue_badge(event: Event, badge_id: int, role: str | None = None) -> Badge | None:
    badge = db.session.get(Badge, badge_id)
    if badge is None or badge.event_id != event.id or badge.status != BadgeStatus.ACTIVE:
        return None
    return tokens.reissue(badge, role=BadgeRole(role) if role else None)
