"""What a URL may carry: ids that fit the database, and text the database can hold.

Every integer in a URL rule (``<int:…>``) and every id read from a query string or a form goes through here, so
that an id of 2^31 or 2^63 is "not found" rather than an integer overflow in PostgreSQL; and a NUL character or a
lone surrogate in the path or the query string is refused with 400 before a view runs, because no database can
store or even compare them. (Forms refuse these and the other characters we do not store next to the field they
are in: see app.forms.Form.)
"""
from __future__ import annotations

import re

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest value of the database's 32-bit integer columns


class IdConverter(IntegerConverter):
    """``<int:…>`` in every URL rule: 0 to 2^31 - 1; anything larger matches no rule, so the answer is 404."""

    def __init__(self, map, fixed_digits=0, min=0, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def db_id(value) -> int | None:
    """A row id from text or a number: 1 to 2^31 - 1, or None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def id_arg(name: str) -> int | None:
    """An id from the query string, or None when it is missing or cannot be one."""
    return db_id(request.args.get(name, ""))


UNREADABLE = re.compile("[\x00\ud800-\udfff]")


def unreadable(text: str) -> str | None:
    """NUL or a lone surrogate in ``text``, the characters no database takes, or None."""
    found = UNREADABLE.search(text)
    return found.group() if found else None


def _refuse_unreadable_input():
    for value in (request.path, *request.args.keys(), *request.args.values()):
        char = unreadable(value)
        if char is not None:
            abort(400, description=_("The request contains a character that cannot be read (U+%(code)s).",
                                     code=f"{ord(char):04X}"))


def init_app(app) -> None:
    app.url_map.converters["int"] = IdConverter  # before any rule is added
    app.before_request(_refuse_unreadable_input)
