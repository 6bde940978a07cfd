"""Forms for registration and self-service (the JSON API has its own models with the same rules: payloads.py)."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, EmailField, FieldList, FormField, IntegerField,
                     StringField)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from app.forms import Choices, Form, MultiCheckboxField, SelectField, SubForm, strip_filter
from events.registration.profile import (  # noqa: F401  (LANGUAGE_CODES, LEVELS and the labels: read from here)
    BY_NAME, DEGREE_LABELS, FIELDS, LANGUAGE_CODES, LEVELS, LOCALE_LABELS, SEEKING_LABELS, Profile)
from events.registration.services import RegistrationRequest
from events.registration.walkins import WalkIn


def _locale() -> str:
    return str(get_locale() or "en")


def page_language() -> str:
    """The language of the page being read, as a language for e-mails (what someone reads while registering is
    the language of everything they get, unless they choose another)."""
    locale = _locale()
    return locale if locale in dict(LOCALE_LABELS) else "en"


_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


@lru_cache(maxsize=1)
def country_codes() -> list[str]:
    """ISO 3166-1 alpha-2 codes (as CLDR knows them), the same in every locale."""
    return sorted(c for c in Locale("en").territories if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)


@lru_cache(maxsize=16)
def _country_names(locale: str) -> tuple[tuple[str, str], ...]:
    # Sorting 250 names per request showed in the registration profile: once per locale is enough.
    names = Locale.parse(locale).territories
    return tuple((c, names[c]) for c in sorted((c for c in country_codes() if c in names), key=lambda c: names[c]))


@lru_cache(maxsize=16)
def _language_names(locale: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(locale).languages
    return tuple(sorted(((c, names.get(c, c)) for c in LANGUAGE_CODES), key=lambda item: item[1]))


def country_choices() -> Choices:
    return _country_choices(_locale())


def language_choices() -> Choices:
    return _language_choices(_locale())


@lru_cache(maxsize=16)
def _country_choices(locale: str) -> Choices:
    return Choices([("", _l("Choose a country")), *_country_names(locale)])


@lru_cache(maxsize=16)
def _language_choices(locale: str) -> Choices:
    return Choices([("", "—"), *_language_names(locale)])


# CEFR levels are the same in every language; "native" is a word and is translated.
LEVEL_CHOICES = Choices([("", "—")] + [(lv, _l("native") if lv == "native" else lv) for lv in LEVELS])


class LanguageSkillForm(SubForm):
    # default "": a row the body or the page left out is empty, not a choice to look up
    code = SelectField(_l("Language"), choices=[], default="", validate_choice=True, validators=[Optional()])
    level = SelectField(_l("Level"), choices=[], default="", validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.code.choices = language_choices()
        self.level.choices = LEVEL_CHOICES

    def validate(self, extra_validators=None):
        # Not validate_level: Optional() ends the level's chain when it is empty, before an inline validator runs.
        valid = super().validate(extra_validators)
        if self.code.data and not self.level.data:
            self.level.errors = [*self.level.errors, _l("Choose a level for this language.")]
            valid = False
        elif self.level.data and not self.code.data:
            self.level.errors = [*self.level.errors, _l("Choose the language for this level.")]
            valid = False
        return valid


def profile_text_field(name: str, *, optional: bool = False, label=None, description=None, **kwargs):
    """A text field of the profile, from its declaration (events/registration/profile.py); ``optional`` where a
    shorter form asks for less (a walk-in at the door, the staff desk), ``label`` and ``description`` where a form
    for staff words it for them."""
    declared = BY_NAME[name]
    required = [DataRequired(declared.required_message)] if declared.required and not optional else [Optional()]
    return StringField(label or declared.label, filters=[strip_filter],
                       description=declared.description if description is None else description,
                       validators=[*required, Length(max=declared.max_length)], **kwargs)


def profile_select_field(name: str, *, optional: bool = False, label=None, **kwargs):
    """A choice field of the profile (the form sets its choices: they depend on the reader's language)."""
    declared = BY_NAME[name]
    needed = declared.required and not optional
    validators = [DataRequired(declared.required_message)] if needed else [Optional()] if optional else []
    return SelectField(label or declared.label, validators=validators, **kwargs)


class ProfileForm(Form):
    full_name = profile_text_field("full_name")
    badge_name = profile_text_field("badge_name")
    latin_name = profile_text_field("latin_name")
    country = profile_select_field("country")
    university = profile_text_field("university")
    degree_level = profile_select_field("degree_level", choices=[])
    field_of_study = profile_text_field("field_of_study")
    graduation_date = DateField(BY_NAME["graduation_date"].label, validators=[Optional()],
                                description=BY_NAME["graduation_date"].description)
    # Labels given, not derived from the field names: WTForms would translate a derived one, and that loads its
    # catalogue once per request.
    # One row unless the body or the page sends more: the page offers three (offer_language_rows), and an API body
    # with one language should not build and check two empty rows.
    languages = FieldList(FormField(LanguageSkillForm, label=_l("Language")), label=BY_NAME["languages"].label,
                          min_entries=1, max_entries=BY_NAME["languages"].max_length)
    seeking = MultiCheckboxField(BY_NAME["seeking"].label, choices=[])
    locale = profile_select_field("locale", choices=LOCALE_LABELS, default=page_language)
    consent_sharing = BooleanField(
        _l("Share my profile (name, university, degree, field, languages and what I look for) with the employers "
           "taking part, so that they can meet me."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.degree_level.choices = [("", _l("Choose")), *BY_NAME["degree_level"].choices]
        self.seeking.choices = list(BY_NAME["seeking"].choices)

    def validate_graduation_date(self, field):
        if field.data and not (1950 <= field.data.year <= 2100):
            raise ValidationError(_l("Please give a date between 1950 and 2100."))

    def validate_languages(self, field):
        codes = [entry.form.code.data for entry in field.entries if entry.form.code.data]
        if len(codes) != len(set(codes)):
            raise ValidationError(_l("Each language only once, please."))

    def profile(self) -> Profile:
        values = {f.name: getattr(self, f.name).data for f in FIELDS}
        values.update(badge_name=self.badge_name.data or self.full_name.data[:80],
                      degree_level=self.degree_level.data or None, locale=self.locale.data or page_language(),
                      languages={e.form.code.data: e.form.level.data for e in self.languages.entries
                                 if e.form.code.data},
                      seeking=list(self.seeking.data or []))
        return Profile(**values)

    def offer_language_rows(self, rows: int = 3) -> None:
        """Empty rows up to ``rows`` on the page, for people who speak several languages."""
        while len(self.languages.entries) < rows:
            self.languages.append_entry({"code": "", "level": ""})

    def fill_from(self, attendee, registration) -> None:
        """Prefill from the stored profile (GET of the profile page)."""
        for declared in FIELDS:
            if declared.kind != "languages":
                getattr(self, declared.name).data = getattr(attendee, declared.name)
        self.degree_level.data = attendee.degree_level.value if attendee.degree_level else ""
        self.seeking.data = list(attendee.seeking or [])
        self.consent_sharing.data = registration.consent_sharing_at is not None
        while len(self.languages.entries):
            self.languages.pop_entry()
        items = list((attendee.languages or {}).items())
        for code, level in items + [("", "")] * max(3 - len(items), 1):
            self.languages.append_entry({"code": code, "level": level})


class RegistrationForm(ProfileForm):
    email = EmailField(_l("E-mail"), filters=[strip_filter],
                       validators=[DataRequired(_l("Please give your e-mail address.")), Length(max=254),
                                   Email(_l("This does not look like an e-mail address."))],
                       description=_l("We send a link to confirm it, and your personal page."))
    sessions = MultiCheckboxField(_l("Workshops and sessions"), coerce=int, choices=[])
    consent_processing = BooleanField(
        _l("I agree that the organisers process my data to run this welcome day, as the privacy notice says."),
        validators=[DataRequired(_l("We cannot register you without this consent."))])

    def registration_request(self) -> RegistrationRequest:
        """What the service needs, the same for the HTML form and the JSON API."""
        return RegistrationRequest(email=self.email.data, profile=self.profile(),
                                   consent_processing=self.consent_processing.data,
                                   consent_sharing=self.consent_sharing.data, session_ids=self.sessions.data or [])

class SessionChoiceForm(Form):
    session_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])


class ConfirmForm(Form):
    """An empty form: only the CSRF token, for buttons such as "drop" and "cancel"."""


class WalkInForm(Form):
    """A walk-in at the door: the few fields needed, declared in profile.py, the public form's address and its
    consent (the same text, the same version); a full day only with the explicit override and a reason."""
    full_name = profile_text_field("full_name")
    email = RegistrationForm.email
    university = profile_text_field("university", optional=True)
    country = profile_select_field("country", optional=True)
    locale = profile_select_field("locale", choices=LOCALE_LABELS, default=page_language)
    consent_processing = RegistrationForm.consent_processing
    override = BooleanField(_l("Beyond the capacity"))
    reason = StringField(_l("Why?"), filters=[strip_filter], validators=[Optional(), Length(max=300)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()

    def walk_in(self) -> WalkIn:
        return WalkIn(email=self.email.data, full_name=self.full_name.data,
                      consent_processing=self.consent_processing.data, country=self.country.data or "",
                      university=self.university.data or "", locale=self.locale.data or page_language())
