"""The room plan (PDF): per networking session, which employer sits at which table in which room: a floor of
numbered tables with the employers' names and the list beside it, to hang at the entrance and give the helpers.
An employer keeps its tables for every slot of a session (MeetingEmployer.first_table, .tables), so one plan per
session holds for all its slots. Cached like every PDF (app/pdf.py), keyed by what goes into it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import get_locale

from app.content import localized
from app.pdf import cached, fingerprint, render_pdf
from app.text import fold
from app.storage import StoredDocument
from events.meetings.models import MeetingSetup
from events.meetings.services import setups_of
from events.programme.models import Event

TEMPLATE_VERSION = "room-plan-3"
COLUMNS = 4  # tables per row on the floor plan


@dataclass(frozen=True)
class Table:
    number: int
    organisation: str


@dataclass
class Plan:
    setup: MeetingSetup
    room: str
    tables: list[Table]  # in number order

    @property
    def by_employer(self) -> list[tuple[str, list[int]]]:
        """Each employer with its table numbers, by name: where the helpers look someone up."""
        out: dict[str, list[int]] = {}
        for table in self.tables:
            out.setdefault(table.organisation, []).append(table.number)
        return sorted(out.items(), key=lambda item: fold(item[0]))

    @property
    def rows(self) -> list[list[Table]]:
        return [self.tables[i:i + COLUMNS] for i in range(0, len(self.tables), COLUMNS)]


def plans_of(event: Event) -> list[Plan]:
    """One plan per networking session that has employers, in the programme's order."""
    out = []
    for setup in sorted(setups_of(event), key=lambda s: (s.session.starts_at, s.session_id)):
        tables = [Table(e.first_table + t, e.organisation.name)
                  for e in setup.employers for t in range(e.tables)]
        if tables:
            room = localized(setup.session.room, "name") if setup.session.room else ""
            out.append(Plan(setup, room, sorted(tables, key=lambda t: t.number)))
    return out


def room_plan_pdf(event: Event) -> StoredDocument:
    plans = plans_of(event)
    locale = str(get_locale() or "en")
    key = fingerprint(TEMPLATE_VERSION, locale, event.id, localized(event, "title", locale), event.timezone,
                      [(p.setup.id, localized(p.setup.session, "title", locale), p.setup.session.starts_at, p.setup.session.ends_at,
                        p.room, [(t.number, t.organisation) for t in p.tables]) for p in plans])

    def build() -> bytes:
        return render_pdf(render_template("pdf/room_plan.html", event=event, plans=plans, locale=locale))

    return cached("room-plan", key, build)
