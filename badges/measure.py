"""Measuring shaped text with the engine that will draw it: Pango and HarfBuzz inside WeasyPrint.

WeasyPrint lays text out with Pango on a fontconfig font map; this module asks the same Pango, through
WeasyPrint's own bindings and a font map made the same way, with the same font family list, weight, size,
language and direction. So the fallback font chosen for each character, the shaping (Arabic joining, Indic
clusters, Thai marks, kerning) and the line breaks are those of the PDF, and a width measured here is the width
printed there. One layout of a short name takes a fraction of a millisecond (a WeasyPrint document laid out
only to read its line boxes back costs a hundredfold); contexts are kept per language and direction.

Text is laid out at one reference size and scaled: widths and extents scale with the size to 0.01 % (WeasyPrint
asks Pango for unhinted, unrounded positions), while every new size makes Pango load each fallback font again
(17–36 ms against 0.2 ms). Sizes are CSS pixels (WeasyPrint's unit: 1 px = 0.75 pt); callers convert.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


REFERENCE_PX = 100.0


@dataclass(frozen=True)
class Line:
    """One laid-out line, in px: its text, logical width, and extents relative to its baseline (y down)."""
    text: str
    width: float
    top: float          # logical top (negative: above the baseline)
    bottom: float       # logical bottom
    ink_top: float      # the glyphs' own outlines
    ink_bottom: float


@lru_cache(maxsize=1)
def _font_map():
    from weasyprint.text.fonts import FontConfiguration  # WeasyPrint loads only where badges are drawn
    return FontConfiguration()  # kept for the process: loading fontconfig's font list costs ~0.1 s


@lru_cache(maxsize=64)
def _context(lang: str | None, rtl: bool):
    from weasyprint.text.ffi import ffi, gobject, pango, unicode_to_char_p  # (see above)
    context = ffi.gc(pango.pango_font_map_create_context(_font_map().font_map), gobject.g_object_unref)
    pango.pango_context_set_round_glyph_positions(context, False)  # as WeasyPrint's Layout does
    pango.pango_context_set_base_dir(context, pango.PANGO_DIRECTION_RTL if rtl else pango.PANGO_DIRECTION_LTR)
    if lang:
        lang_p, _ = unicode_to_char_p(lang)
        pango.pango_context_set_language(context, pango.pango_language_from_string(lang_p))
    return context


@lru_cache(maxsize=128)
def _description(family: str, weight: int, size_px: float):
    from weasyprint.text.ffi import TO_UNITS, ffi, pango, unicode_to_char_p  # (see above)
    description = ffi.gc(pango.pango_font_description_new(), pango.pango_font_description_free)
    family_p, _ = unicode_to_char_p(family)
    pango.pango_font_description_set_family(description, family_p)
    pango.pango_font_description_set_weight(description, weight)
    pango.pango_font_description_set_absolute_size(description, int(size_px * TO_UNITS))
    return description


def _layout(family: str, weight: int, lang: str | None, rtl: bool):
    from weasyprint.text.ffi import ffi, gobject, pango  # (see above)
    description = _description(family, weight, REFERENCE_PX)
    layout = ffi.gc(pango.pango_layout_new(_context(lang, rtl)), gobject.g_object_unref)
    pango.pango_layout_set_auto_dir(layout, False)
    pango.pango_layout_set_font_description(layout, description)
    return layout


def lines(text: str, *, family: str, weight: int, size_px: float, lang: str | None = None, rtl: bool = False,
          width_px: float | None = None) -> list[Line]:
    """``text`` laid out at ``size_px``; broken into lines no wider than ``width_px`` (at word boundaries,
    inside a word only where a word alone is too wide: CSS ``overflow-wrap: anywhere``), or one line."""
    from weasyprint.text.ffi import FROM_UNITS, TO_UNITS, ffi, pango, unicode_to_char_p  # (see above)
    layout = _layout(family, weight, lang, rtl)
    scale = FROM_UNITS * size_px / REFERENCE_PX
    text_p, encoded = unicode_to_char_p(text)
    pango.pango_layout_set_text(layout, text_p, -1)
    if width_px is not None:
        pango.pango_layout_set_width(layout, int(width_px * REFERENCE_PX / size_px * TO_UNITS))
        pango.pango_layout_set_wrap(layout, pango.PANGO_WRAP_WORD_CHAR)
    ink, logical = ffi.new("PangoRectangle *"), ffi.new("PangoRectangle *")
    out, index = [], 0
    while (line := pango.pango_layout_get_line_readonly(layout, index)) != ffi.NULL:
        pango.pango_layout_line_get_extents(line, ink, logical)
        piece = encoded[line.start_index:line.start_index + line.length].decode()
        out.append(Line(piece, logical.width * scale, logical.y * scale, (logical.y + logical.height) * scale,
                        ink.y * scale, (ink.y + ink.height) * scale))
        index += 1
    return out
