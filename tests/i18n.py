"""What a German or Dutch reader must not find in what we show them: English messages, English words, raw enum
codes, snake_case names. Shared by tests/test_translations.py (public pages and mails) and
tests/test_translations_staff.py (staff and employer pages, PDFs, Excel headers)."""
from __future__ import annotations

import io
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("de", "nl")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


class _VisibleText(HTMLParser):
    """The text a reader sees: text nodes (not scripts or styles) and the attributes read out or shown."""

    SHOWN = ("title", "placeholder", "aria-label", "alt", "value")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        attributes = dict(attrs)
        for name in self.SHOWN:
            if attributes.get(name) and (name != "value" or (tag == "input" and attributes.get("type") in (
                    "submit", "button"))):
                self.parts.append(attributes[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def pdf_text(pdf: bytes) -> str:
    """The text of every page of a PDF, read back as a reader copying it would get it."""
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def xlsx_headers(document: bytes) -> str:
    """The header row of every sheet of an Excel workbook."""
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(document), read_only=True)
    return " · ".join(str(cell.value) for sheet in book.worksheets
                      for row in sheet.iter_rows(max_row=1) for cell in row if cell.value is not None)


@cache
def catalog(lang: str):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def _strings(value) -> list[str]:
    return [s for s in (value if isinstance(value, (list, tuple)) else [value]) if s]


@cache
def _translated_words(lang: str) -> frozenset[str]:
    return frozenset(w for m in catalog(lang) for s in _strings(m.string) for w in re.findall(r"\w+", s))


@cache
def _english_only_words(lang: str) -> frozenset[str]:
    """Words of the English messages (four letters or more) that no message in ``lang`` uses, in lower case."""
    english = {w.lower() for m in catalog(lang) for s in _strings(m.id)
               for w in re.findall(r"(?<![%(])\b[A-Za-z]{4,}\b", PLACEHOLDER.sub(" ", s))}
    return frozenset(english - {w.lower() for w in _translated_words(lang)})


@cache
def _english_stretches(lang: str) -> tuple[str, ...]:
    """Of each English message that ``lang`` says otherwise, its longest stretch without placeholders when that
    is two words or more (12 characters at least) and the translation does not hold it too."""
    found = []
    for message in catalog(lang):
        english = message.id if isinstance(message.id, str) else (message.id or [""])[0]
        translated = message.string if isinstance(message.string, str) else (message.string or [""])[0]
        if not english or translated == english:
            continue
        stretch = max(PLACEHOLDER.split(english), key=len).strip(" .,:;·–")
        if len(stretch) >= 12 and " " in stretch and stretch not in translated:
            found.append(stretch)
    return tuple(found)


def english_leftovers(text: str, lang: str) -> list[str]:
    """English messages of the catalogue that stand in ``text`` although ``lang`` says them otherwise."""
    return [stretch for stretch in _english_stretches(lang) if stretch in text]


def english_words(text: str, lang: str) -> list[str]:
    """Words of our English messages that ``lang`` never uses, standing in ``text`` (a string left unwrapped, or a
    message without its translation)."""
    english = _english_only_words(lang)
    return sorted({w for w in re.findall(r"(?<![\w@./-])[A-Za-z]{4,}(?![\w@/-])", text) if w.lower() in english})


def raw_codes(text: str, lang: str) -> list[str]:
    """Codes of enums (and CEFR's "native") that stand in ``text`` as words, unless ``lang`` uses that word."""
    from app.accounts.models import EventRoleKind
    from badges.models import BadgeRole
    from events.employers.models import OrganisationKind, PartnerRole, PartnerStatus
    from events.programme.models import EventStatus, SessionKind
    from events.registration.models import DegreeLevel, EnrolmentStatus, RegistrationStatus, Seeking
    enums = (RegistrationStatus, EnrolmentStatus, DegreeLevel, Seeking, SessionKind, BadgeRole, EventStatus,
             OrganisationKind, PartnerRole, PartnerStatus, EventRoleKind)
    codes = {str(m.value) for enum in enums for m in enum} | {"native"}
    return sorted(code for code in codes - _translated_words(lang)
                  if re.search(rf"(?<![\w/.@-]){re.escape(code)}(?![\w/.@-])", text))


def snake_case(text: str) -> list[str]:
    """Names like ``registered_at`` or ``lead_partner``: a machine's word, not a reader's."""
    return sorted(set(re.findall(r"(?<![\w/.@-])[a-z]+(?:_[a-z0-9]+)+(?![\w/.@-])", text)))


def untranslated(text: str, lang: str) -> dict[str, list[str]]:
    """Everything wrong with ``text`` for a reader of ``lang``, by kind (empty: nothing)."""
    found = {"English messages": english_leftovers(text, lang), "English words": english_words(text, lang),
             "raw codes": raw_codes(text, lang), "snake_case": snake_case(text)}
    return {kind: words for kind, words in found.items() if words}
