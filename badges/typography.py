"""Text on badges: which language tag a name gets, and the size, lines and spacing that make it fit its box.

Every size comes from measuring the shaped text with the fonts that will draw it (``badges.measure``: Pango
inside WeasyPrint), never from an estimate. A text box has a width, a largest and smallest size and a height it
may take; ``fit`` returns the size, the lines (broken where the printed lines will break) and the line pitch and
padding that keep every glyph inside the box and lines apart: the pitch is at least the tallest ink above the
baseline plus the deepest ink below it (Vietnamese stacked accents, Thai and Devanagari marks, Arabic), so the
next line moves down instead of being printed over.
"""
from __future__ import annotations

import dataclasses
import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from app.pdf import FONT_STACK
from badges import measure

PT_PER_MM = 72 / 25.4
PX_PER_PT = 4 / 3
GAP_PT = 1.2          # least white between the ink of two lines, or of a line and the box's edge
WIDTH_SLACK = 0.985   # lines are broken a little narrower than the box: rounding never pushes one over
STEP_PT = 0.5         # sizes come in steps: every new size makes the renderer load each font again

# (first code point, last code point, lang): the script picks the language tag, which picks fonts and shaping.
_RANGES = [
    (0x0370, 0x03FF, "el"), (0x0400, 0x04FF, "ru"), (0x0590, 0x05FF, "he"), (0x0600, 0x06FF, "ar"),
    (0x0750, 0x077F, "ar"), (0x0900, 0x097F, "hi"), (0x0980, 0x09FF, "bn"), (0x0B80, 0x0BFF, "ta"),
    (0x0E00, 0x0E7F, "th"), (0x1200, 0x139F, "am"), (0x1100, 0x11FF, "ko"), (0xAC00, 0xD7AF, "ko"),
    (0x3040, 0x30FF, "ja"), (0x31F0, 0x31FF, "ja"), (0x3400, 0x4DBF, "zh"), (0x4E00, 0x9FFF, "zh"),
    (0xF900, 0xFAFF, "zh"), (0xFF00, 0xFFEF, "zh"),
]
_HAN_LANGS = {"ja", "zh-Hant"}  # hints that change how Han characters alone are read
# CSS font-family per language tag, as app.pdf's FONT_CSS sets it (the measurement must ask for the same list)
_FAMILIES = {"ja": "Noto Sans CJK JP", "ko": "Noto Sans CJK KR", "zh": "Noto Sans CJK SC",
             "zh-Hant": "Noto Sans CJK TC"}


def _script_lang(char: str) -> str | None:
    code = ord(char)
    if code < 0x0370:  # Latin, most names: no tag
        return None
    for first, last, lang in _RANGES:
        if first <= code <= last:
            return lang
    return None


def name_lang(name: str, hint: str | None = None) -> str | None:
    """The language tag that picks the right font and shaping, from the name's script (None: Latin).

    Han characters alone do not tell Chinese from Japanese: kana make it Japanese, and so does a ``hint`` ("ja"
    for an attendee from Japan or whose first language is Japanese; "zh-Hant" for traditional forms)."""
    langs = [lang for lang in map(_script_lang, name) if lang]
    if not langs:
        return None
    if "ja" in langs:
        return "ja"
    if "ko" in langs:
        return "ko"
    best = max(set(langs), key=langs.count)
    return hint if best == "zh" and hint in _HAN_LANGS else best


def is_rtl(text: str) -> bool:
    """The direction of the text's first strong character (what ``dir="auto"`` would give)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def family_for(lang: str | None) -> str:
    first = _FAMILIES.get(lang or "") or _FAMILIES.get((lang or "").split("-")[0])
    stack = FONT_STACK.replace('"', "").replace(", ", ",")
    return f"{first},{stack}" if first else stack


@dataclass(frozen=True)
class Box:
    """Where a text goes: width and height it may take (mm), its sizes (pt), weight, lines at most."""
    width_mm: float
    height_mm: float
    max_pt: float
    min_pt: float
    weight: int = 400
    max_lines: int = 3
    leading: float = 1.15   # pitch as a multiple of the size when the ink needs no more


@dataclass(frozen=True)
class Fitted:
    text: str
    size_pt: float
    lines: tuple[str, ...]
    pitch_pt: float       # CSS line-height
    pad_top_pt: float     # room above the first line's line box for ink that rises over it
    pad_bottom_pt: float
    height_pt: float      # the block's height, at most (line boxes can be taller than the line-height)
    lang: str | None
    rtl: bool

    @property
    def height_mm(self) -> float:
        return self.height_pt / PT_PER_MM


EMPTY = Fitted("", 0.0, (), 0.0, 0.0, 0.0, 0.0, None, False)


def _set(text: str, size: float, box: Box, lang: str | None, rtl: bool, wrap: bool,
         keep_words: bool = False) -> Fitted | None:
    """``text`` at ``size`` pt in ``box`` (wrapped or on one line), or None when it does not fit; with
    ``keep_words``, also None when a line would end inside a word."""
    family, px = family_for(lang), size * PX_PER_PT
    width_px = box.width_mm * PT_PER_MM * PX_PER_PT * WIDTH_SLACK
    laid = measure.lines(text, family=family, weight=box.weight, size_px=px, lang=lang, rtl=rtl,
                         width_px=width_px if wrap else None)
    if not laid or len(laid) > box.max_lines or (keep_words and not all(
            line.text.endswith((" ", "\u3000")) for line in laid[:-1])):
        return None
    # each printed line is its own paragraph: measure it alone, as it will be shaped
    alone = [measure.lines(line.text.strip(), family=family, weight=box.weight, size_px=px, lang=lang,
                           rtl=rtl)[0] if len(laid) > 1 else line for line in laid]
    if any(line.width > width_px for line in alone):
        return None
    pitch, pad_top, pad_bottom, height = _vertical(alone, _strut(family, box.weight, px, lang, rtl), px * box.leading)
    fitted = Fitted(text, size, tuple(line.text.strip() for line in alone), pitch, pad_top, pad_bottom, height,
                    lang, rtl)
    return fitted if fitted.height_mm <= box.height_mm else None


def _step_down(size_pt: float) -> float:
    return math.floor(size_pt / STEP_PT + 1e-9) * STEP_PT


def _up(px: float) -> float:
    """px to pt, rounded up to 0.1 pt as the template prints it."""
    return math.ceil(px / PX_PER_PT * 10 - 1e-6) / 10


def _vertical(alone: list[measure.Line], strut: measure.Line, least_px: float) -> tuple[float, ...]:
    """(line-height, padding top, padding bottom, height), pt, for lines printed one block each.

    WeasyPrint centres each line's logical box (and the block's strut, a space in the first font) on the
    line-height, and the line box holds both: it is taller than the line-height by the distance between the two
    centres. Baselines are therefore at least a line-height apart, and a line-height of the tallest ink above
    the baseline plus the deepest below plus a gap keeps lines apart; the padding keeps the first and last
    lines' ink inside the block."""
    gap = GAP_PT * PX_PER_PT
    ink_up = max(-line.ink_top for line in alone)
    ink_down = max(line.ink_bottom for line in alone)
    pitch = _up(max(least_px, ink_up + ink_down + gap)) * PX_PER_PT
    strut_centre = (strut.top + strut.bottom) / 2
    centres = [(line.top + line.bottom) / 2 for line in alone]
    above = pitch / 2 - min(strut_centre, centres[0])      # baseline below the top of the first line box
    below = pitch / 2 + max(strut_centre, centres[-1])    # bottom of the last line box below its baseline
    pad_top = max(0.0, -alone[0].ink_top + gap / 2 - above)
    pad_bottom = max(0.0, alone[-1].ink_bottom + gap / 2 - below)
    height = pad_top + pad_bottom + sum(pitch + abs(centre - strut_centre) for centre in centres)
    return _up(pitch), _up(pad_top), _up(pad_bottom), _up(height) + 0.2


@lru_cache(maxsize=512)
def _strut(family: str, weight: int, px: float, lang: str | None, rtl: bool) -> measure.Line:
    """The line box's strut: a space in the element's first font (WeasyPrint puts one in every line box)."""
    return measure.lines(" ", family=family, weight=weight, size_px=px, lang=lang, rtl=rtl)[0]


@lru_cache(maxsize=4096)  # a sheet repeats its event's footer and its universities hundreds of times
def fit(text: str, box: Box, *, lang: str | None = None, floor_pt: float | None = None) -> Fitted:
    """The largest size at which ``text`` fits ``box``: on one line if it can at ``min_pt`` or more, else on
    up to ``max_lines`` lines; below ``min_pt`` (down to ``floor_pt``) only when even that does not fit.
    What fits nowhere is cut at a word with an ellipsis (a 200-character organisation on a 55 mm badge)."""
    text = " ".join(text.split())
    if not text:
        return EMPTY
    rtl = is_rtl(text)
    natural = measure.lines(text, family=family_for(lang), weight=box.weight, size_px=box.max_pt * PX_PER_PT,
                            lang=lang, rtl=rtl)[0].width
    width_px = box.width_mm * PT_PER_MM * PX_PER_PT * WIDTH_SLACK
    size = _step_down(min(box.max_pt, box.max_pt * width_px / max(natural, 0.01)))
    for _ in range(3):  # widths scale with the size: a retry or two at most, for the height
        if size < box.min_pt:
            break
        if one := _set(text, size, box, lang, rtl, wrap=False):
            return one
        size = _step_down(size - STEP_PT)
    floor_pt = floor_pt or box.min_pt
    if " " in text:  # break between words if any size from the floor up allows it
        if fitted := _wrapped(text, box, lang, rtl, floor_pt, keep_words=True):
            return fitted
    return _wrapped(text, box, lang, rtl, floor_pt) or _cut(text, box, lang, rtl, floor_pt)


def _wrapped(text: str, box: Box, lang: str | None, rtl: bool, floor_pt: float,
             keep_words: bool = False) -> Fitted | None:
    best = _set(text, floor_pt, box, lang, rtl, wrap=True, keep_words=keep_words)
    if best is None:
        return None
    sizes = [size * STEP_PT for size in range(math.floor(floor_pt / STEP_PT) + 1,
                                              math.floor(box.max_pt / STEP_PT) + 1)]
    low, high = 0, len(sizes)  # the largest size whose lines fit: more lines only come with a larger size
    while low < high:
        middle = (low + high) // 2
        if fitted := _set(text, sizes[middle], box, lang, rtl, wrap=True, keep_words=keep_words):
            best, low = fitted, middle + 1
        else:
            high = middle
    return best


def _cut(text: str, box: Box, lang: str | None, rtl: bool, floor_pt: float) -> Fitted:
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        if fitted := _set(" ".join(words) + "…", floor_pt, box, lang, rtl, wrap=True):
            return dataclasses.replace(fitted, text=text)
    chars = text
    while len(chars) > 1:
        chars = chars[:-1]
        if fitted := _set(chars + "…", floor_pt, box, lang, rtl, wrap=True):
            return dataclasses.replace(fitted, text=text)
    return EMPTY
