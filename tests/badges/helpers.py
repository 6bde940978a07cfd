"""Helpers for the badge tests: a welcome day happening now, device tokens, PDF → tokens, glyph coverage."""
from __future__ import annotations

import io
import re
import secrets
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from app.extensions import db
from badges.door import devices
from tests.factories import make_event


def live_event(**fields):
    """A welcome day that started an hour ago and is open for check-in (and still for registration)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    values = dict(starts_at=now - timedelta(hours=1), registration_closes_at=now + timedelta(hours=6))
    values.update(fields)
    event = make_event(**values)
    event.ends_at = event.starts_at + timedelta(hours=8)
    db.session.commit()
    return event


def staff_user(event, email: str, role, password: str = "door-password-123", name: str = "Door Person"):
    """A user with ``role`` (an EventRoleKind) at ``event`` (None: no role), committed."""
    from app.accounts.models import EventRole, User
    user = User(email=email, name=name)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if event is not None:
        db.session.add(EventRole(user_id=user.id, event_id=event.id, role=role))
    db.session.commit()
    return user


def device_token(event, name="Scanner 1") -> str:
    _device, secret = devices.create_device(event, name, user_id=None)
    return secret


def api_scan(client, secret, token, door="main", nonce=None, **extra):
    nonce = secrets.token_hex(8) if nonce is None else nonce
    body = {"token": token, "door": door, "nonce": nonce, **extra}
    return client.post("/api/v1/checkin", json=body, headers={"Authorization": f"Bearer {secret}"})


def decode_pdf_qr(pdf: bytes, scale: float = 4) -> list[str]:
    """Rasterise every page (pdfium) and decode every QR code on it (zxing-cpp), in page order."""
    import pypdfium2
    import zxingcpp
    document = pypdfium2.PdfDocument(pdf)
    found = []
    try:
        for page in document:
            image = page.render(scale=scale).to_pil()
            results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            # reading order: top to bottom, then left to right
            results.sort(key=lambda r: (round(r.position.top_left.y / 50), r.position.top_left.x))
            found += [r.text for r in results]
    finally:
        document.close()
    return found


# ------------------------------------------------------------------------------------------------ glyphs

@lru_cache(maxsize=1)
def _system_fonts() -> dict[str, tuple[str, int]]:
    """PostScript name -> (file, index) of every installed font (fontconfig)."""
    out = subprocess.run(["fc-list", "--format", "%{postscriptname}|%{file}|%{index}\n"],
                         capture_output=True, text=True, check=True).stdout
    fonts = {}
    for line in out.splitlines():
        name, path, index = line.split("|")
        fonts.setdefault(name, (path, int(index or 0)))
    return fonts


@lru_cache(maxsize=64)
def _system_cmap(postscript_name: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont
    path, index = _system_fonts()[postscript_name]
    font = TTFont(path, fontNumber=index, lazy=True)
    return frozenset(font.getBestCmap())


def _to_unicode(cmap_text: str) -> dict[int, str]:
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap_text, re.S):
        for gid, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(gid, 16)] = bytes.fromhex(uni).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap_text, re.S):
        for lo, hi, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(uni, 16)
            for offset, gid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[gid] = chr(start + offset)
    return mapping


def glyph_sources(pdf: bytes) -> list[tuple[str, int, str, bool]]:
    """Every glyph drawn: (font's PostScript name, glyph id, the text it stands for, does that font have it).

    The embedded subset's name table gives the font's PostScript name; fontconfig gives its file; the
    original font's cmap says whether it covers each character. A missing glyph (an empty box, drawn from
    a fallback glyph of a font that lacks the character) shows up as ``False``.
    """
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(pdf))
    seen = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = (descriptor.get("/FontFile2") or descriptor.get("/FontFile3")).get_object().get_data()
            ps_name = TTFont(io.BytesIO(program))["name"].getDebugName(6)
            cmap = _system_cmap(ps_name)
            for gid, text in _to_unicode(font["/ToUnicode"].get_object().get_data().decode("latin-1")).items():
                covered = gid != 0 and all(ord(ch) in cmap for ch in text)
                seen[(ps_name, gid, text)] = covered
    return [(name, gid, text, ok) for (name, gid, text), ok in seen.items()]


def have_poppler() -> bool:
    return shutil.which("fc-list") is not None
