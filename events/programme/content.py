"""Which of an event's texts still lack a translation (the programme page's "Missing translations" panel).

What can be missing: the event's title and description, each session's title and abstract (cancelled sessions
left out), each room's name, and the partner text of each accepted partner organisation. Only a text that exists
in the main language can be missing in another; every content language but the main one is asked for
(CONTENT_LANGUAGES, app/content.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.content import content_languages, translation
from events.employers.models import PartnerStatus
from events.programme.models import Event


# The order of the panel's lines: the day, its sessions, its rooms, its partners; titles before longer texts.
_ORDER = [("event", "title"), ("event", "description"), ("session", "title"), ("session", "abstract"),
          ("room", "name"), ("partner", "description")]


@dataclass
class MissingGroup:
    kind: str      # "event", "session", "room", "partner"
    field: str     # "title", "description", "abstract", "name"
    items: list[tuple[str, str]] = field(default_factory=list)  # (what, link to edit it)


@dataclass
class MissingLanguage:
    language: str
    groups: list[MissingGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(group.items) for group in self.groups)


def _texts(event: Event) -> list[tuple[str, object, str, str]]:
    """(kind, object, what it is called, edit link) for everything of the event that has texts."""
    found = [("event", event, event.title, url_for("programme_staff.edit_event", slug=event.slug))]
    for session in event.sessions:
        if not session.is_cancelled:
            found.append(("session", session, session.title,
                          url_for("programme_staff.edit_session", slug=event.slug, session_id=session.id)))
    for room in event.rooms:
        found.append(("room", room, room.name, url_for("programme_staff.sessions", slug=event.slug) + "#rooms"))
    for partner in event.partners:
        if partner.status == PartnerStatus.ACCEPTED:
            found.append(("partner", partner.organisation, partner.organisation.name,
                          url_for("employers_staff.partners", slug=event.slug)))
    return found


def missing_translations(event: Event) -> list[MissingLanguage]:
    """Per content language (the event's main language left out): the texts that have no translation into it."""
    texts = _texts(event)
    report = []
    for language in content_languages():
        if language == event.text_language:
            continue
        groups: dict[tuple[str, str], MissingGroup] = {}
        for kind, obj, what, url in texts:
            if language == obj.text_language:
                continue
            for name in obj.translated_fields:
                if getattr(obj, name) and not translation(obj, name, language):
                    groups.setdefault((kind, name), MissingGroup(kind, name)).items.append((what, url))
        report.append(MissingLanguage(language, [groups[key] for key in sorted(groups, key=_ORDER.index)]))
    return report


def describe(group: MissingGroup, language_name: str) -> str:
    """"3 sessions have no Nederlands title", in the reader's language."""
    n, lang = len(group.items), language_name
    messages = {
        ("event", "title"): _("The day's title has no %(lang)s translation.", lang=lang),
        ("event", "description"): _("The day's description has no %(lang)s translation.", lang=lang),
        ("session", "title"): ngettext("%(num)d session has no %(lang)s title.",
                                       "%(num)d sessions have no %(lang)s title.", n, lang=lang),
        ("session", "abstract"): ngettext("%(num)d session has no %(lang)s abstract.",
                                          "%(num)d sessions have no %(lang)s abstract.", n, lang=lang),
        ("room", "name"): ngettext("%(num)d room has no %(lang)s name.", "%(num)d rooms have no %(lang)s name.", n,
                                   lang=lang),
        ("partner", "description"): ngettext(
            "%(num)d partner has no %(lang)s text (the partner writes it in the employer area).",
            "%(num)d partners have no %(lang)s text (the partner writes it in the employer area).", n, lang=lang),
    }
    return messages[(group.kind, group.field)]
