"""Figures other features give the console, so the dashboard, exports and segments need no import of theirs.

A feature names its figures in its ``init_app``; the door, for example:

    console_figures.add_figure(app, "checkins", figures.first_check_ins)  # (event) -> {registration id: time}

and the meetings feature ``"meetings"`` returning ``{"planned": int, "held": int}``. Optional: "checkin_rows" and
"meeting_rows" (``(event) -> (header, rows)``) for richer exports. The figures belong to the application
(``app.extensions["welcomeday.console_figures"]``); without a provider the dashboard says the figure is not
available yet.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, current_app


def figures(app: Flask) -> dict[str, Callable]:
    """This application's figures, by name."""
    return app.extensions.setdefault("welcomeday.console_figures", {})


def add_figure(app: Flask, name: str, func: Callable) -> None:
    """Name the function that computes the figure ``name`` for an event (called by a feature's ``init_app``)."""
    figures(app)[name] = func


def figure(name: str) -> Callable | None:
    """The current application's function for the figure ``name``, or None when no feature gives it."""
    return figures(current_app).get(name)
