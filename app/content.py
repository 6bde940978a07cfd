"""Texts entered in several languages: event titles and descriptions, session titles and abstracts, room names,
partner texts (issue 14).

The idea is pretix's I18nField, kept small: each text keeps its column, written in the main language of what it
belongs to (an event's ``main_language``; its sessions and rooms follow it; an organisation has its own), and a
model that mixes in ``Translatable`` has one JSON column, ``translations``, with the other languages:
``{"de": {"title": "…", "description": "…"}, "nl": {…}}``. Reading goes through one function, ``localized``,
with one fallback chain: the reader's language, its base language ("de_AT" → "de"), the main text, then the
first language that has one. Templates write ``obj|tr("title")``; Python code ``localized(obj, "title")``.

Which languages can be entered is configuration: CONTENT_LANGUAGES (default "en,de,nl").
"""
from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import get_locale
from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

DEFAULT_LANGUAGES = ("en", "de", "nl")
# Each language in its own name: the labels of the columns in the staff forms.
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "nl": "Nederlands", "fr": "Français", "es": "Español",
                  "it": "Italiano", "pl": "Polski", "tr": "Türkçe", "ar": "العربية", "uk": "Українська"}


class Translatable:
    """A model whose texts (``translated_fields``) may have translations, and a main language (``text_language``)."""

    translated_fields: tuple[str, ...] = ()
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    @property
    def text_language(self) -> str:
        raise NotImplementedError


def content_languages() -> list[str]:
    """The languages texts can be entered in, from the configuration (CONTENT_LANGUAGES)."""
    if has_app_context():
        return list(current_app.config.get("CONTENT_LANGUAGES") or DEFAULT_LANGUAGES)
    return list(DEFAULT_LANGUAGES)


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def _reader_locale() -> str:
    if not has_app_context():
        return ""
    return str(get_locale() or "")


def translation(obj, name: str, language: str) -> str:
    """The text entered for ``language`` (the main text when it is the main language), or ""."""
    if language == obj.text_language:
        return getattr(obj, name) or ""
    return ((obj.translations or {}).get(language) or {}).get(name) or ""


def localized(obj, name: str, locale: str | None = None) -> str:
    """``obj``'s text ``name`` for a reader of ``locale`` (default: the current locale, which mails, PDFs and
    feeds set with force_locale), falling back on the main text."""
    if obj is None:
        return ""
    if not isinstance(obj, Translatable):  # a stand-in (a preview's sample, a plain record): its own text
        return getattr(obj, name, "") or ""
    locale = locale if locale is not None else _reader_locale()
    for language in (locale, locale.replace("-", "_").split("_")[0]):
        if language and language != obj.text_language:
            text = ((obj.translations or {}).get(language) or {}).get(name)
            if text:
                return text
    main = getattr(obj, name) or ""
    if main:
        return main
    for texts in (obj.translations or {}).values():
        if (texts or {}).get(name):
            return texts[name]
    return ""


def translations_of(obj) -> dict:
    """Every language's texts of ``obj``, main language included: {"en": {"title": …}, "de": {…}} (the JSON API)."""
    out = {obj.text_language: {name: getattr(obj, name) or "" for name in obj.translated_fields}}
    for language, texts in sorted((obj.translations or {}).items()):
        kept = {name: texts.get(name) for name in obj.translated_fields if (texts or {}).get(name)}
        if kept and language != obj.text_language:
            out[language] = kept
    return out


def set_translations(obj, texts: dict[str, dict[str, str]]) -> None:
    """Store the other languages' texts (empty ones are left out; the main language's go in the columns)."""
    kept = {}
    for language, values in texts.items():
        if language == obj.text_language:
            continue
        values = {name: (values.get(name) or "").strip() for name in obj.translated_fields}
        values = {name: text for name, text in values.items() if text}
        if values:
            kept[language] = values
    obj.translations = kept  # a new dict: SQLAlchemy sees the change (no in-place mutation of JSON)


def change_main_language(obj, old: str, new: str) -> bool:
    """Make ``new`` the main language: its translations go into the columns, the columns' texts become the
    ``old`` language's translation. False (nothing changed) when ``new`` lacks a text that ``old`` has."""
    if old == new:
        return True
    current = dict(obj.translations or {})
    incoming = current.get(new) or {}
    if any(getattr(obj, name) and not incoming.get(name) for name in obj.translated_fields):
        return False
    current[old] = {name: getattr(obj, name) for name in obj.translated_fields if getattr(obj, name)}
    for name in obj.translated_fields:
        setattr(obj, name, incoming.get(name, getattr(obj, name)))
    current.pop(new, None)
    obj.translations = current
    return True


def change_main_languages(objects: list, language: str) -> list:
    """Make ``language`` the main language of all ``objects`` or of none: those that lack a text in it (nothing
    changed), or [] when done."""
    lacking = [obj for obj in objects if language != obj.text_language and any(
        getattr(obj, name) and not ((obj.translations or {}).get(language) or {}).get(name)
        for name in obj.translated_fields)]
    if not lacking:
        for obj in objects:
            change_main_language(obj, obj.text_language, language)
    return lacking


def init_app(app) -> None:
    app.jinja_env.filters.update(tr=localized, language_name=language_name)
    app.jinja_env.globals.update(language_name=language_name, content_languages=content_languages)
