"""Names on badges: which script (for ``lang``), and how large to print them so they fit.

WeasyPrint has no fit-text, so the size is computed here from an estimate of the name's width in ems, per
script: full-width for Han, kana and Hangul, narrower for Latin and Arabic. The estimate errs wide, so a name
never overflows; a name too long even at the smallest size wraps onto a second line.
"""
from __future__ import annotations

import math
import unicodedata

# (first code point, last code point, lang, average advance in em)
_RANGES = [
    (0x0370, 0x03FF, "el", 0.62), (0x0400, 0x04FF, "ru", 0.64), (0x0590, 0x05FF, "he", 0.58),
    (0x0600, 0x06FF, "ar", 0.52), (0x0750, 0x077F, "ar", 0.52), (0x0900, 0x097F, "hi", 0.66),
    (0x0980, 0x09FF, "bn", 0.66), (0x0B80, 0x0BFF, "ta", 0.75), (0x0E00, 0x0E7F, "th", 0.58),
    (0x1200, 0x139F, "am", 0.78), (0x1100, 0x11FF, "ko", 1.0), (0xAC00, 0xD7AF, "ko", 1.0),
    (0x3040, 0x30FF, "ja", 1.0), (0x31F0, 0x31FF, "ja", 1.0), (0x3400, 0x4DBF, "zh", 1.0),
    (0x4E00, 0x9FFF, "zh", 1.0), (0xF900, 0xFAFF, "zh", 1.0), (0xFF00, 0xFFEF, "zh", 1.0),
]
PT_PER_MM = 72 / 25.4


def _classify(char: str) -> tuple[str | None, float]:
    code = ord(char)
    for first, last, lang, advance in _RANGES:
        if first <= code <= last:
            return lang, advance
    if char.isspace():
        return None, 0.28
    if unicodedata.combining(char):
        return None, 0.0
    if char.isupper() or char in "MWmw@":
        return None, 0.72
    return None, 0.56


def name_lang(name: str) -> str | None:
    """The language tag that picks the right font and shaping, from the name's script (None: Latin)."""
    langs = [lang for lang, _ in map(_classify, name) if lang]
    if not langs:
        return None
    if "ja" in langs:  # kana with kanji: Japanese, whatever the Han characters alone would suggest
        return "ja"
    if "ko" in langs:
        return "ko"
    return max(set(langs), key=langs.count)


def width_em(name: str) -> float:
    return sum(advance for _, advance in map(_classify, name))


def fit_font_size(name: str, width_mm: float, *, max_pt: float, min_pt: float) -> tuple[float, int]:
    """(font size in pt, lines) so that ``name`` fits ``width_mm``: one line if it can, else two at min_pt."""
    ems = max(width_em(name), 0.5)
    size = width_mm * PT_PER_MM / ems
    if size >= min_pt:
        return round(min(size, max_pt), 1), 1
    lines = min(3, math.ceil(ems * min_pt / (width_mm * PT_PER_MM)))
    return min_pt, lines
