"""Forgot your password? A link by e-mail (random, stored hashed, one hour, once), a new password, every session
ended; and `flask user reset-password` for administrators."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.accounts.models import PasswordReset, User
from app.extensions import db as _db
from app.extensions import utcnow
from app.mail import memory_outbox, send_pending
from tests.accounts.conftest import Browser
from tests.roles import PASSWORD, make_user

NEW = "a brand new passphrase"
SAME_ANSWER = "belongs to an account, we have sent a link to it"


@pytest.fixture
def alice(db):
    user = make_user("alice@example.org")
    user.locale = "en"
    db.session.commit()
    return user


def _ask(server, email: str, lang: str = "en"):
    return Browser(server).post(f"/account/password/forgot?lang={lang}", data={"email": email})


def _sent_mails():
    send_pending()  # the real outbox: rendered in the user's language and sent (to memory in tests)
    mails = list(memory_outbox())
    memory_outbox().clear()
    return mails


def _link(mail) -> str:
    body = mail.get_body(("plain",)).get_content()
    match = re.search(r"https?://\S+/account/password/reset/(\S+)", body)
    assert match, body
    return "/account/password/reset/" + match.group(1)


def _sign_in(server, email: str, password: str) -> Browser:
    browser = Browser(server)
    browser.login(email, password)
    return browser


def test_the_login_page_leads_to_the_form(server):
    login_page = Browser(server).get("/account/login").get_data(as_text=True)
    assert 'href="/account/password/forgot"' in login_page and "Forgot your password?" in login_page
    assert Browser(server).get("/account/password/forgot").status_code == 200


def test_the_whole_way_from_forgot_to_a_new_password(server, alice):
    laptop, phone = _sign_in(server, alice.email, PASSWORD), _sign_in(server, alice.email, PASSWORD)
    assert laptop.signed_in() and phone.signed_in()
    response = _ask(server, "  Alice@Example.org ")
    assert response.status_code == 200 and SAME_ANSWER in response.get_data(as_text=True)
    [mail] = _sent_mails()
    assert mail["To"] == alice.email and mail["Subject"] == "Your new password for welcomeday"
    link = _link(mail)
    token = link.rsplit("/", 1)[1]
    [reset] = _db.session.scalars(select(PasswordReset)).all()
    assert reset.token_hash == hashlib.sha256(token.encode()).hexdigest()  # stored only hashed
    assert timedelta(minutes=59) < reset.expires_at - utcnow() <= timedelta(minutes=60)

    browser = Browser(server)
    form = browser.get(link)
    assert form.status_code == 200 and form.headers["Referrer-Policy"] == "no-referrer"
    assert "alice@example.org" in form.get_data(as_text=True)
    done = browser.post(link, data={"password": NEW, "password2": NEW})
    assert done.status_code == 303 and done.location.endswith("/account/login")

    assert Browser(server).login(alice.email, PASSWORD).status_code == 200  # the old password: wrong
    assert Browser(server).login(alice.email, NEW).status_code == 302
    assert not laptop.signed_in() and not phone.signed_in()  # signed in before: signed out now


def test_the_answer_is_the_same_for_an_address_without_an_account(server, alice, db):
    inactive = make_user("gone@example.org")
    inactive.active = False
    db.session.commit()
    answers = {}
    for email in (alice.email, "nobody@example.org", inactive.email):
        response = _ask(server, email)
        answers[email] = (response.status_code, response.get_data(as_text=True).replace(email, "EMAIL"))
    assert len(set(answers.values())) == 1
    assert [m["To"] for m in _sent_mails()] == [alice.email]  # only the active account gets a mail


@pytest.mark.parametrize("locale, subject, words", [
    ("de", "Ihr neues Passwort für welcomeday", "Der Link gilt einmal."),
    ("nl", "Je nieuwe wachtwoord voor welcomeday", "De link werkt één keer."),
])
def test_the_mail_is_in_the_users_language(server, alice, db, locale, subject, words):
    alice.locale = locale
    db.session.commit()
    _ask(server, alice.email, lang="en")  # the page in English; the mail in the account's language
    [mail] = _sent_mails()
    assert mail["Subject"] == subject
    assert words in mail.get_body(("plain",)).get_content()


def test_a_link_works_once(server, alice):
    _ask(server, alice.email)
    link = _link(_sent_mails()[0])
    assert Browser(server).post(link, data={"password": NEW, "password2": NEW}).status_code == 303
    again = Browser(server).post(link, data={"password": "yet another passphrase",
                                             "password2": "yet another passphrase"})
    assert again.status_code == 410 and "This link is not valid any more" in again.get_data(as_text=True)
    assert Browser(server).get(link).status_code == 410
    assert Browser(server).login(alice.email, NEW).status_code == 302


def test_a_new_password_retires_every_other_link(server, alice):
    _ask(server, alice.email)
    _ask(server, alice.email)
    first, second = (_link(m) for m in _sent_mails())
    assert Browser(server).post(second, data={"password": NEW, "password2": NEW}).status_code == 303
    assert Browser(server).get(first).status_code == 410


def test_an_expired_link_is_refused(server, alice, db):
    _ask(server, alice.email)
    link = _link(_sent_mails()[0])
    db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = Browser(server).post(link, data={"password": NEW, "password2": NEW})
    assert response.status_code == 410 and "This link is not valid any more" in response.get_data(as_text=True)
    assert Browser(server).login(alice.email, PASSWORD).status_code == 302


@pytest.mark.parametrize("token", ["nonsense", "x" * 101, "ä", "'\"<>"])
def test_an_unknown_link_shows_a_clear_page(server, token):
    response = Browser(server).get(f"/account/password/reset/{token}")
    assert response.status_code == 410
    assert "This link is not valid any more" in response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("password, password2, message", [
    ("short", "short", "Between 10 and 200 characters, please."),
    (NEW, NEW + "!", "The passwords differ."),
    ("", "", "Please choose a password."),
    ("x" * 201, "x" * 201, "Between 10 and 200 characters, please."),
])
def test_the_new_password_is_checked(server, alice, password, password2, message):
    _ask(server, alice.email)
    link = _link(_sent_mails()[0])
    response = Browser(server).post(link, data={"password": password, "password2": password2})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert Browser(server).login(alice.email, PASSWORD).status_code == 302  # unchanged
    assert Browser(server).get(link).status_code == 200  # and the link still works


def test_the_forgot_form_needs_an_address(server):
    response = Browser(server).post("/account/password/forgot", data={"email": ""})
    assert response.status_code == 422


# ------------------------------------------------------------------------------------------- command line


def test_an_administrator_sets_a_new_password_on_the_command_line(app, server, alice):
    browser = _sign_in(server, alice.email, PASSWORD)
    assert browser.signed_in()
    result = app.test_cli_runner().invoke(args=["user", "reset-password", alice.email],
                                          input=f"{NEW}\n{NEW}\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("New password") == 1 and "Repeat for confirmation" in result.output
    assert "new password set for alice@example.org" in result.output
    _db.session.expire_all()
    assert Browser(server).login(alice.email, NEW).status_code == 302
    assert Browser(server).login(alice.email, PASSWORD).status_code == 200
    assert not browser.signed_in()  # every session of the account has ended


def test_the_command_line_refuses_an_unknown_address_before_asking(app):
    result = app.test_cli_runner().invoke(args=["user", "reset-password", "nobody@example.org"], input="")
    assert result.exit_code == 1
    assert "There is no account with the e-mail address nobody@example.org." in result.output
    assert "New password" not in result.output


def test_the_command_line_checks_the_password(app, alice):
    short = app.test_cli_runner().invoke(args=["user", "reset-password", alice.email], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    differ = app.test_cli_runner().invoke(args=["user", "reset-password", alice.email],
                                          input=f"{NEW}\n{NEW}x\n")
    assert differ.exit_code != 0 and "do not match" in differ.output
    _db.session.expire_all()
    assert _db.session.get(User, alice.id).check_password(PASSWORD)
