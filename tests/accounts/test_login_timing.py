"""Logging in does the same work whether or not the account exists: one scrypt check of the same cost.

Not measured with a clock (this machine is shared): the password-hash check is wrapped with a call-through
recorder, and every path must call it exactly once, on a hash with the same parameters."""
from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

import app.accounts.models as account_models
from app.accounts.models import DUMMY_PASSWORD_HASH
from tests.accounts.conftest import Browser
from tests.roles import PASSWORD, make_user

WRONG = "not the password at all"


def _method(password_hash: str) -> str:
    """The algorithm and its cost, e.g. "scrypt:32768:8:1"."""
    return password_hash.split("$", 1)[0]


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """Every password-hash check the application makes (the hash's method and cost), still really made."""
    made: list[str] = []

    def recording(password_hash: str, password: str) -> bool:
        made.append(_method(password_hash))
        return check_password_hash(password_hash, password)

    monkeypatch.setattr(account_models, "check_password_hash", recording)
    return made


@pytest.fixture
def accounts(db):
    active = make_user("active@example.org")
    inactive = make_user("inactive@example.org")
    inactive.active = False
    without_password = make_user("nopassword@example.org")
    without_password.password_hash = ""
    db.session.commit()
    return {"active": active, "inactive": inactive, "without_password": without_password}


CASES = {
    "unknown address": ("nobody@example.org", PASSWORD),
    "wrong password": ("active@example.org", WRONG),
    "inactive account, right password": ("inactive@example.org", PASSWORD),
    "account without a password": ("nopassword@example.org", PASSWORD),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_refused_login_checks_one_hash_of_the_current_cost(case, server, accounts, checks):
    email, password = CASES[case]
    response = Browser(server).login(email, password)
    assert response.status_code == 200
    assert "E-mail address or password is wrong." in response.get_data(as_text=True)
    current_cost = _method(generate_password_hash("x"))
    assert checks == [current_cost]


def test_a_right_password_checks_one_hash_too(server, accounts, checks):
    assert Browser(server).login("active@example.org", PASSWORD).status_code == 302
    assert checks == [_method(generate_password_hash("x"))]


def test_the_dummy_hash_is_a_real_hash_of_the_default_cost_that_no_password_opens():
    assert _method(DUMMY_PASSWORD_HASH) == _method(generate_password_hash("x"))
    assert check_password_hash(DUMMY_PASSWORD_HASH, "") is False
    assert account_models.check_against_dummy(PASSWORD) is False
