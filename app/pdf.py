"""PDF documents with WeasyPrint: one safe renderer, one font chain for every script, one cache.

- ``render_pdf(html)``: WeasyPrint with a restricted URL fetcher: only ``data:`` URIs and the app's own static
  files; no ``file:`` and no outside URLs, whatever a name or an abstract contains.
- ``FONT_STACK``: the fallback chain. fontconfig picks a font per glyph, so a badge can mix Latin, Arabic and
  Chinese; templates should also set ``lang`` and ``dir="auto"`` on names so shaping and direction are right.
- ``qr_svg(data)``: an inline SVG QR code (crisp at any size, fast for WeasyPrint).
- ``cached(kind, key, build)``: keep rendered files in the document store (app/storage.py: the local disk, the
  shared database or S3), keyed by a fingerprint of what went into them, so no web request waits twice for the
  same big document, whichever node rendered it.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

import qrcode
import qrcode.image.svg
from flask import current_app

from app import storage
from app.storage import StoredDocument

# Noto for every script the welcome days meet; the CJK faces are named per language so that Han characters take
# the right regional forms (pass lang="ja"/"ko"/"zh"/"zh-Hant" on the element). Emoji are not named: Pango
# recognises emoji sequences itself and asks fontconfig for a colour font (Noto Color Emoji, Debian's
# fonts-noto-color-emoji, installed by `make`); naming it here made Pango draw the narrow no-break space of
# "9:00 AM" from it, as an empty box.
FONT_STACK = ", ".join(f'"{name}"' for name in [
    "Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans Devanagari", "Noto Sans Bengali",
    "Noto Sans Tamil", "Noto Sans Thai", "Noto Sans Ethiopic", "Noto Sans Armenian", "Noto Sans Georgian",
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK TC", "DejaVu Sans",
]) + ", sans-serif"

FONT_CSS = f"""
html {{ font-family: {FONT_STACK}; }}
:lang(ja) {{ font-family: "Noto Sans CJK JP", {FONT_STACK}; }}
:lang(ko) {{ font-family: "Noto Sans CJK KR", {FONT_STACK}; }}
:lang(zh) {{ font-family: "Noto Sans CJK SC", {FONT_STACK}; }}
:lang(zh-Hant), :lang(zh-TW), :lang(zh-HK) {{ font-family: "Noto Sans CJK TC", {FONT_STACK}; }}
"""


class BlockedURL(ValueError):
    pass


def safe_url_fetcher(url: str, *args, **kwargs):
    """Only data: URIs and files under the app's static folder; everything else is refused."""
    # WeasyPrint loads only where a PDF is made (jobs, the CLI): it costs the web process a second and much memory.
    from weasyprint.urls import default_url_fetcher
    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    static_prefix = "static:"
    if url.startswith(static_prefix):
        root = Path(current_app.static_folder).resolve()
        target = (root / url[len(static_prefix):].lstrip("/")).resolve()
        if root in target.parents and target.is_file():
            return {"string": target.read_bytes(), "filename": target.name}
    raise BlockedURL(f"blocked URL in a PDF template: {url[:80]}")


def render_pdf(html: str, *, stylesheets: list[str] | None = None) -> bytes:
    # WeasyPrint loads only where a PDF is made (jobs, the CLI): it costs the web process a second and much memory.
    from weasyprint import CSS, HTML
    css = [CSS(string=FONT_CSS)] + [CSS(string=s) for s in (stylesheets or [])]
    return HTML(string=html, url_fetcher=safe_url_fetcher, base_url="static:/").write_pdf(stylesheets=css)


def qr_svg(data: str, *, error_correction: str = "Q", size_mm: float | None = None) -> str:
    """An inline <svg> QR code; alphanumeric data (uppercase base32) gives the smallest code."""
    level = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
             "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}[error_correction]
    qr = qrcode.QRCode(error_correction=level, border=4, image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(qrcode.util.QRData(data, mode=qrcode.util.MODE_ALPHA_NUM) if _alnum(data) else data)
    qr.make(fit=True)
    image = qr.make_image()
    svg = image.to_string(encoding="unicode")
    if size_mm is not None:
        svg = svg.replace("<svg ", f'<svg style="width:{size_mm}mm;height:{size_mm}mm" ', 1)
    return svg[svg.index("<svg"):]  # drop the XML declaration: the SVG goes inline into HTML


_ALNUM = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def _alnum(data: str) -> bool:
    return bool(data) and set(data) <= _ALNUM


def fingerprint(*parts) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


def cached(kind: str, key: str, build: Callable[[], bytes], suffix: str = ".pdf") -> StoredDocument:
    """The stored document for (kind, key), built and stored when missing."""
    name = f"{kind}/{key}{suffix}"
    found = storage.get(name)
    if found is None:
        found = storage.put(name, build())
    return found


def cached_document(kind: str, key: str, suffix: str = ".pdf") -> StoredDocument | None:
    return storage.get(f"{kind}/{key}{suffix}")
