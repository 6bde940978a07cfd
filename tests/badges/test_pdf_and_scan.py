"""Badge PDFs end to end: render, rasterise, decode every QR code, check the tokens in through the HTTP API."""
from __future__ import annotations

import pytest

from badges import documents, services, tokens
from events.registration import services as event_services
from tests.badges.helpers import api_scan, decode_pdf_qr, device_token, glyph_sources, live_event
from tests.factories import register

NAMES = {
    "latin": "Zoë Ångström-Łukasiewicz", "cyrillic": "Алексей Смирнов", "greek": "Γιώργος Παπαδόπουλος",
    "arabic": "محمد عبد الرحمن", "hebrew": "דוד כהן", "devanagari": "अनन्या शर्मा",
    "bengali": "অনির্বাণ চক্রবর্তী", "chinese": "王小明", "japanese": "山田 太郎", "korean": "김민준",
    "thai": "สมชาย ใจดี", "amharic": "አበበ ቢቂላ", "vietnamese": "Nguyễn Thị Minh Khai",
}


@pytest.mark.slow
def test_sheet_tokens_scan_through_the_api(client, db):
    event = live_event()
    other = live_event()
    people = [register(event, name=n) for n in ("Ana Pérez", "Björn Öberg", "Chen Wei", "Dara Okafor")]
    outsider = register(other, name="Eve Other")
    services.issue_event_badges(event)
    services.issue_event_badges(other)
    cards = services.cards(services.select_badges(event, role="attendee"))
    pdf = documents.render_sheet(cards, "2x5", processes=1).read_bytes()

    decoded = decode_pdf_qr(pdf)
    assert decoded == [c.token for c in cards]  # every code decodes, in name order
    assert all(tokens.well_formed(t) for t in decoded)

    secret = device_token(event)
    first = api_scan(client, secret, decoded[0])
    assert first.status_code == 200 and first.json["status"] == "ok"
    assert first.json["full_name"] == "Ana Pérez"
    again = api_scan(client, secret, decoded[0], station="Door 2")
    assert again.json["status"] == "already" and again.json["station"] == "Scanner 1"

    garbled = decoded[1][:5] + ("A" if decoded[1][5] != "A" else "B") + decoded[1][6:]
    assert api_scan(client, secret, garbled).json == {**api_scan(client, secret, garbled).json,
                                                     "status": "rejected", "reason": "invalid"}

    # a re-issued badge: the old token is recognised and refused as revoked, the new one works
    old_badge = tokens.find_badge(decoded[1])
    fresh = tokens.reissue(old_badge)
    assert api_scan(client, secret, decoded[1]).json["reason"] == "revoked"
    assert api_scan(client, secret, tokens.token_for(fresh)).json["status"] == "ok"

    # a cancelled registration's badge stops working
    cancelled_token = decoded[2]
    registration = tokens.find_badge(cancelled_token).registration
    event_services.cancel_registration(registration)
    assert api_scan(client, secret, cancelled_token).json["reason"] == "cancelled"

    # a badge of another event
    other_badge = services.badge_for_registration(outsider)
    assert api_scan(client, secret, tokens.token_for(other_badge)).json["reason"] == "another_event"
    assert len(people) == 4


@pytest.mark.slow
def test_every_script_renders_with_real_glyphs(db):
    cards = [services.BadgeCard(badge_id=i, token=f"K7Q2MX4TZP6RB3WNAE5HD2C{i}"[:22], printed_name=name.split(" ")[0],
                                full_name=name, organisation="Universität Düsseldorf", role="attendee",
                                event_title="Welcome day", event_date="12.03.2027", sort_key=name)
             for i, name in enumerate(NAMES.values())]
    from badges.render import render_cards
    pdf = render_cards([c.as_dict() for c in cards], "2x5", documents.labels())
    glyphs = glyph_sources(pdf)
    missing = [(font, text) for font, _gid, text, ok in glyphs if not ok]
    assert not missing, f"glyphs drawn from a font without them (empty boxes): {missing}"
    drawn = {ch for _font, _gid, text, ok in glyphs if ok for ch in text}
    for script, name in NAMES.items():
        lacking = {ch for ch in name if not ch.isspace() and ch not in drawn}
        # Arabic and Indic shaping may map one glyph to several characters; every character is still there
        assert not lacking, f"{script}: {lacking} not drawn"


@pytest.mark.slow
def test_glyph_check_catches_an_empty_box(db):
    from badges.render import render_cards
    card = {"badge_id": 1, "token": "K7Q2MX4TZP6RB3WNAE5HD2CA", "printed_name": "A\u0378B", "full_name": "A\u0378B",
            "organisation": "", "role": "attendee", "event_title": "E", "event_date": "d", "sort_key": "a"}
    pdf = render_cards([card], "a6", documents.labels())
    assert any(not ok for _f, _g, _t, ok in glyph_sources(pdf))


@pytest.mark.slow
def test_all_layouts_render(app, db):
    event = live_event()
    register(event, name="Ngozi Okafor")
    services.issue_event_badges(event)
    cards = services.cards(services.select_badges(event))
    from pypdf import PdfReader
    import io
    for layout, (w, h) in {"a6": (105, 148), "90x55": (90, 55), "2x4": (210, 297), "2x5": (210, 297)}.items():
        pdf = documents.render_sheet(cards, layout, processes=1).read_bytes()
        box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
        assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (w, h)
        assert decode_pdf_qr(pdf) == [cards[0].token]
    db.session.rollback()
