"""Shared form pieces: text that is safe to store, JSON bodies fed through the same WTForms as HTML forms."""
from __future__ import annotations

import unicodedata

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Form as WTForm
from wtforms import SelectField as _SelectField
from wtforms import PasswordField, SelectMultipleField, TextAreaField, widgets
from wtforms.fields import BooleanField, FieldList, FormField, IntegerField
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation

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


class BodyError(ValueError):
    """A JSON body whose shape or types are wrong (not the values: the form judges those). ``fields`` names the
    members with a wrong type: {"full_name": ["A string."]}; empty when the body as a whole is wrong."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.fields = fields or {}


# What JSON type each kind of field reads (a JSON number 3.0 is an integer, as JSON Schema says).
_JSON_TYPES = {"bool": (bool,), "int": (int,), "text": (str,)}
_TYPE_MESSAGES = {"bool": "true or false.", "int": "An integer.", "text": "A string."}


def _kind(unbound) -> str | dict:
    cls = unbound.field_class
    if issubclass(cls, FieldList) and unbound.args and isinstance(unbound.args[0], UnboundField) \
            and issubclass(unbound.args[0].field_class, FormField):
        return form_field_names(unbound.args[0].args[0])
    if issubclass(cls, BooleanField):
        return "bool"
    if issubclass(cls, IntegerField):
        return "int"
    if issubclass(cls, SelectMultipleField):
        return "ints" if unbound.kwargs.get("coerce") is int else "texts"
    return "text"


def form_field_names(form_class) -> dict[str, str | dict]:
    """What a form reads, by name: "text", "bool", "int", "texts"/"ints" (lists), or the fields of the
    sub-form that a list of objects fills (FieldList of FormField)."""
    return {name: _kind(unbound) for name in dir(form_class)
            if isinstance(unbound := getattr(form_class, name, None), UnboundField)}


def json_to_formdata(payload, fields: dict[str, str | dict]) -> MultiDict:
    """Flatten a JSON object into the MultiDict a WTForms form reads, after checking each member's JSON type.

    Booleans become "y" or absent, numbers and strings strings, lists repeated keys, and a list of objects WTForms'
    ``name-0-key`` fields. A member of the wrong type (``"full_name": true``) is refused with its name, rather
    than read as text. Keys the form does not read are ignored, whatever their value (as the OpenAPI document
    allows). Null is the same as leaving the member out.
    """
    if not isinstance(payload, dict):
        raise BodyError("The body must be a JSON object.")
    data, wrong = MultiDict(), {}

    def scalar(key: str, value, kind: str) -> None:
        if value is None or (kind == "bool" and value is False):
            return
        if isinstance(value, float) and value.is_integer() and kind == "int":
            value = int(value)
        if not isinstance(value, _JSON_TYPES[kind]) or (kind == "int" and isinstance(value, bool)):
            wrong.setdefault(key, []).append(_TYPE_MESSAGES[kind])
            return
        data.add(key, "y" if value is True else str(value))

    for key, value in payload.items():
        kind = fields.get(key)
        if kind is None or value is None:
            continue
        if isinstance(kind, dict):
            if not isinstance(value, list):
                wrong.setdefault(key, []).append("A list of objects.")
                continue
            for i, item in enumerate(value):
                # A missing member reaches the form as empty (so it is named in the field errors); an item with
                # none of them says nothing and is refused.
                if not isinstance(item, dict) or not any(item.get(sub) not in (None, "") for sub in kind):
                    wrong.setdefault(f"{key}-{i}", []).append(f"An object with {', '.join(sorted(kind))}.")
                    continue
                for sub_key, sub_kind in sorted(kind.items()):
                    scalar(f"{key}-{i}-{sub_key}", item.get(sub_key, ""), sub_kind)
        elif kind in ("texts", "ints"):
            if not isinstance(value, list):
                wrong.setdefault(key, []).append("A list.")
                continue
            for item in value:
                scalar(key, item, kind[:-1])
        else:
            scalar(key, value, kind)
    if wrong:
        raise BodyError("Some members have the wrong type.", wrong)
    return data


def form_errors(form) -> dict[str, list[str]]:
    """Field errors as {"field": ["message", …]}, nested FieldList errors flattened to "languages-0-level"."""
    out: dict[str, list[str]] = {}

    def walk(prefix, errors):
        # Messages may be str or lazy strings; a FieldList mixes its entries' errors (dicts, {} when fine) with
        # its own messages.
        if isinstance(errors, dict):
            for key, value in errors.items():
                walk(f"{prefix}-{key}" if prefix else str(key), value)
        elif isinstance(errors, (list, tuple)):
            for i, value in enumerate(errors):
                if isinstance(value, (dict, list, tuple)):
                    if value:
                        walk(f"{prefix}-{i}", value)
                else:
                    out.setdefault(prefix, []).append(str(value))
        elif errors:
            out.setdefault(prefix, []).append(str(errors))

    for name, errors in form.errors.items():
        walk(name if name is not None else "form", errors)
    return out


def show_rule_error(form, exc) -> None:
    """Show a service's refusal (anything with ``message`` and an optional ``field``) next to the form field it
    names, or as a flash message when it names none."""
    target = getattr(form, exc.field, None) if getattr(exc, "field", None) else None
    if target is not None:
        target.errors = list(target.errors) + [exc.message]
    else:
        flash(exc.message, "error")
