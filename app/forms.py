"""Shared form pieces: text that is safe to store, JSON bodies fed through the same WTForms as HTML forms."""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import SelectField as _SelectField
from wtforms import SelectMultipleField, widgets
from wtforms.validators import ValidationError

# Control characters, lone surrogates and private-use code points are never valid in a name or a title.
# Unassigned code points (Cn) are: a script newer than Python's Unicode tables must not be refused.
_BAD_CATEGORIES = {"Cc", "Cs", "Co"}


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


class CleanText:
    """Any script is welcome; invisible control characters (NUL and friends) are not."""

    def __init__(self, multiline: bool = False):
        self.allowed = {"\n", "\r", "\t"} if multiline else set()

    def __call__(self, form, field):
        value = field.data
        if not isinstance(value, str):
            return
        for char in value:
            if char not in self.allowed and unicodedata.category(char) in _BAD_CATEGORIES:
                raise ValidationError(_l("This contains a character we cannot store (U+%(code)04X).",
                                         code=ord(char)))


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
    """A JSON body whose shape is wrong (not the values: the form judges those)."""


def form_field_names(form_class) -> dict[str, set[str] | None]:
    """The names a form reads: {name: None} for plain fields, {name: {sub-names}} for lists of sub-forms."""
    from wtforms.fields import FieldList, FormField
    from wtforms.fields.core import UnboundField

    names: dict[str, set[str] | None] = {}
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        names[name] = None
        if issubclass(unbound.field_class, FieldList) and unbound.args:
            inner = unbound.args[0]
            if isinstance(inner, UnboundField) and issubclass(inner.field_class, FormField):
                names[name] = set(form_field_names(inner.args[0]))
    return names


def json_to_formdata(payload, fields: dict[str, set[str] | None]) -> MultiDict:
    """Flatten a JSON object into the MultiDict a WTForms form reads.

    Scalars become strings (booleans: "y" or absent), lists of scalars become repeated keys, and the names in
    ``fields`` mapped to a set of sub-names may hold a list of objects, written as WTForms' ``name-0-key``
    fields. Keys the form does not read are ignored, whatever their value (as the OpenAPI document allows).
    """
    if not isinstance(payload, dict):
        raise BodyError("The body must be a JSON object.")
    data = MultiDict()

    def scalar(key, value):
        if value is None or value is False:
            return
        if value is True:
            data.add(key, "y")
        elif isinstance(value, float) and value.is_integer():
            data.add(key, str(int(value)))  # JSON Schema: 3.0 is an integer
        elif isinstance(value, (str, int, float)):
            data.add(key, str(value))
        else:
            raise BodyError(f"'{key}' must be a string, number or boolean.")

    for key, value in payload.items():
        if key not in fields:
            continue
        sub_names = fields[key]
        if isinstance(value, list):
            for i, item in enumerate(value):
                if sub_names is None:
                    scalar(key, item)
                    continue
                # A list of objects, e.g. {"code": "de", "level": "B2"}. A missing field reaches the form as empty
                # (so it is named in the field errors); an item with none of them says nothing and is refused.
                if not isinstance(item, dict) or not any(item.get(sub) not in (None, "") for sub in sub_names):
                    raise BodyError(f"Each item of '{key}' must be an object with {', '.join(sorted(sub_names))}.")
                for sub_key in sorted(sub_names):
                    scalar(f"{key}-{i}-{sub_key}", item.get(sub_key, ""))
        elif isinstance(value, dict):
            raise BodyError(f"'{key}' must not be an object.")
        else:
            scalar(key, value)
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
    from flask import flash
    target = getattr(form, exc.field, None) if getattr(exc, "field", None) else None
    if target is not None:
        target.errors = list(target.errors) + [exc.message]
    else:
        flash(exc.message, "error")
