"""Badge tokens on plain values: the check character, normalising what a scanner typed, and the derivation.
No database: a bare Flask app gives the secret."""
from __future__ import annotations

import itertools

import pytest
from flask import Flask

from badges.models import Badge, BadgeRole
from badges.tokens import ALPHABET, BODY_LENGTH, TOKEN_LENGTH, check_character, normalise, token_for, well_formed

BODY = "K7Q2MX4TZP6RB3WNAE5HD"


def test_the_check_character_catches_every_single_wrong_character():
    token = BODY + check_character(BODY)
    assert well_formed(token)
    for i, wrong in itertools.product(range(TOKEN_LENGTH), ALPHABET):
        if token[i] != wrong:
            assert not well_formed(token[:i] + wrong + token[i + 1:]), (i, wrong)


def test_the_check_character_catches_most_swaps_of_neighbours():
    token = BODY + check_character(BODY)
    swaps = [token[:i] + token[i + 1] + token[i] + token[i + 2:] for i in range(TOKEN_LENGTH - 1)
             if token[i] != token[i + 1]]
    assert sum(not well_formed(s) for s in swaps) >= len(swaps) - 2


def test_what_a_scanner_or_a_person_typed_is_normalised():
    token = BODY + check_character(BODY)
    typed = " " + "-".join(token[i:i + 4] for i in range(0, TOKEN_LENGTH, 4)).lower() + "\r\n"
    assert normalise(typed) == token and well_formed(normalise(typed))
    assert normalise(None) == "" and len(normalise("A" * 500)) == 64
    assert not well_formed("") and not well_formed(token + "A") and not well_formed(token[:-1] + "1")


@pytest.fixture
def bare_app():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="a secret for tests", BADGE_SECRET=None)
    with app.app_context():
        yield app


def test_a_token_is_derived_from_holder_role_and_version(bare_app):
    badge = Badge(event_id=1, registration_id=40, role=BadgeRole.ATTENDEE, version=1)
    token = token_for(badge)
    assert len(token) == BODY_LENGTH + 1 and well_formed(token) and token == token_for(badge)
    assert token_for(Badge(event_id=1, registration_id=40, role=BadgeRole.ATTENDEE, version=2)) != token
    assert token_for(Badge(event_id=1, registration_id=41, role=BadgeRole.ATTENDEE, version=1)) != token
    assert token_for(Badge(event_id=1, user_id=40, role=BadgeRole.ATTENDEE, version=1)) != token
    bare_app.config["BADGE_SECRET"] = "another secret"
    assert token_for(badge) != token  # rotating the secret invalidates every badge
