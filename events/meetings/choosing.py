"""The employer's "Whom do you want to meet?": find people in the consenting pool, and choose them one at a time.

Search ignores case and accents and also matches the Latin spelling of a name in another script (app/text.py);
filters narrow the pool by the profile and by the employer's own choices; sorting by name (in Latin spelling, so
that a recruiter finds people alphabetically), by graduation or by the matcher's profile fit (events/meetings/
fit.py). Each choice is saved on its own, the moment it is made (``choose``): one small transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from math import ceil

from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.extensions import db
from app.text import fold, matches
from events.meetings.agenda import latin_spelling
from events.meetings.build import eligible_registrations
from events.meetings.fit import Fit, fits_for_employer
from events.meetings.models import EmployerChoice, EmployerChoiceKind, MeetingEmployer, MeetingSetup
from events.meetings.services import refuse
from events.registration.models import Registration, RegistrationStatus
from events.registration.profile import LEVELS

PAGE_SIZE = 25
SORTS = ("name", "graduation", "fit")
CHOSEN = ("wish", "exclude", "none")


@dataclass
class PoolQuery:
    """What the employer asked for (already validated by the filter form)."""
    q: str = ""
    degree: str = ""
    field: str = ""
    language: str = ""
    level: str = ""
    seeking: str = ""
    country: str = ""
    graduated_from: date | None = None
    graduated_to: date | None = None
    chosen: str = ""
    sort: str = "name"
    page: int = 1


@dataclass
class Person:
    registration: Registration
    latin: str            # the name in Latin letters ("" when the name is Latin already)
    choice: str           # "wish", "exclude" or ""
    fit: Fit


@dataclass
class PoolPage:
    people: list[Person]
    total: int            # after the filters
    pool: int             # everyone who may be chosen
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)   # the employer's choices: {"wish": n, "exclude": n}


def _level_rank(level: str | None) -> int:
    return LEVELS.index(level) + 1 if level in LEVELS else 0


def _keep(query: PoolQuery, registration: Registration, choice: str) -> bool:
    person = registration.attendee
    degree = person.degree_level.value if person.degree_level else ""
    graduation = person.graduation_date
    checks = (
        not query.q or matches(query.q, person.full_name, person.latin_name, person.university,
                               person.field_of_study),
        not query.degree or degree == query.degree,
        not query.field or fold(query.field) in fold(person.field_of_study),
        not query.language or _level_rank((person.languages or {}).get(query.language)) >= max(
            _level_rank(query.level), 1),
        not query.seeking or query.seeking in (person.seeking or []),
        not query.country or person.country == query.country,
        not query.graduated_from or (graduation is not None and graduation >= query.graduated_from),
        not query.graduated_to or (graduation is not None and graduation <= query.graduated_to),
        not query.chosen or choice == ("" if query.chosen == "none" else query.chosen),
    )
    return all(checks)


def _sort_key(sort: str):
    def by_name(p: Person):
        return fold(p.latin or p.registration.attendee.full_name), p.registration.id

    if sort == "graduation":
        return lambda p: (p.registration.attendee.graduation_date is None,
                          p.registration.attendee.graduation_date or date.max, by_name(p))
    if sort == "fit":
        return lambda p: (not p.fit.allowed, -p.fit.points, by_name(p))
    return by_name


def choices_of(setup: MeetingSetup, organisation_id: int) -> dict[int, str]:
    """The employer's choices: {registration id: "wish" | "exclude"}."""
    return {c.registration_id: c.kind.value for c in db.session.scalars(select(EmployerChoice).where(
        EmployerChoice.setup_id == setup.id, EmployerChoice.organisation_id == organisation_id))}


def find_people(setup: MeetingSetup, organisation_id: int, query: PoolQuery) -> PoolPage:
    """One page of the consenting pool, searched, filtered and sorted as asked."""
    pool = eligible_registrations(setup)
    choices = choices_of(setup, organisation_id)
    fits = fits_for_employer(setup, organisation_id)
    people = [Person(r, latin_spelling(r.attendee), choices.get(r.id, ""), fits.get(r.id, Fit(True)))
              for r in pool if _keep(query, r, choices.get(r.id, ""))]
    people.sort(key=_sort_key(query.sort))
    pages = max(1, ceil(len(people) / PAGE_SIZE))
    page = min(max(query.page, 1), pages)
    counts = {kind: sum(1 for r in pool if choices.get(r.id) == kind) for kind in ("wish", "exclude")}
    return PoolPage(people[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], len(people), len(pool), page, pages, counts)


def choose(setup: MeetingSetup, organisation_id: int, registration_id: int, kind: str) -> str:
    """Wish to meet (``wish``), exclude (``exclude``) or leave open ("") one attendee; returns the choice kept.

    The employer's table row is locked first, so that two tabs choosing at once leave one answer each."""
    if kind not in ("wish", "exclude", ""):
        refuse("bad_choice", _("Choose “Want to meet”, “Exclude” or neither."), field="choice", status=422)
    locked = db.session.scalars(select(MeetingEmployer).where(
        MeetingEmployer.setup_id == setup.id, MeetingEmployer.organisation_id == organisation_id)
        .with_for_update()).first()
    if locked is None:
        refuse("not_participating", _("Your organisation has no table in this session."), status=403)
    if db.session.scalar(select(Registration.id).where(
            Registration.id == registration_id, Registration.event_id == setup.session.event_id,
            Registration.status == RegistrationStatus.CONFIRMED, Registration.consent_sharing_at.is_not(None))) is None:
        refuse("not_eligible", _("You can only choose attendees who share their profile."),
               field="registration_id", status=422)
    db.session.execute(delete(EmployerChoice).where(EmployerChoice.setup_id == setup.id,
                                                    EmployerChoice.organisation_id == organisation_id,
                                                    EmployerChoice.registration_id == registration_id))
    if kind:
        db.session.add(EmployerChoice(setup_id=setup.id, organisation_id=organisation_id,
                                      registration_id=registration_id, kind=EmployerChoiceKind(kind)))
    db.session.commit()
    return kind
