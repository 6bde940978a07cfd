"""Where the application's own files are: the checkout's top-level folders, or their copies inside the package.

The repository keeps ``templates/``, ``static/``, ``translations/`` and ``migrations/`` at its top level. A wheel
cannot install top-level folders next to a package, so the wheel's build (``setup.py``) copies them into
``app/bundled/`` (and compiles the catalogues there); an installed application finds them there, a checkout (or
an editable install) at the top. ``app/bundled/`` never exists in a checkout (``.gitignore``).
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
BUNDLED = PACKAGE / "bundled"
INSTALLED = BUNDLED.is_dir()
FOLDERS = ("templates", "static", "translations", "migrations")


def folder(name: str) -> Path:
    """One of FOLDERS: the installed copy when there is one, else the checkout's."""
    return (BUNDLED if INSTALLED else CHECKOUT) / name


TEMPLATES = folder("templates")
STATIC = folder("static")
TRANSLATIONS = folder("translations")
MIGRATIONS = folder("migrations")
# Local data (the default SQLite file, cached PDFs, the instance folder): VAR_DIR, else the checkout's var/, or
# var/ in the working directory for an installed application (site-packages is no place for data).
VAR_DIR = Path(os.environ.get("VAR_DIR") or (Path.cwd() / "var" if INSTALLED else CHECKOUT / "var")).resolve()
