"""What limited a draft, in plain words, in the reader's language (issue 13)."""
from __future__ import annotations

from flask_babel import force_locale

from events.meetings.explain import draft_limits
from events.meetings.matching.solver import solve
from tests.matching.crafted import crafted


def test_draft_limits_say_which_tables_and_filters_to_change(app):
    stats = solve(crafted()).stats
    with app.test_request_context():
        with force_locale("en"):
            text = draft_limits(stats)
            assert text[0] == "6 of 23 attendees who want a meeting have one."
            assert "No schedule can give more attendees a meeting with today's tables, filters and busy slots." in text
            assert "2 attendees pass no employer's filters (languages, degree, job type, exclusions)." in text
            assert ("1 attendee is busy in every slot in which an employer they may meet has a free table."
                    in text)
            assert ("14 attendees could meet only employers whose tables are full: Henkel (1 table for 6 slots; "
                    "14 attendees without a meeting may meet it).") in text
            assert "3 more tables there would give every one of them a meeting." in text
            assert text[-1] == "This schedule is proven optimal for the chosen mode."
        with force_locale("de"):
            assert draft_limits(stats)[0] == "6 von 23 Teilnehmenden, die ein Gespräch möchten, haben eines."
        with force_locale("nl"):
            assert "3 extra tafels daar zouden ieder van hen een gesprek geven." in draft_limits(stats)
    assert draft_limits(None) == [] and draft_limits({"objective": {}}) == []
