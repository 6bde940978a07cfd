"""Benchmark: 1,000 badges into one A4 sheet PDF (2x5 layout, 100 pages), against a plain WeasyPrint baseline.

    /work/main/.venv/bin/python bench/badges.py [--badges 1000] [--layout 2x5] [--processes 2]

Baseline: one plain WeasyPrint document with the same names and 1,000 QR codes as qrcode's own SVG images
(app.pdf.qr_svg), one process. Ours: badges.render.render_cards (compact QR paths, chunks rendered in parallel
processes, joined with pypdf). Peak memory is the largest sum of resident memory over this process and its
children, sampled every 20 ms.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NAMES = ["Ngozi Okafor", "Zoë Ångström-Łukasiewicz", "Алексей Смирнов", "Γιώργος Παπαδόπουλος",
         "محمد عبد الرحمن", "דוד כהן", "अनन्या शर्मा", "অনির্বাণ চক্রবর্তী", "王小明", "山田 太郎", "김민준",
         "สมชาย ใจดี", "አበበ ቢቂላ", "María José Fernández", "Nguyễn Thị Minh Khai", "Maximiliano Alejandro de la Cruz"]
LABELS = {"title": "Badges", "roles": {"attendee": "Attendee", "employer": "Employer", "staff": "Staff",
                                       "speaker": "Speaker"}}


def _tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields["PPid"]), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


class PeakMemory:
    def __init__(self):
        self.peak_kb = 0
        self._stop = threading.Event()

    def __enter__(self):
        self.peak_kb = _tree_rss_kb(os.getpid())
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def cards(n: int) -> list[dict]:
    from badges import tokens
    out = []
    for i in range(n):
        name = NAMES[i % len(NAMES)]
        body = "".join(tokens.ALPHABET[(i * 7 + j * 13) % 32] for j in range(tokens.BODY_LENGTH))
        out.append({"badge_id": i, "token": body + tokens.check_character(body), "printed_name": name.split(" ")[0],
                    "full_name": name, "organisation": "HHU Düsseldorf", "role": ["attendee", "employer",
                    "staff", "speaker"][i % 4], "event_title": "Düsseldorf meets international talents",
                    "event_date": "12.03.2027", "sort_key": name})
    return out


def baseline(items: list[dict]) -> bytes:
    from weasyprint import CSS, HTML

    from app.pdf import FONT_CSS, qr_svg
    from html import escape
    body = "".join(f'<div class="b"><p>{escape(c["full_name"])}</p>{qr_svg(c["token"], size_mm=25)}</div>'
                   for c in items)
    html = ("<html><head><style>@page{size:A4;margin:11mm 15mm}.b{display:inline-block;width:88mm;height:55mm;"
            "overflow:hidden;vertical-align:top}p{font-size:20pt;margin:2mm}</style></head><body>"
            f"{body}</body></html>")
    return HTML(string=html).write_pdf(stylesheets=[CSS(string=FONT_CSS)])


def measure(label: str, func) -> dict:
    import gc
    gc.collect()
    with PeakMemory() as memory:
        start = time.perf_counter()
        pdf = func()
        seconds = time.perf_counter() - start
    from pypdf import PdfReader
    import io
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    result = {"label": label, "seconds": seconds, "pages": pages, "pages_per_s": pages / seconds,
              "peak_mb": memory.peak_kb / 1024, "size_mb": len(pdf) / 1e6}
    print(f"{label:<34} {seconds:7.2f} s  {pages:4d} pages  {pages / seconds:6.1f} pages/s  "
          f"peak {memory.peak_kb / 1024:6.0f} MB  {len(pdf) / 1e6:5.2f} MB PDF", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=1000)
    parser.add_argument("--layout", default="2x5")
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    from badges.render import render_cards
    items = cards(args.badges)
    print(f"{args.badges} badges, layout {args.layout}, {args.processes} processes, {os.cpu_count()} CPUs")
    base = measure("baseline: plain WeasyPrint, 1 proc", lambda: baseline(items))
    one = measure("badges.render, 1 process", lambda: render_cards(items, args.layout, LABELS, processes=1))
    ours = measure(f"badges.render, {args.processes} processes",
                   lambda: render_cards(items, args.layout, LABELS, processes=args.processes))
    print(f"speed-up vs baseline: {base['seconds'] / ours['seconds']:.2f}x "
          f"(single process: {base['seconds'] / one['seconds']:.2f}x); peak {ours['peak_mb']:.0f} MB "
          f"({'under' if ours['peak_mb'] < 500 else 'OVER'} 500 MB)")


if __name__ == "__main__":
    main()
