"""The dashboard feature, for the composition root (app/__init__.py)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The dashboard's pages are declared with the programme's console pages for now."""
