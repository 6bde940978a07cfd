"""Every string the application shows is translated into German and Dutch.

Extracts the strings with Babel (the same configuration as ``make translations-update``) into a temporary
template and compares it with translations/<lang>/LC_MESSAGES/messages.po: every msgid needs a non-empty,
non-fuzzy msgstr (all plural forms), with the same %(placeholders)s as the English text.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("de", "nl")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    pot = tmp_path_factory.mktemp("babel") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "--no-location", "--omit-header", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "-k", "ngettext:1,2", "-o", str(pot), "."], cwd=ROOT, check=True,
                   capture_output=True)
    with pot.open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_is_translated(template, lang):
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"{path} is missing: run make translations-update"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    missing, wrong = [], []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        english = message.id if isinstance(message.id, str) else message.id[0]
        strings = [] if found is None else (list(found.string) if isinstance(found.string, (list, tuple))
                                            else [found.string])
        if found is None or found.fuzzy or not strings or not all(strings):
            missing.append(english)
            continue
        expected = set(PLACEHOLDER.findall(english))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) - expected - {"num"}:
                wrong.append(f"{english!r} -> {text!r}")
    report = "\n".join(f"  msgid {m!r}" for m in missing)
    assert not missing, (f"{len(missing)} strings have no {lang} translation (run make translations-update, "
                         f"then translate them in translations/{lang}/LC_MESSAGES/messages.po):\n{report}")
    assert not wrong, "placeholders that the English text does not have:\n" + "\n".join(wrong)
