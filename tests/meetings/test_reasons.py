"""Why two people meet, in the reader's language: the matcher stores codes, points and English texts."""
from __future__ import annotations

from types import SimpleNamespace

from flask_babel import force_locale

from events.meetings.agenda import reason_text

REASONS = [{"code": "base", "points": 1, "text": "passes all hard filters"},
           {"code": "attendee_wish", "points": 40, "text": "attendee's wish no. 2"},
           {"code": "employer_wish", "points": 30, "text": "employer wants to meet this attendee"},
           {"code": "mutual_wish", "points": 20, "text": "mutual wish"},
           {"code": "field_match", "points": 10, "text": "field of study 'Chemistry' matches"}]


def test_meeting_reasons_are_shown_in_the_readers_language(app):
    meeting = SimpleNamespace(reasons=REASONS)
    with app.test_request_context():
        with force_locale("en"):
            assert reason_text(meeting) == ("the attendee's wish no. 2; the employer's wish; a wish on both sides; "
                                            "the field of study fits")
        with force_locale("de"):
            assert reason_text(meeting) == ("Wunsch Nr. 2 der Teilnehmerin oder des Teilnehmers; Wunsch des "
                                            "Arbeitgebers; ein Wunsch auf beiden Seiten; das Studienfach passt")
        with force_locale("nl"):
            assert reason_text(meeting).startswith("wens nr. 2 van de deelnemer; wens van de werkgever")
        # a reason this version does not know keeps the matcher's text
        assert reason_text(SimpleNamespace(reasons=[{"code": "new_rule", "points": 3, "text": "new rule"}])) == \
            "new rule"
