"""Shared form pieces: text that is safe to store, JSON bodies fed through the same WTForms as HTML forms."""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import SelectMultipleField, widgets
from wtforms.validators import ValidationError

# Control characters, lone surrogates and private-use code points are never valid in a name or a title.
_BAD_CATEGORIES = {"Cc", "Cs", "Co", "Cn"}


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


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class BodyError(ValueError):
    """A JSON body whose shape is wrong (not the values: the form judges those)."""


def json_to_formdata(payload, list_of_objects: tuple[str, ...] = ()) -> MultiDict:
    """Flatten a JSON object into the MultiDict a WTForms form reads.

    Scalars become strings (booleans: "y" or absent), lists of scalars become repeated keys, and the names in
    ``list_of_objects`` may hold a list of objects, written as WTForms' ``name-0-key`` fields.
    """
    if not isinstance(payload, dict):
        raise BodyError("The body must be a JSON object.")
    data = MultiDict()

    def scalar(key, value):
        if value is None or value is False:
            return
        if value is True:
            data.add(key, "y")
        elif isinstance(value, (str, int, float)):
            data.add(key, str(value))
        else:
            raise BodyError(f"'{key}' must be a string, number or boolean.")

    for key, value in payload.items():
        if not isinstance(key, str):
            raise BodyError("Keys must be strings.")
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict) and key in list_of_objects:
                    for sub_key, sub_value in item.items():
                        scalar(f"{key}-{i}-{sub_key}", sub_value)
                else:
                    scalar(key, item)
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
