"""Figures other packages give the console, so the dashboard, exports and segments need no import of theirs.

The check-in package registers, for example:

    from app.console.plugins import provides

    @provides("checkins")
    def first_check_ins(event) -> dict[int, datetime]:
        '''registration id -> time of the first successful check-in'''

and the employers package ``@provides("meetings")`` returning ``{"planned": int, "held": int}``. Optional:
"checkin_rows" and "meeting_rows" (``(event) -> (header, rows)``) for richer exports.
Without a provider the dashboard says the figure is not available yet.
"""
from __future__ import annotations

from typing import Callable

_figures: dict[str, Callable] = {}


def provides(name: str):
    def decorator(func):
        _figures[name] = func
        return func
    return decorator


def figure(name: str) -> Callable | None:
    return _figures.get(name)
