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
from sqlalchemy import select

from tests.i18n import (LANGUAGES, PLACEHOLDER, ROOT, english_leftovers, english_words, raw_codes, snake_case,
                        untranslated, visible_text)


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


# ------------------------------------------------------------------------------------------------ rendered

@pytest.fixture
def rendered(app, db):
    """The public and attendee pages and the attendee's mails, rendered as a German or Dutch reader gets them."""
    from app.mail import OutboxMessage, memory_outbox
    from tests.factories import make_event, make_session, registration_form

    def render(lang: str) -> dict[str, str]:
        event = make_event(title="Tag der Talente", description="Für alle.", venue="Haus 1", languages=["de", "nl"])
        session = make_session(event, title="CV-Werkstatt", room="Raum 1", speakers="Dr. Ada Lovelace")
        make_session(event, offset_minutes=120, title="Karriere-Café", capacity=1)
        client = app.test_client()
        pages = {}
        for path in ("/", f"/e/{event.slug}/", f"/e/{event.slug}/s/{session.id}", f"/e/{event.slug}/register",
                     f"/e/{event.slug}/privacy"):
            pages[path] = client.get(f"{path}?lang={lang}").get_data(as_text=True)
        form = registration_form("lea@example.org", sessions=[session], locale=lang, full_name="Lea Kim",
                                 university="HHU", field_of_study="Chemie")
        response = client.post(f"/e/{event.slug}/register", data=form)
        assert response.status_code == 302, visible_text(response.get_data(as_text=True))[:2000]
        pages["registered"] = client.get(response.headers["Location"]).get_data(as_text=True)
        confirm = db.session.scalars(select(OutboxMessage)).one()
        token = re.search(r"/r/([A-Za-z0-9_-]{20,64})/confirm", confirm.body_text).group(1)
        client.get(f"/r/{token}/confirm")
        for path in (f"/r/{token}", f"/r/{token}/profile", f"/r/{token}/cancel", f"/r/{token}/delete"):
            pages[path] = client.get(path).get_data(as_text=True)
        pages["login"] = client.get("/console/", follow_redirects=True).get_data(as_text=True)
        texts = {path: visible_text(html) for path, html in pages.items()}
        for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
            texts[f"mail {message.template}"] = f"{message.subject}\n{message.body_text}"
        memory_outbox().clear()
        return texts
    return render


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_and_mails_have_no_english_leftovers_or_raw_codes(rendered, lang):
    texts = rendered(lang)
    assert {"mail confirm_registration", "mail registration_confirmed"} <= set(texts)
    problems = {where: untranslated(text, lang) for where, text in texts.items()}
    problems = {where: found for where, found in problems.items() if found}
    assert not problems, f"untranslated in {lang}: {problems}"


def test_the_checks_see_english_and_codes():
    """The checks themselves: English text and a raw code are found, translated text is not."""
    assert english_leftovers("Bitte. Please log in to access this page.", "de") == [
        "Please log in to access this page"]
    assert raw_codes("Deutsch: native, Status: waitlisted", "de") == ["native", "waitlisted"]
    assert raw_codes("Deutsch: Muttersprache", "de") == []
    assert english_words("Anmeldungen: 3 waiting, Registrations", "de") == ["Registrations", "waiting"]
    assert english_words("Anmeldungen: 3 Warteliste, ana.smith@example.org", "de") == []
    assert snake_case("Spalte registered_at, Datei badge_sheet.pdf") == ["registered_at"]
    assert untranslated("Anmeldungen am 3. Mai", "de") == {}
