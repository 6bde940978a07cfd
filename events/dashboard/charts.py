"""A tiny server-side SVG chart helper: horizontal bars, columns and lines, with axis labels and <title>s.

No script, no web font, no network: the dashboard works offline at the venue. Colours come from CSS classes
(static/css/console.css), so the charts follow the page's palette; every chart is an ``role="img"`` with a title
and a text description, and every bar or point has its own <title> (a tooltip, and read by screen readers).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from markupsafe import Markup, escape

_ids = itertools.count(1)


@dataclass
class Segment:
    value: float
    css: str  # e.g. "c1", "c2", "warn"
    label: str  # for the tooltip: "12 seats taken"


@dataclass
class Bar:
    label: str
    segments: list[Segment]
    marker: float | None = None  # e.g. the capacity, drawn as a line across the bar
    note: str = ""  # text after the bar, e.g. "18/20 · 4 waiting"


@dataclass
class Series:
    name: str
    points: list[tuple[float, float]]
    css: str = "c1"
    dashed: bool = False


@dataclass
class Chart:
    title: str
    description: str
    width: int = 640
    height: int = 240
    parts: list[str] = field(default_factory=list)

    def render(self) -> Markup:
        n = next(_ids)
        head = (f'<svg class="chart" viewBox="0 0 {self.width} {self.height}" role="img" '
                f'aria-labelledby="chart{n}-t chart{n}-d" xmlns="http://www.w3.org/2000/svg">'
                f'<title id="chart{n}-t">{escape(self.title)}</title><desc id="chart{n}-d">'
                f'{escape(self.description)}</desc>')
        return Markup(head + "".join(self.parts) + "</svg>")


def _scale(value: float, ticks: int = 4) -> tuple[int, int]:
    """The axis's top and its step between ticks: whole numbers of 1, 2 or 5 × 10^n, at most ``ticks`` steps,
    so that every tick reads as a count (never 62.5 registrations)."""
    if value <= 0:
        return 1, 1
    step = 1
    while step * ticks < value:
        for factor in (2, 2.5, 2):  # 1 → 2 → 5 → 10 → 20 → 50 …
            step = int(step * factor)
            if step * ticks >= value:
                break
    return step * math.ceil(value / step), step


def _ticks(top: int, step: int) -> list[int]:
    return list(range(0, top + 1, step))


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hbar_chart(title: str, description: str, bars: list[Bar], *, width: int = 640, label_width: int = 220,
               note_width: int = 130, row: int = 26, unit: str = "", label_chars: int = 30) -> Markup:
    height = max(row * len(bars) + 30, 60)
    chart = Chart(title, description, width, height)
    plot = width - label_width - note_width
    top = max((sum(s.value for s in b.segments) for b in bars), default=0)
    top, step = _scale(max([top] + [b.marker or 0 for b in bars]))
    for i, bar in enumerate(bars):
        y = 6 + i * row
        chart.parts.append(f'<text class="label" x="{label_width - 8}" y="{y + row / 2 + 4:.1f}" '
                           f'text-anchor="end">{escape(_short(bar.label, label_chars))}<title>{escape(bar.label)}</title>'
                           f'</text>')
        x = float(label_width)
        for seg in bar.segments:
            w = plot * seg.value / top
            if w > 0:
                chart.parts.append(f'<rect class="{seg.css}" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" '
                                   f'height="{row - 8}" rx="2"><title>{escape(bar.label)}: {escape(seg.label)}'
                                   f'</title></rect>')
            x += w
        if bar.marker:
            mx = label_width + plot * bar.marker / top
            chart.parts.append(f'<line class="marker" x1="{mx:.1f}" x2="{mx:.1f}" y1="{y}" y2="{y + row - 2}"/>')
        chart.parts.append(f'<text class="note" x="{width - note_width + 6}" y="{y + row / 2 + 4:.1f}">'
                           f'{escape(bar.note)}</text>')
    base = 6 + len(bars) * row
    chart.parts.append(f'<line class="axis" x1="{label_width}" x2="{label_width + plot}" y1="{base}" '
                       f'y2="{base}"/>')
    for value in _ticks(top, step):
        x = label_width + plot * value / top
        chart.parts.append(f'<text class="tick" x="{x:.1f}" y="{base + 16}" text-anchor="middle">'
                           f'{value}{unit}</text>')
    return chart.render()


def column_chart(title: str, description: str, columns: list[tuple[str, float]], *, width: int = 640,
                 height: int = 220, y_label: str = "", every: int = 1) -> Markup:
    chart = Chart(title, description, width, height)
    left, bottom, top_pad = 44, 36, 12
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top, tick = _scale(max((v for _l, v in columns), default=0))
    step = plot_w / max(len(columns), 1)
    for value in _ticks(top, tick):
        y = top_pad + plot_h - plot_h * value / top
        chart.parts.append(f'<line class="grid" x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}"/>'
                           f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                           f'{value}</text>')
    for i, (label, value) in enumerate(columns):
        h = plot_h * value / top
        x = left + i * step
        chart.parts.append(f'<rect class="c1" x="{x + 1:.1f}" y="{top_pad + plot_h - h:.1f}" '
                           f'width="{max(step - 2, 1):.1f}" height="{h:.1f}"><title>{escape(label)}: '
                           f'{_fmt(value)}</title></rect>')
        if i % every == 0:
            chart.parts.append(f'<text class="tick" x="{x + step / 2:.1f}" y="{height - bottom + 16}" '
                               f'text-anchor="middle">{escape(label)}</text>')
    chart.parts.append(f'<line class="axis" x1="{left}" x2="{width - 10}" y1="{top_pad + plot_h}" '
                       f'y2="{top_pad + plot_h}"/>')
    if y_label:
        chart.parts.append(f'<text class="axis-label" x="12" y="{top_pad + plot_h / 2:.1f}" '
                           f'transform="rotate(-90 12 {top_pad + plot_h / 2:.1f})" text-anchor="middle">'
                           f'{escape(y_label)}</text>')
    return chart.render()


def line_chart(title: str, description: str, series: list[Series], *, x_label: str = "", y_label: str = "",
               width: int = 640, height: int = 240, x_ticks: list[tuple[float, str]] | None = None) -> Markup:
    chart = Chart(title, description, width, height)
    left, right, bottom, top_pad = 48, 16, 44, 28
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    xs = [x for s in series for x, _y in s.points] or [0, 1]
    x_min, x_max = min(xs), max(xs)
    if x_max == x_min:
        x_max = x_min + 1
    top, tick = _scale(max((y for s in series for _x, y in s.points), default=0))

    def px(x: float) -> float:
        return left + plot_w * (x - x_min) / (x_max - x_min)

    def py(y: float) -> float:
        return top_pad + plot_h - plot_h * y / top

    for value in _ticks(top, tick):
        y = py(value)
        chart.parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                           f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                           f'{value}</text>')
    for x, label in x_ticks or []:
        if not x_min <= x <= x_max:
            continue
        chart.parts.append(f'<text class="tick" x="{px(x):.1f}" y="{top_pad + plot_h + 16}" '
                           f'text-anchor="middle">{escape(label)}</text>')
    chart.parts.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{top_pad + plot_h}" '
                       f'y2="{top_pad + plot_h}"/>')
    for i, s in enumerate(series):
        if not s.points:
            continue
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in s.points)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        chart.parts.append(f'<polyline class="line {s.css}" fill="none" points="{path}"{dash}>'
                           f'<title>{escape(s.name)}</title></polyline>')
        last_x, last_y = s.points[-1]
        chart.parts.append(f'<circle class="{s.css}" cx="{px(last_x):.1f}" cy="{py(last_y):.1f}" r="3.5">'
                           f'<title>{escape(s.name)}: {_fmt(last_y)}</title></circle>')
        lx = left + 8 + i * 190
        chart.parts.append(f'<line class="line {s.css}" x1="{lx}" x2="{lx + 22}" y1="12" y2="12"{dash}/>'
                           f'<text class="legend" x="{lx + 28}" y="16">{escape(_short(s.name, 26))}</text>')
    if x_label:
        chart.parts.append(f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{height - 6}" '
                           f'text-anchor="middle">{escape(x_label)}</text>')
    if y_label:
        chart.parts.append(f'<text class="axis-label" x="12" y="{top_pad + plot_h / 2:.1f}" '
                           f'transform="rotate(-90 12 {top_pad + plot_h / 2:.1f})" text-anchor="middle">'
                           f'{escape(y_label)}</text>')
    return chart.render()
