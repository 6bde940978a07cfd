"""The attendee's profile, declared once: every field with its label, kind, choices, limits and whether it is
required. The registration and profile forms, the CSV import, the exports, the privacy export and the API's schema
are built from ``FIELDS``, so a new field is added here (and in the model and a migration) and nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from events.registration.models import Attendee, DegreeLevel, Seeking

LANGUAGE_CODES = ["en", "de", "nl", "fr", "es", "it", "pt", "pl", "tr", "ru", "uk", "ar", "fa", "he", "hi", "bn",
                  "ur", "ta", "te", "mr", "zh", "ja", "ko", "vi", "th", "id", "ms", "tl", "sw", "am", "af", "el",
                  "ro", "hu", "cs", "sv", "da", "fi", "no"]
LEVELS = ["A1", "A2", "B1", "B2", "C1", "C2", "native"]
DEGREE_LABELS = {
    DegreeLevel.BACHELOR: _l("Bachelor"), DegreeLevel.MASTER: _l("Master"), DegreeLevel.PHD: _l("PhD"),
    DegreeLevel.POSTDOC: _l("Postdoc"), DegreeLevel.OTHER: _l("Other"),
}
SEEKING_LABELS = {
    Seeking.JOB: _l("A job"), Seeking.INTERNSHIP: _l("An internship"), Seeking.PHD: _l("A PhD place"),
    Seeking.MENTORING: _l("Mentoring"), Seeking.INNOVATION_PROJECT: _l("An innovation project"),
}
# What an employer offers: the same codes as what attendees look for, said from the employer's side.
OFFER_LABELS = {
    Seeking.JOB: _l("Jobs"), Seeking.INTERNSHIP: _l("Internships"), Seeking.PHD: _l("PhD places"),
    Seeking.MENTORING: _l("Mentoring"), Seeking.INNOVATION_PROJECT: _l("Innovation projects"),
}
LOCALE_LABELS = [("en", "English"), ("de", "Deutsch"), ("nl", "Nederlands")]
LEVEL_LABELS = {"native": _l("native speaker")}  # CEFR levels (A1…C2) read the same in every language


@dataclass(frozen=True)
class ProfileField:
    """One field of the profile. ``kind``: text, country (ISO 3166-1 alpha-2), choice (of ``choices``), date,
    languages (ISO 639-1 code to CEFR level), choices (several of ``choices``), locale (for e-mails)."""
    name: str
    label: object
    kind: str = "text"
    required: bool = False
    max_length: int | None = None
    choices: tuple[tuple[str, object], ...] = ()
    heading: object = None  # a short label for a column (CSV import); the label when None
    description: object = ""
    required_message: object = ""
    importable: bool = False  # a column of the CSV import

    @property
    def column_label(self):
        return self.heading or self.label


FIELDS: tuple[ProfileField, ...] = (
    ProfileField("full_name", _l("Full name"), required=True, max_length=200, importable=True,
                 description=_l("As in your passport, in any script."),
                 required_message=_l("Please tell us your name.")),
    ProfileField("badge_name", _l("Name on your badge"), max_length=80, importable=True,
                 heading=_l("Name on the badge"),
                 description=_l("What people should call you. Leave empty to use your full name.")),
    ProfileField("latin_name", _l("Your name in Latin letters"), max_length=200,
                 heading=_l("Name in Latin letters"),
                 description=_l("Optional: how to spell your name in Latin letters if you write it in another "
                                "script, e.g. Zhang Wei. Employers see it beside your name.")),
    ProfileField("country", _l("Country you come from"), kind="country", required=True, max_length=2,
                 importable=True, heading=_l("Country"), required_message=_l("Please choose a country.")),
    ProfileField("university", _l("University"), required=True, max_length=200, importable=True,
                 required_message=_l("Please name your university.")),
    ProfileField("degree_level", _l("Degree"), kind="choice", required=True,
                 choices=tuple((d.value, DEGREE_LABELS[d]) for d in DegreeLevel),
                 required_message=_l("Please choose your degree.")),
    ProfileField("field_of_study", _l("Field of study"), required=True, max_length=200,
                 required_message=_l("Please name your field of study.")),
    ProfileField("graduation_date", _l("Graduation (expected)"), kind="date",
                 description=_l("The day you finish or finished, e.g. 2026-07-31.")),
    ProfileField("languages", _l("Languages you speak"), kind="languages", max_length=8,
                 choices=tuple((code, code) for code in LANGUAGE_CODES)),
    ProfileField("seeking", _l("What are you looking for?"), kind="choices",
                 choices=tuple((s.value, SEEKING_LABELS[s]) for s in Seeking)),
    ProfileField("locale", _l("Language for e-mails"), kind="locale", max_length=8, importable=True,
                 choices=tuple(LOCALE_LABELS)),
)
BY_NAME = {f.name: f for f in FIELDS}


def stored_value(profile_field: ProfileField, attendee: Attendee):
    """The field's value as JSON holds it (the privacy export, the API): codes, ISO dates, lists and maps."""
    value = getattr(attendee, profile_field.name)
    if profile_field.kind == "choice":
        return value.value if value else None
    if profile_field.kind == "date":
        return value.isoformat() if value else None
    if profile_field.kind == "languages":
        return dict(value or {})
    if profile_field.kind == "choices":
        return list(value or [])
    return value


def text_value(profile_field: ProfileField, attendee: Attendee) -> str:
    """The field's value as one cell of a spreadsheet (the exports)."""
    value = stored_value(profile_field, attendee)
    if profile_field.kind == "languages":
        return " ".join(f"{code}:{level}" for code, level in value.items())
    if profile_field.kind == "choices":
        return " ".join(value)
    return value or ""


def json_schema() -> dict:
    """The profile as a JSON Schema object (for an API's schema): names, types, choices, limits, required."""
    properties = {}
    for f in FIELDS:
        if f.kind == "languages":
            prop = {"type": "array", "maxItems": f.max_length, "items": {
                "type": "object", "required": ["code", "level"], "properties": {
                    "code": {"type": "string", "enum": LANGUAGE_CODES}, "level": {"type": "string", "enum": LEVELS}}}}
        elif f.kind == "choices":
            prop = {"type": "array", "items": {"type": "string", "enum": [v for v, _label in f.choices]}}
        elif f.kind == "date":
            prop = {"type": ["string", "null"], "format": "date"}
        elif f.choices:
            prop = {"type": "string", "enum": [v for v, _label in f.choices]}
        else:
            prop = {"type": "string", **({"maxLength": f.max_length} if f.max_length else {})}
        properties[f.name] = {**prop, "title": str(f.label)}
    return {"type": "object", "properties": properties, "required": [f.name for f in FIELDS if f.required]}


@dataclass
class Profile:
    """A profile as a form or an API body gives it, before it is stored."""
    full_name: str
    badge_name: str
    latin_name: str = ""
    country: str = ""
    university: str = ""
    degree_level: str | None = None
    field_of_study: str = ""
    graduation_date: date | None = None
    languages: dict[str, str] = field(default_factory=dict)
    seeking: list[str] = field(default_factory=list)
    locale: str = "en"

    def to_json(self) -> dict:
        data = dict(self.__dict__)
        data["graduation_date"] = self.graduation_date.isoformat() if self.graduation_date else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> Profile:
        data = dict(data)
        if data.get("graduation_date"):
            data["graduation_date"] = date.fromisoformat(data["graduation_date"])
        return cls(**data)

    def columns(self) -> dict:
        """The attendee's columns this profile sets."""
        values = {f.name: getattr(self, f.name) for f in FIELDS}
        values.update(badge_name=self.badge_name or self.full_name[:80], latin_name=self.latin_name or "",
                      degree_level=DegreeLevel(self.degree_level) if self.degree_level else None,
                      languages=dict(self.languages), seeking=list(self.seeking))
        return values


# ------------------------------------------------------------------------------------------ in the reader's language
# Profile values are stored as codes (``master``, ``{"af": "native"}``, ``["job", "internship"]``); pages show
# them through these, in the reader's language. Exports and the API keep the codes.


def _locale() -> Locale:
    return Locale.parse(str(get_locale() or "en"))


def language_label(code: str) -> str:
    """"de" → "German" (English page), "Deutsch" (German page), "Duits" (Dutch page)."""
    return _locale().languages.get(code, code) if code else ""


def level_label(level: str) -> str:
    return str(LEVEL_LABELS.get(level, level or ""))


def country_label(code: str) -> str:
    return _locale().territories.get(code, code) if code else ""


def degree_label(value) -> str:
    if not value:
        return ""
    try:
        return str(DEGREE_LABELS[DegreeLevel(getattr(value, "value", value))])
    except ValueError:
        return str(value)


def seeking_label(value: str) -> str:
    try:
        return str(SEEKING_LABELS[Seeking(value)])
    except ValueError:
        return value


def languages_text(languages: dict | None) -> str:
    """{"de": "B2", "af": "native"} → "Afrikaans (native speaker), German (B2)", in the reader's language."""
    items = sorted((language_label(code), level_label(level)) for code, level in (languages or {}).items())
    return ", ".join(f"{name} ({level})" if level else name for name, level in items)


def seeking_text(values) -> str:
    return ", ".join(seeking_label(v) for v in values or [])


def offers_text(values) -> str:
    """["job", "phd"] → "Jobs, PhD places" (an employer's offers)."""
    out = []
    for value in values or []:
        try:
            out.append(str(OFFER_LABELS[Seeking(value)]))
        except ValueError:
            out.append(value)
    return ", ".join(out)


def degrees_text(values) -> str:
    return ", ".join(degree_label(v) for v in values or [])
