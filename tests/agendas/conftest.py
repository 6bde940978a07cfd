"""Helpers for the agenda tests: a second iCalendar parser (ical.js under Node) and PDF text extraction."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ICAL_JS = Path(__file__).parent / "ical_js"


@pytest.fixture(scope="session")
def ical_js():
    """A function parsing .ics bytes with ical.js (Mozilla's calendar parser); skips when Node/npm are missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("ical.js check skipped: node and npm are needed (apt-get install nodejs npm)")
    if not (ICAL_JS / "node_modules" / "ical.js").exists():
        command = [npm, "ci" if (ICAL_JS / "package-lock.json").exists() else "install", "--no-audit", "--no-fund"]
        result = subprocess.run(command, cwd=ICAL_JS, capture_output=True, text=True, timeout=180)
        if result.returncode != 0:
            pytest.skip(f"ical.js check skipped: `{' '.join(command[1:])}` failed: {result.stderr[-400:]}")

    def parse(body: bytes) -> list[dict]:
        result = subprocess.run([node, str(ICAL_JS / "parse.mjs")], input=body, capture_output=True, timeout=60)
        assert result.returncode == 0, result.stderr.decode()
        return json.loads(result.stdout)["events"]

    return parse


def pdf_text(data: bytes) -> str:
    """The PDF's text, whitespace normalised (babel's times use narrow no-break spaces)."""
    from pypdf import PdfReader
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[ \t\u00a0\u202f]+", " ", text)


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader
    return [re.sub(r"[ \t\u00a0\u202f]+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]
