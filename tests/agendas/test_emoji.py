"""Emoji in a session's title print in colour from Noto Color Emoji, not as empty boxes (the booklet)."""
from __future__ import annotations

from datetime import timezone

import pytest

from tests.agendas.helpers import add_session, berlin
from tests.badges.helpers import glyph_sources
from tests.factories import make_event


@pytest.mark.slow
def test_an_emoji_in_a_session_title_is_drawn_from_the_emoji_font(client):
    event = make_event(title="Welcome day 🌍", starts_at=berlin(2027, 3, 25, 9, 0).astimezone(timezone.utc),
                       ends_at=berlin(2027, 3, 25, 17, 0).astimezone(timezone.utc))
    add_session(event, "Coffee & CVs ☕🚀", berlin(2027, 3, 25, 9, 0), 30, room="Foyer")
    response = client.get(f"/e/{event.slug}/programme.pdf")
    assert response.status_code == 200
    glyphs = glyph_sources(response.data)
    assert not [(font, text) for font, _gid, text, ok in glyphs if not ok]  # no empty boxes
    emoji = {text: font for font, _gid, text, ok in glyphs if text in ("☕", "🚀", "🌍")}
    assert set(emoji) == {"☕", "🚀", "🌍"} and all(font.startswith("NotoColorEmoji") for font in emoji.values())
