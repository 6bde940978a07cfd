"""The programme feature: its pages, for the composition root (app/__init__.py)."""
from __future__ import annotations

from flask import Flask

from events.programme import staff  # noqa: F401  (its routes are the console's)


def init_app(app: Flask) -> None:
    """Nothing to register yet beyond the console's routes that ``staff`` declares."""
