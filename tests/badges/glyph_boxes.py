"""Reading a badge PDF back glyph by glyph (pdfium): where every glyph's ink is, on which line, in which badge.

``problems(pdf, layout)`` lists every way printed text touches something it should not: a glyph outside its
badge, over the colour band or the QR code, or glyph boxes of two different lines (two baselines) that
intersect, whether the lines belong to one name that wrapped or to two texts one above the other.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass

from badges.render import LAYOUTS, frame

PT_PER_MM = 72 / 25.4
TOLERANCE = 0.05  # pt: rounding in the PDF's numbers, not ink


@dataclass(frozen=True)
class Glyph:
    page: int
    char: str
    left: float     # mm from the page's top left
    top: float
    right: float
    bottom: float
    baseline: float


def glyphs(pdf: bytes) -> list[Glyph]:
    import pypdfium2
    import pypdfium2.raw as raw
    document = pypdfium2.PdfDocument(pdf)
    out = []
    try:
        for number, page in enumerate(document):
            height = page.get_height()
            text = page.get_textpage()
            x, y = ctypes.c_double(), ctypes.c_double()
            for index in range(text.count_chars()):
                char = chr(raw.FPDFText_GetUnicode(text.raw, index))
                if raw.FPDFText_IsGenerated(text.raw, index) or char.isspace():
                    continue
                left, bottom, right, top = text.get_charbox(index)
                if right - left <= 0 or top - bottom <= 0:
                    continue
                raw.FPDFText_GetCharOrigin(text.raw, index, ctypes.byref(x), ctypes.byref(y))
                out.append(Glyph(number, char, left / PT_PER_MM, (height - top) / PT_PER_MM,
                                 right / PT_PER_MM, (height - bottom) / PT_PER_MM, (height - y.value) / PT_PER_MM))
    finally:
        document.close()
    return out


def page_text(pdf: bytes) -> list[str]:
    import pypdfium2
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def _overlap(a: Glyph, b: Glyph) -> bool:
    slack = TOLERANCE / PT_PER_MM
    return (a.left < b.right - slack and b.left < a.right - slack and a.top < b.bottom - slack
            and b.top < a.bottom - slack)


def by_badge(found: list[Glyph], layout_key: str) -> dict[tuple[int, int], list[Glyph]]:
    """Glyphs grouped by (page, cell) from where their baseline starts."""
    layout = LAYOUTS[layout_key]
    margin_x, margin_y = layout.margins
    cells: dict[tuple[int, int], list[Glyph]] = {}
    for glyph in found:
        col = int((glyph.left + 0.01 - margin_x) // layout.cell[0])
        row = int((glyph.baseline - 0.01 - margin_y) // layout.cell[1])
        cells.setdefault((glyph.page, row * layout.cols + col), []).append(glyph)
    return cells


def problems(pdf: bytes, layout_key: str) -> list[str]:
    layout = LAYOUTS[layout_key]
    spots = frame(layout)
    band = 9.0 if layout.shape == "portrait" else 6.5
    margin_x, margin_y = layout.margins
    out = []
    for (page, cell), found in by_badge(glyphs(pdf), layout_key).items():
        x0 = margin_x + (cell % layout.cols) * layout.cell[0]
        y0 = margin_y + (cell // layout.cols) * layout.cell[1]
        where = f"page {page + 1} badge {cell + 1}"
        qr = Glyph(page, "", x0 + spots.qr_left, y0 + spots.qr_top, x0 + spots.qr_left + layout.qr_mm,
                   y0 + spots.qr_top + layout.qr_mm, 0)
        lines: dict[float, list[Glyph]] = {}
        for glyph in found:
            if not (x0 - 0.01 <= glyph.left and glyph.right <= x0 + layout.cell[0] + 0.01
                    and y0 - 0.01 <= glyph.top and glyph.bottom <= y0 + layout.cell[1] + 0.01):
                out.append(f"{where}: {glyph.char!r} outside the badge")
            if glyph.baseline > y0 + band:  # not the band's own label
                if glyph.top < y0 + band - 0.01:
                    out.append(f"{where}: {glyph.char!r} over the colour band")
                if _overlap(glyph, qr):
                    out.append(f"{where}: {glyph.char!r} over the QR code")
            key = next((b for b in lines if abs(b - glyph.baseline) < 0.05), glyph.baseline)
            lines.setdefault(key, []).append(glyph)
        baselines = sorted(lines)
        for i, upper in enumerate(baselines):
            for lower in baselines[i + 1:]:
                clash = next(((a, b) for a in lines[upper] for b in lines[lower] if _overlap(a, b)), None)
                if clash:
                    out.append(f"{where}: {clash[0].char!r} (line at {upper:.1f} mm) touches {clash[1].char!r} "
                               f"(line at {lower:.1f} mm)")
    return out
