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
    """Memory of a process and all its descendants (Linux /proc): the sum of their PSS, so that pages shared
    by forked workers (WeasyPrint's code, fonts) count once, not once per process."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss_kb(pid)
        stack.extend(children.get(pid, []))
    return total


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


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


def _cpu_seconds() -> float:
    """User + system CPU of this process and its finished children."""
    import resource
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cards(n: int) -> list[dict]:
    from app.text import latin
    from badges import tokens
    out = []
    for i in range(n):
        name = NAMES[i % len(NAMES)]
        body = "".join(tokens.ALPHABET[(i * 7 + j * 13) % 32] for j in range(tokens.BODY_LENGTH))
        out.append({"badge_id": i, "token": body + tokens.check_character(body), "printed_name": name.split(" ")[0],
                    "full_name": name, "organisation": "HHU Düsseldorf", "role": ["attendee", "employer",
                    "staff", "speaker"][i % 4], "event_title": "Düsseldorf meets international talents",
                    "event_date": "12.03.2027", "sort_key": name, "latin_name": latin(name)})
    return out


def baseline(items: list[dict]) -> bytes:
    from weasyprint import CSS, HTML

    from app.pdf import FONT_CSS, qr_svg
    from html import escape
    body = "".join(f'<div class="b"><p>{escape(c["full_name"])}</p>{qr_svg(c["token"], size_mm=25)}</div>'
                   for c in items)
    html = ("<html><head><style>@page{size:A4;margin:10mm 15mm}body{margin:0}.b{float:left;width:89mm;height:54.5mm;"
            "overflow:hidden}p{font-size:20pt;margin:2mm}</style></head><body>"
            f"{body}</body></html>")
    return HTML(string=html).write_pdf(stylesheets=[CSS(string=FONT_CSS)])


def measure(label: str, func) -> dict:
    import gc
    gc.collect()
    cpu_before = _cpu_seconds()
    with PeakMemory() as memory:
        start = time.perf_counter()
        pdf = func()
        seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    from pypdf import PdfReader
    import io
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    result = {"label": label, "seconds": seconds, "cpu": cpu, "pages": pages, "pages_per_s": pages / seconds,
              "peak_mb": memory.peak_kb / 1024, "size_mb": len(pdf) / 1e6}
    print(f"{label:<34} {seconds:7.2f} s  (CPU {cpu:6.1f} s)  {pages:4d} pages  {pages / seconds:6.1f} pages/s  "
          f"peak {memory.peak_kb / 1024:6.0f} MB  {len(pdf) / 1e6:5.2f} MB PDF", flush=True)
    return result


VARIANTS = ("baseline", "one", "parallel")


def run_variant(variant: str, args) -> dict:
    """One measurement, in this (fresh) process: nothing left over from another run inflates its memory."""
    from badges.render import render_cards
    items = cards(args.badges)
    if variant == "baseline":
        return measure("baseline: plain WeasyPrint, 1 proc", lambda: baseline(items))
    if variant == "one":
        return measure("badges.render, 1 process", lambda: render_cards(items, args.layout, LABELS, processes=1))
    return measure(f"badges.render, {args.processes} processes",
                   lambda: render_cards(items, args.layout, LABELS, processes=args.processes,
                                        start_method="fork"))


def main() -> None:
    import json
    import subprocess
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=1000)
    parser.add_argument("--layout", default="2x5")
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print("RESULT " + json.dumps(run_variant(args.variant, args)), flush=True)
        return
    print(f"{args.badges} badges, layout {args.layout}, {args.processes} processes, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} before the run; each line runs in a fresh process")
    results = {}
    for variant in VARIANTS:
        out = subprocess.run([sys.executable, __file__, "--variant", variant, "--badges", str(args.badges),
                              "--layout", args.layout, "--processes", str(args.processes)],
                             capture_output=True, text=True, timeout=900, check=True).stdout
        for line in out.splitlines():
            if line.startswith("RESULT "):
                results[variant] = json.loads(line[7:])
            else:
                print(line, flush=True)
    base, one, ours = results["baseline"], results["one"], results["parallel"]
    print(f"load average {os.getloadavg()[0]:.1f} after the run (other work on the machine slows every line)")
    print(f"speed-up vs baseline: {base['seconds'] / ours['seconds']:.2f}x "
          f"(single process: {base['seconds'] / one['seconds']:.2f}x); peak {ours['peak_mb']:.0f} MB "
          f"({'under' if ours['peak_mb'] < 500 else 'OVER'} 500 MB)")


if __name__ == "__main__":
    main()
