"""Badge PDFs: one badge (A6, 90×55 mm) or sheets of many on A4 label layouts, with cut marks.

One WeasyPrint document per batch (far faster than one per badge). A big batch is cut at page boundaries into
chunks of about 100 badges (bounded memory), rendered by a few worker processes, each building its HTML (QR
codes included) and rendering it; pypdf joins the parts in order. The template needs no request and no
translation at render time (labels come in as values), so a chunk renders in a process without the app.

QR codes are drawn as the outline of their dark regions, one SVG path of a few hundred H/V steps instead of
four per module: smaller PDFs and less work for WeasyPrint (which parses paths in Python), still crisp vectors.
"""
from __future__ import annotations

import io
import multiprocessing
import threading
from dataclasses import dataclass

from flask import Flask
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import paths
from app.pdf import render_pdf
from badges.typography import EMPTY, Box, Fitted, fit, name_lang

TEMPLATE_VERSION = "3"  # bump when the badge templates change: cached PDFs are keyed by it
A4 = (210.0, 297.0)


@dataclass(frozen=True)
class Layout:
    key: str
    page: tuple[float, float]      # mm
    cell: tuple[float, float]      # mm
    cols: int
    rows: int
    shape: str                     # "landscape" | "portrait"
    name_max_pt: float
    qr_mm: float

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    @property
    def sheet(self) -> bool:
        return self.per_page > 1

    @property
    def margins(self) -> tuple[float, float]:
        return ((self.page[0] - self.cols * self.cell[0]) / 2, (self.page[1] - self.rows * self.cell[1]) / 2)


LAYOUTS = {
    "a6": Layout("a6", (105, 148), (105, 148), 1, 1, "portrait", 40, 50),
    "90x55": Layout("90x55", (90, 55), (90, 55), 1, 1, "landscape", 26, 25),
    "2x4": Layout("2x4", A4, (95, 67), 2, 4, "landscape", 30, 30),
    "2x5": Layout("2x5", A4, (90, 55), 2, 5, "landscape", 26, 25),
}
ROLE_COLOURS = {"attendee": "#0b5fad", "employer": "#1a7f4b", "staff": "#c0392b", "speaker": "#7b3fa0"}


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR modules (error correction Q, quiet zone of 4); alphanumeric mode for an uppercase token."""
    import qrcode  # only processes that draw badges need the QR encoder
    from qrcode.util import MODE_ALPHA_NUM, QRData  # (see above)
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=4)
    alnum = set(data) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    qr.add_data(QRData(data, mode=MODE_ALPHA_NUM) if alnum else data)
    qr.make(fit=True)
    return qr.get_matrix()


def outline_path(matrix: list[list[bool]]) -> str:
    """The outlines of the dark regions as one path of H/V steps (fill-rule nonzero).

    Every dark module adds its four edges clockwise; an edge shared by two dark modules cancels, so what remains
    is the regions' boundaries (holes come out counter-clockwise). Chained into loops and with straight runs
    merged, a QR code needs a few hundred steps instead of four per module: WeasyPrint parses paths in Python.
    """
    edges: dict[tuple, tuple] = {}
    outgoing: dict[tuple, list] = {}
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                corners = ((x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1))
                for a, b in zip(corners, corners[1:] + corners[:1]):
                    if (b, a) in edges:
                        del edges[(b, a)]
                    else:
                        edges[(a, b)] = True
    for a, b in edges:
        outgoing.setdefault(a, []).append(b)
    parts = []
    while outgoing:
        start = next(iter(outgoing))
        points, at = [start], start
        while True:
            ends = outgoing[at]
            nxt = ends.pop()
            if not ends:
                del outgoing[at]
            at = nxt
            if at == start:
                break
            points.append(at)
        # keep only corners: drop points on a straight line between their neighbours
        corners = [p for i, p in enumerate(points)
                   if not (points[i - 1][0] == p[0] == points[(i + 1) % len(points)][0]
                           or points[i - 1][1] == p[1] == points[(i + 1) % len(points)][1])]
        steps = [f"M{corners[0][0]} {corners[0][1]}"]
        for prev, p in zip(corners, corners[1:]):
            steps.append(f"H{p[0]}" if p[1] == prev[1] else f"V{p[1]}")
        parts.append("".join(steps) + "Z")
    return "".join(parts)


def qr_path_svg(data: str, size_mm: float) -> str:
    """A QR code as a crisp vector: an inline SVG with one outline path."""
    matrix = qr_matrix(data)
    size = len(matrix)
    return (f'<svg class="qr" style="width:{size_mm}mm;height:{size_mm}mm" viewBox="0 0 {size} {size}" '
            f'xmlns="http://www.w3.org/2000/svg"><path fill="#000" d="{outline_path(matrix)}"/></svg>')


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(paths.TEMPLATES)), autoescape=select_autoescape(["html"]))


@dataclass(frozen=True)
class Frame:
    """Where the texts of a badge may go (mm, from the cell's top left): every box ends before the next thing."""
    name_top: float
    name: Box
    aside: Box            # full name, Latin spelling, organisation (beside the QR code on landscape badges)
    aside_bottom: float   # the footer's top, less a gap
    footer: Box
    footer_bottom: float
    qr_top: float
    qr_left: float


def frame(layout: Layout) -> Frame:
    width, height = layout.cell
    if layout.shape == "portrait":
        footer_bottom, band, name_top = 5.0, 9.0, 15.0
        footer = Box(width - 10, 6.0, 9, 6, max_lines=1)
        qr_top = height - footer_bottom - footer.height_mm - 3 - layout.qr_mm
        name = Box(width - 10, 40.0, layout.name_max_pt, round(layout.name_max_pt * 0.42, 1), weight=700)
        aside = Box(width - 10, 0, 11, 7)
        return Frame(name_top, name, aside, qr_top - 2, footer, footer_bottom, qr_top, (width - layout.qr_mm) / 2)
    footer_bottom, band, name_top = 3.0, 6.5, 9.0
    qr_top = height - 2.5 - layout.qr_mm
    column = width - 5 - (layout.qr_mm + 4)
    footer = Box(column, 4.0, 7, 5, max_lines=1)
    name = Box(width - 10, qr_top - 1 - name_top, layout.name_max_pt,
               max(11.0, round(layout.name_max_pt * 0.42, 1)), weight=700)
    return Frame(name_top, name, Box(column, 0, 11, 7), height - footer_bottom - footer.height_mm - 1, footer,
                 footer_bottom, qr_top, width - 2.5 - layout.qr_mm)


def _aside(card: dict, lang: str | None, box: Box, height_mm: float) -> list[tuple[str, Fitted]]:
    """The small lines under the name, all at one scale, as large as the room left allows."""
    texts = []
    if card["full_name"] != card["printed_name"]:
        texts.append(("full", card["full_name"], lang, 1.0, 3))
    if card.get("latin_name"):
        texts.append(("latin", card["latin_name"], None, 0.8, 2))
    if card["organisation"]:
        texts.append(("org", card["organisation"], name_lang(card["organisation"]), 0.85, 2))
    gaps = 0.8 * len(texts)
    for scale in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0):
        out = []
        for kind, text, text_lang, share, lines in texts:
            last = scale == 0  # the last resort: the full name whole, the rest on a line each
            size = Box(box.width_mm, max(0.1, height_mm - gaps), round(box.max_pt * share * (scale or 0.5), 1),
                       round(box.min_pt * share * (scale or 0.5), 1), max_lines=1 if last and kind != "full" else lines)
            out.append((kind, fit(text, size, lang=text_lang, floor_pt=size.min_pt)))
        if sum(f.height_mm for _, f in out) + gaps <= height_mm:
            return out
    return [(kind, f) for kind, f in out if f is not EMPTY and f.height_mm <= height_mm / len(out)]


def place_card(card: dict, layout: Layout) -> dict:
    """A card's texts fitted to the layout: the name as large as it fits, the rest in the room left."""
    spots = frame(layout)
    lang = name_lang(card["printed_name"] + card["full_name"], card.get("name_hint") or None)
    name = fit(card["printed_name"], spots.name, lang=lang, floor_pt=7.0)
    # the title isolated (FSI…PDI), as it was in its own dir="auto" span: an override in it cannot turn the date
    footer = fit(f"\u2068{card['event_title']}\u2069 · {card['event_date']}", spots.footer,
                 lang=name_lang(card["event_title"]), floor_pt=spots.footer.min_pt)
    aside_top = spots.name_top + name.height_mm + 1
    if layout.shape == "portrait":
        room = spots.qr_top - 2 - aside_top
    else:
        room = min(spots.aside_bottom, layout.cell[1] - spots.footer_bottom - footer.height_mm - 1) - aside_top
    return {"name": name, "aside": _aside(card, lang, spots.aside, room), "footer": footer,
            "name_top": spots.name_top}


def _positioned(cards: list[dict], layout: Layout) -> list[list[dict]]:
    """Cards in pages, each with its place (mm) and its texts fitted."""
    width, height = layout.cell
    margin_x, margin_y = layout.margins
    pages = []
    for start in range(0, len(cards), layout.per_page):
        page = []
        for i, card in enumerate(cards[start:start + layout.per_page]):
            col, row = i % layout.cols, i // layout.cols
            page.append({**card, **place_card(card, layout), "x": margin_x + col * width,
                         "y": margin_y + row * height, "colour": ROLE_COLOURS.get(card["role"], "#0b5fad"),
                         "qr": qr_path_svg(card["token"], layout.qr_mm)})
        pages.append(page)
    return pages


def cut_marks(layout: Layout) -> list[dict]:
    """Short lines in the page margins at every cell edge: they show where to cut, outside the badges."""
    if not layout.sheet:
        return []
    margin_x, margin_y = layout.margins
    marks = []
    length = min(margin_x, margin_y) - 2
    for c in range(layout.cols + 1):
        x = margin_x + c * layout.cell[0]
        marks += [{"x": x, "y": 1, "w": 0, "h": length},
                  {"x": x, "y": layout.page[1] - 1 - length, "w": 0, "h": length}]
    for r in range(layout.rows + 1):
        y = margin_y + r * layout.cell[1]
        marks += [{"x": 1, "y": y, "w": length, "h": 0},
                  {"x": layout.page[0] - 1 - length, "y": y, "w": length, "h": 0}]
    return marks


def build_html(cards: list[dict], layout_key: str, labels: dict) -> str:
    layout = LAYOUTS[layout_key]
    template = _environment().get_template("pdf/badges.html")
    spots, pages = frame(layout), _positioned(cards, layout)
    # one class per size, line-height and padding: a sheet has a few dozen, not a style attribute per text
    # (WeasyPrint parses each style attribute on its own)
    classes: dict[str, str] = {}
    for card in (card for page in pages for card in page):
        for fitted in [card["name"], card["footer"]] + [f for _, f in card["aside"]]:
            classes.setdefault(_css(fitted), f"s{len(classes)}")
    return template.render(layout=layout, pages=pages, marks=cut_marks(layout), labels=labels,
                           qr_at=(spots.qr_left, spots.qr_top), name_top=spots.name_top, classes=classes,
                           class_of=lambda fitted: classes[_css(fitted)])


def _css(fitted: Fitted) -> str:
    return (f"font-size:{fitted.size_pt}pt;line-height:{fitted.pitch_pt}pt;"
            f"padding:{fitted.pad_top_pt}pt 0 {fitted.pad_bottom_pt}pt")


def _render_html(html: str) -> bytes:
    # render_pdf's URL fetcher looks at the app's static folder; a bare app is enough in a worker process.
    bare = Flask("badges-render", static_folder=str(paths.STATIC))
    with bare.app_context():
        return render_pdf(html)


def render_chunk(cards: list[dict], layout_key: str, labels: dict) -> bytes:
    return _render_html(build_html(cards, layout_key, labels))


def _pool_context(start_method: str | None = None):
    if start_method:
        return multiprocessing.get_context(start_method)
    if threading.active_count() == 1:
        # the CLI, a benchmark: fork is safe and the workers start with fonts and WeasyPrint already loaded
        return multiprocessing.get_context("fork")
    # a web process or job thread: fork next to other threads can deadlock; forkserver workers fork from a
    # clean, single-threaded server that has WeasyPrint imported already.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["weasyprint", "badges.render", "app.pdf", "qrcode"])
    return ctx


def _render_chunk_args(args) -> bytes:
    return render_chunk(*args)


def render_cards(cards: list[dict], layout_key: str, labels: dict, *, processes: int = 1,
                 chunk_size: int = 100, start_method: str | None = None, progress=None) -> bytes:
    """One PDF of all cards, in order.

    More than ``chunk_size`` cards are rendered as documents of about that many (whole pages), which bounds
    memory (WeasyPrint keeps a whole document's boxes), spread over ``processes`` worker processes.
    """
    layout = LAYOUTS[layout_key]
    step = max(1, chunk_size // layout.per_page) * layout.per_page
    chunks = [cards[i:i + step] for i in range(0, len(cards), step)] or [[]]
    if len(chunks) == 1:
        return render_chunk(chunks[0], layout_key, labels)
    jobs = [(chunk, layout_key, labels) for chunk in chunks]
    parts = []
    if processes <= 1:
        results = (render_chunk(*job) for job in jobs)
        for part in results:
            parts.append(part)
            if progress:
                progress(min(len(cards), len(parts) * step), len(cards))
    else:
        with _pool_context(start_method).Pool(min(processes, len(chunks))) as pool:
            for part in pool.imap(_render_chunk_args, jobs):
                parts.append(part)
                if progress:
                    progress(min(len(cards), len(parts) * step), len(cards))
    return join_pdfs(parts)


def join_pdfs(parts: list[bytes]) -> bytes:
    from pypdf import PdfWriter  # only big batches, rendered in parts, need joining
    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
