"""Signing keys and their rotation.

Badge tokens (BADGE_SECRET), personal calendar links (FEED_SECRET) and "My registration" links
(REGISTRATION_LINK_SECRET) are HMACs under a key of their own, each SECRET_KEY when not set. Each may list older
keys that are still accepted, newest first: ``<NAME>_FALLBACKS`` (comma-separated), or SECRET_KEY_FALLBACKS for a
key that falls back on SECRET_KEY (Flask 3.1 accepts the same list for signed session cookies). What is made
from now on uses the current key; what an old key made keeps working while that key is listed, and stops when it
is removed. Outside development and tests, create_app refuses to start without a SECRET_KEY of its own
(``refuse_default_secret``).
"""
from __future__ import annotations

from flask import current_app

DEFAULT_SECRET_KEY = "dev-only-not-secret"  # public: in the source code; development and tests only
SECRET_SETTINGS = ("BADGE_SECRET", "FEED_SECRET", "REGISTRATION_LINK_SECRET")


class DefaultSecretError(RuntimeError):
    """The application would sign badges, links and sessions with a key everybody knows."""


def keys(setting: str) -> list[bytes]:
    """The keys of ``setting`` (one of SECRET_SETTINGS), the current one first, then those still accepted."""
    config = current_app.config
    own = config.get(setting)
    older = config.get(f"{setting}_FALLBACKS") if own else config.get("SECRET_KEY_FALLBACKS")
    return [key.encode() for key in (own or config["SECRET_KEY"], *(older or ())) if key]


def current(setting: str) -> bytes:
    return keys(setting)[0]


def refuse_default_secret(config) -> None:
    """Raise unless SECRET_KEY is set to a key of the site's own (development and tests may use the default)."""
    if config.get("TESTING") or config.get("APP_ENV") in ("development", "test", "testing"):
        return
    secret = config.get("SECRET_KEY")
    if not secret or secret == DEFAULT_SECRET_KEY or secret in (config.get("SECRET_KEY_FALLBACKS") or ()):
        raise DefaultSecretError(
            f"SECRET_KEY is not set (APP_ENV={config.get('APP_ENV')!r}): set the environment variable SECRET_KEY "
            "to a long random value of this site's own, e.g. python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))' (or APP_ENV=development for a development server).")
