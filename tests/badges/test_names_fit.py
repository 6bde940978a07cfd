"""Names that fit, read back from the printed PDF: 300 names in 15 scripts and 70-character ones on every layout;
every glyph's box (pdfium) stays inside its badge, off the colour band and the QR code, and never meets a
glyph of another line. Copying a name out of the PDF gives the name."""
from __future__ import annotations

import io

import pytest

from app.text import latin
from badges import documents, services
from badges.render import LAYOUTS, render_cards
from badges.tokens import ALPHABET, BODY_LENGTH, check_character
from tests.badges import glyph_boxes
from tests.badges.helpers import decode_pdf_qr, glyph_sources, live_event
from tests.badges.names import SCRIPTS, full_names, seventy
from tests.factories import register

# Where the PDF's text is not the name (README, "Names that fit"): WeasyPrint maps each drawn glyph back to
# text through the font's cmap, so Indic conjuncts and reordered vowel signs come out garbled, and colour emoji
# are drawn as images.
NOT_SEARCHABLE = {"devanagari", "bengali", "emoji"}
ORGANISATIONS = ["Heinrich-Heine-Universität Düsseldorf", "جامعة القاهرة", "東京大学",
                 "Universiteit Maastricht — Faculty of Science and Engineering, Department of Advanced Computing"]


def _token(i: int) -> str:
    body = "".join(ALPHABET[(i * 7 + j * 13) % 32] for j in range(BODY_LENGTH))
    return body + check_character(body)


def _cards(pairs: list[tuple[str, str]]) -> list[dict]:
    cards = []
    for i, (script, name) in enumerate(pairs):
        printed = name.split(" ")[0] if i % 3 == 0 else name  # a third print only the first word large
        hint = "ja" if script == "japanese" else ""
        cards.append(services.BadgeCard(
            badge_id=i, token=_token(i), printed_name=printed, full_name=name, organisation=ORGANISATIONS[i % 4],
            role=("attendee", "employer", "staff", "speaker")[i % 4], event_title="Düsseldorf meets international talents",
            event_date="12.03.2027", sort_key=name, name_hint=hint,
            latin_name=services.latin_spelling(name, hint)).as_dict())
    return cards


LABELS = {"title": "Badges", "roles": {"attendee": "Attendee", "employer": "Employer", "staff": "Staff",
                                       "speaker": "Speaker"}}
ALL = full_names(300) + [(script, seventy(script)) for script in SCRIPTS]
SOME = ALL[:45] + ALL[-len(SCRIPTS):]  # one badge per page: fewer pages, every script and every long name


@pytest.fixture(scope="module")
def printed(app):
    """layout -> (pairs, PDF); rendered once for the module, chunks in two processes as the job does."""
    out = {}
    for layout in LAYOUTS:
        pairs = ALL if LAYOUTS[layout].sheet else SOME
        out[layout] = pairs, render_cards(_cards(pairs), layout, LABELS, processes=2)
    return out


@pytest.mark.no_database  # rendered from cards, no rows
@pytest.mark.slow
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_no_glyph_touches_another_line_the_qr_code_or_the_edge(printed, layout):
    pairs, pdf = printed[layout]
    assert len({script for script, _ in pairs}) >= 12 and any(len(name) == 70 for _, name in pairs)
    assert len(pairs) >= (300 if LAYOUTS[layout].sheet else 50)
    found = glyph_boxes.glyphs(pdf)
    cells = glyph_boxes.by_badge(found, layout)
    assert len(cells) == len(pairs)  # every badge printed something, in its own cell
    multi = sum(1 for glyphs in cells.values() if len({round(g.baseline, 1) for g in glyphs}) >= 5)
    assert multi > len(pairs) / 2  # band, name, latin/full, organisation, footer: many lines were checked
    assert glyph_boxes.problems(pdf, layout) == []


@pytest.mark.no_database  # rendered from cards, no rows
@pytest.mark.slow
@pytest.mark.parametrize("layout", ["2x5", "a6"])
def test_copying_a_name_from_the_pdf_gives_the_name(printed, layout):
    pairs, pdf = printed[layout]
    # pdfium joins a line that ends in a hyphen to the next and marks the hyphen U+FFFE (it may be a soft one)
    text = "".join("".join(glyph_boxes.page_text(pdf)).replace("\ufffe", "-").split())
    missing = [(script, name) for i, (script, name) in enumerate(pairs)
               if script not in NOT_SEARCHABLE and "".join(_cards(pairs)[i]["printed_name"].split()) not in text]
    assert missing == []
    # the scripts README names as not searchable really are not: the list is not an excuse
    assert any("".join(name.split()) not in text for script, name in pairs if script == "devanagari")


@pytest.mark.no_database  # rendered from cards, no rows
@pytest.mark.slow
def test_every_code_on_a_sheet_of_long_names_still_scans(printed):
    pairs, pdf = printed["2x5"]
    assert decode_pdf_qr(pdf[:]) == [card["token"] for card in _cards(pairs)]


@pytest.mark.no_database  # rendered from cards, no rows
@pytest.mark.slow
def test_emoji_japanese_forms_and_the_latin_spelling():
    cards = _cards([("emoji", "Ana 🌻 Okafor ✨"), ("japanese", "山田太郎"), ("chinese", "王小明"),
                    ("latin", "Zoë Müller")])
    pdf = render_cards(cards, "2x5", LABELS)
    fonts = {text: font for font, _gid, text, ok in glyph_sources(pdf) if ok}
    assert fonts["🌻"].startswith("NotoColorEmoji") and fonts["✨"].startswith("NotoColorEmoji")
    assert "cjkjp" in fonts["山"].lower() and "cjksc" in fonts["王"].lower()  # the Japanese name in Japanese forms
    text = "".join(glyph_boxes.page_text(pdf))
    assert "Wang Xiao Ming" in text and latin("王小明") == "Wang Xiao Ming"
    assert "Shan Tian" not in text  # kanji read as Chinese would mislead: no spelling for Japanese
    assert "Zoe Muller" not in text  # a Latin name needs none
    assert not [(font, t) for font, _g, t, ok in glyph_sources(pdf) if not ok]  # no empty boxes


def test_the_attendee_tells_how_han_characters_read(db):
    assert services.name_hint("JP", {}) == "ja" and services.name_hint("DE", {"ja": "native"}) == "ja"
    assert services.name_hint("TW", {}) == "zh-Hant" and services.name_hint("CN", {"ja": "B1"}) == ""
    event = live_event()
    registration = register(event, name="山田太郎")
    registration.attendee.country = "JP"
    badge = services.badge_for_registration(registration)
    card = services.card_for(badge)
    assert card.name_hint == "ja" and card.latin_name == ""
    registration.attendee.country = "CN"
    assert services.card_for(badge).latin_name == "Shan Tian Tai Lang"
    db.session.rollback()


@pytest.mark.slow
def test_the_phone_image_of_a_long_arabic_name_keeps_the_code_clear(app, db):
    import zxingcpp
    from PIL import Image
    from badges.tokens import token_for
    event = live_event()
    registration = register(event, name="محمد عبد الرحمن بن عبد العزيز القحطاني الحسيني المنصوري")
    registration.attendee.badge_name = registration.attendee.full_name
    db.session.commit()
    badge = services.badge_for_registration(registration)
    png = documents.render_png(badge).read_bytes()
    pdf = documents.render_single(badge).read_bytes()
    assert glyph_boxes.problems(pdf, "a6") == []
    lines = {round(g.baseline, 1) for g in glyph_boxes.glyphs(pdf) if "\u0600" <= g.char <= "\u06ff"}
    assert len(lines) >= 2  # it did wrap: the second line moved down, off the code (problems above)
    image = Image.open(io.BytesIO(png))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [token_for(badge)]
