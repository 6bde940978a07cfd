"""Shared form pieces: text that is safe to store, choices checked fast, a service's refusal next to its field."""
from __future__ import annotations

import unicodedata

import email_validator
from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form as WTForm
from wtforms import SelectField as _SelectField
from wtforms import PasswordField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import Length, Optional, StopValidation, ValidationError

# What no text of ours may hold: control characters (tab and line breaks only where a field has several lines),
# lone surrogates and private-use code points, and the noncharacters U+FFFE/U+FFFF (and their kin): none of them
# can be written in an XML document (Excel exports are XML), NUL and lone surrogates not even in PostgreSQL.
# Unassigned code points (Cn) are welcome: a script newer than Python's Unicode tables must not be refused.
_BAD_CATEGORIES = {"Cc", "Cs", "Co"}
_LINE_BREAKS = frozenset("\n\r\t")


def is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def unstorable_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character of ``text`` that we refuse to store, or None."""
    for char in text:
        if char in _LINE_BREAKS and multiline:
            continue
        if unicodedata.category(char) in _BAD_CATEGORIES or is_noncharacter(ord(char)):
            return char
    return None


def without_unstorable(text: str) -> str:
    """``text`` without the characters no XML document can hold (for exports of rows stored before the check)."""
    if unstorable_character(text, multiline=True) is None:
        return text
    return "".join(c for c in text if unstorable_character(c, multiline=True) is None)


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


class CleanText:
    """Any script is welcome; invisible control characters (NUL and friends) are not. Every form built on
    ``Form`` applies it to each of its text fields (``multiline`` for text areas)."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field):
        values = field.data if isinstance(field.data, (list, tuple)) else [field.data]
        char = next((c for v in values if isinstance(v, str)
                     for c in [unstorable_character(v, multiline=self.multiline)] if c is not None), None)
        if char is not None:
            field.errors[:] = []  # this says why; "not a valid choice" or "too long" would only confuse
            raise StopValidation(_l("This contains a character we cannot store (U+%(code)04X).", code=ord(char)))


class _CleanTextFields:
    """Checks every text a form receives (strings, lists of strings; sub-forms check their own) with CleanText,
    so that no form can forget it."""

    def validate(self, extra_validators=None):
        extra = dict(extra_validators or {})
        for name, field in self._fields.items():
            if _holds_text(field):
                multiline = isinstance(field, TextAreaField)
                extra[name] = [CleanText(multiline=multiline), *extra.get(name, [])]
        return super().validate(extra_validators=extra)


def _holds_text(field) -> bool:
    if isinstance(field, PasswordField):
        return False  # never stored, only hashed: any character may be part of a password
    data = field.data
    if isinstance(data, str):
        return True
    return isinstance(data, (list, tuple)) and any(isinstance(item, str) for item in data)


class Form(_CleanTextFields, FlaskForm):
    """The base of every form: CSRF (Flask-WTF) and storable text in every field."""


class SubForm(_CleanTextFields, WTForm):
    """The base of a form nested in another (FieldList of FormField): storable text, no CSRF of its own."""


class Choices(list):
    """(value, label) choices built once and shared by every form (countries, languages): they know their
    values, so a SelectField checks a choice without looking at 250 options."""

    def __init__(self, items):
        super().__init__(items)
        self.values = frozenset(item[0] for item in self)


def _choice_values(field) -> set | frozenset | None:
    """The coerced values of a field's choices, or None where WTForms' own check must judge (option groups)."""
    choices = field.choices() if callable(field.choices) else field.choices
    if isinstance(choices, Choices) and field.coerce is str:
        return choices.values
    if choices is None or isinstance(choices, dict):
        return None
    values = set()
    for choice in choices:
        try:
            values.add(field.coerce(choice[0] if isinstance(choice, (tuple, list)) else choice))
        except (TypeError, ValueError):
            continue
    return values


class SelectField(_SelectField):
    """WTForms' SelectField, whose choice check is one set lookup: WTForms builds and compares every option
    (250 countries, 40 languages × 3 rows), which was a tenth of a registration's time."""

    def pre_validate(self, form):
        values = None if self.process_errors or not self.validate_choice else _choice_values(self)
        if values is None:
            return super().pre_validate(form)
        if self.data not in values:
            super().pre_validate(form)  # WTForms' own message, only on the rare bad path


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        values = None if self.process_errors or not self.validate_choice or not self.data else _choice_values(self)
        if values is None:
            return super().pre_validate(form)
        if any(data not in values for data in self.data):
            super().pre_validate(form)  # the same message as WTForms, only on the rare bad path


def show_rule_error(form, exc) -> None:
    """Show a service's refusal (anything with ``message`` and an optional ``field``) next to the form field it
    names, or as a flash message when it names none."""
    target = getattr(form, exc.field, None) if getattr(exc, "field", None) else None
    if target is not None:
        target.errors = list(target.errors) + [exc.message]
    else:
        flash(exc.message, "error")


# A stand-in for a special-use top-level domain when only the syntax of an address is judged (ContactAddress).
_ORDINARY_TLD = "example-tld.org"


class ContactAddress:
    """An address people write to (an event's contact): e-mail syntax, as email-validator judges it, but a
    special-use domain (``team@welcomeday.local`` on an intranet, ``@example.test``) is fine. Attendees' own
    addresses keep the stricter check (events/registration/payloads.py): mail to them must get out."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        value = field.data or ""
        if not value:
            return
        local, _at, domain = value.rpartition("@")
        lowered = domain.lower()
        special = next((d for d in email_validator.SPECIAL_USE_DOMAIN_NAMES
                        if lowered.endswith("." + d)), None)
        probe = f"{local}@{domain[:-len(special)]}{_ORDINARY_TLD}" if special else value
        try:
            email_validator.validate_email(probe, check_deliverability=False, allow_smtputf8=True)
        except email_validator.EmailNotValidError:
            raise ValidationError(self.message or _l("This does not look like an e-mail address.")) from None


# ----------------------------------------------------------------------------------------------- texts per language

_TRANSLATED_FORMS: dict = {}


def translation_field_name(name: str, language: str) -> str:
    return f"{name}_{language}"


def with_translations(form_class, languages: list[str], main: str):
    """``form_class`` with an optional copy of each of its ``translated_fields`` per language other than ``main``
    (``title_de``, ``abstract_nl``…): same label, type and length limit, never required. The main language's texts
    stay in the form's own fields (required where they were). Built once per set of languages."""
    key = (form_class, tuple(languages), main)
    if key not in _TRANSLATED_FORMS:
        extra = {}
        for language in languages:
            if language == main:
                continue
            for name in form_class.translated_fields:
                unbound = getattr(form_class, name)
                kwargs = dict(unbound.kwargs)
                kwargs["validators"] = [Optional()] + [v for v in kwargs.get("validators", [])
                                                       if isinstance(v, Length)]
                kwargs.pop("description", None)
                kwargs["render_kw"] = {"lang": language}
                extra[translation_field_name(name, language)] = unbound.field_class(*unbound.args, **kwargs)
        subclass = type(form_class.__name__, (form_class,), extra)
        subclass.translation_languages = [language for language in languages if language != main]
        subclass.texts_language = main
        _TRANSLATED_FORMS[key] = subclass
    return _TRANSLATED_FORMS[key]


class TranslatedTexts:
    """For forms made by ``with_translations``: the other languages' texts, read and filled in."""

    translated_fields: tuple[str, ...] = ()
    translation_languages: list[str] = []
    texts_language = "en"  # the language of the form's own (main) text fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = getattr(self, "main_language", None)  # a form that lets one choose the main language
        if chosen is not None and not chosen.data:
            chosen.data = self.texts_language  # not sent (an older client, a script): it stays as it was

    def translation_fields(self, language: str) -> list:
        return [self[translation_field_name(name, language)] for name in self.translated_fields]

    def main_fields(self) -> list:
        return [self[name] for name in self.translated_fields]

    def translation_data(self) -> dict[str, dict[str, str]]:
        return {language: {name: (self[translation_field_name(name, language)].data or "").strip()
                           for name in self.translated_fields} for language in self.translation_languages}

    def fill_translations(self, translations: dict) -> None:
        for language in self.translation_languages:
            for name in self.translated_fields:
                self[translation_field_name(name, language)].data = \
                    ((translations or {}).get(language) or {}).get(name, "")
