"""Secret "My registration" links are stored hashed (events/registration/links.py): the database holds no working link, the
links in the mails open the pages and the API, old clear links survive the migration, erasing and registering
again make old links stop working, and so does a new key."""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy import select, update

from app import create_app
from app.config import TestConfig
from app.extensions import UTCDateTime, utcnow
from app.mail import memory_outbox, send_pending
from events.registration import links, services
from events.registration.models import Registration, RegistrationStatus
from tests.factories import make_event, make_session, profile, register, registration_form
from tests.test_migrations import _flask, _fresh_database

API = "/api/v1"
LINK = re.compile(r"/r/([A-Za-z0-9_-]{20,64})")


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def stored_text(db) -> str:
    """Every value the database holds, as text: every column of every table, as committed. Mails already sent
    are left out: how their bodies are kept is app/mail.py's business."""
    conn = _committed(db)
    metadata = sa.MetaData()
    metadata.reflect(conn)
    values = []
    for table in metadata.sorted_tables:
        query = select(table)
        if table.name == "outbox_message":
            query = query.where(table.c.sent_at.is_(None))
        for row in conn.execute(query):
            values.extend(v if isinstance(v, str) else json.dumps(v, default=str) for v in row)
    return "\n".join(values)


def _committed(db):
    """A connection in a new transaction: it sees what is committed. (The test client's requests share the
    test's session; SQLite lets one transaction at a time in, so no second connection.)"""
    db.session.rollback()
    return db.session.connection()


def sent_links(to: str | None = None) -> list[str]:
    """The tokens of the /r/… links in the mails sent so far (to one address, or all), in order."""
    tokens = []
    for mail in memory_outbox():
        if to is None or mail["To"] == to:
            tokens += LINK.findall(mail.get_body(preferencelist=("plain",)).get_content())
    return list(dict.fromkeys(tokens))


def committed_link(db, registration_id: int) -> tuple:
    """(link_nonce, token_hash, legacy_token_hash) of the registration, as committed."""
    return tuple(_committed(db).execute(select(Registration.link_nonce, Registration.token_hash,
                                               Registration.legacy_token_hash)
                                        .where(Registration.id == registration_id)).one())


def make_legacy(db, registration: Registration, old_token: str) -> None:
    """Turn a row into what the migration leaves of a registration from before: only the old link's hash."""
    db.session.execute(update(Registration).where(Registration.id == registration.id)
                       .values(link_nonce=None, token_hash=None, legacy_token_hash=sha256(old_token)))
    db.session.commit()
    db.session.expire_all()


def opens(client, token: str) -> bool:
    page, api = client.get(f"/r/{token}"), client.get(f"{API}/registrations/{token}")
    assert page.status_code == api.status_code, (page.status_code, api.status_code)
    if page.status_code == 404:
        assert api.get_json()["error"]["status"] == 404
        return False
    assert page.status_code == 200
    return True


# ------------------------------------------------------------------------------------- nothing stored in clear


def _by_form(client, event, email):
    assert client.post(f"/e/{event.slug}/register", data=registration_form(email)).status_code == 302


def _by_api(client, event, email):
    body = {"email": email, "full_name": "Ana Pérez", "country": "MX", "university": "HHU Düsseldorf",
            "degree_level": "master", "field_of_study": "Chemistry", "consent_processing": True,
            "languages": [{"code": "en", "level": "C1"}], "seeking": ["job"]}
    response = client.post(f"{API}/events/{event.slug}/registrations", json=body)
    assert response.status_code == 202, response.get_json()


def _known_address(client, event, email):
    _by_form(client, event, email)
    send_pending()
    memory_outbox().clear()
    _by_form(client, event, email)  # registered already: the link is mailed again (registration_link)


def _again_after_cancelling(client, event, email):
    _by_form(client, event, email)
    send_pending()
    (token, *_) = sent_links()
    assert client.post(f"/r/{token}/cancel").status_code == 303
    send_pending()
    memory_outbox().clear()
    _by_form(client, event, email)  # the cancelled row is reused with a new link


def _by_staff(client, event, email):
    from events.registration.desk import HandRegistration, register_by_hand_and_commit
    register_by_hand_and_commit(event, HandRegistration(email=email, full_name="Ana Pérez"))


@pytest.mark.parametrize("how", [_by_form, _by_api, _known_address, _again_after_cancelling, _by_staff],
                         ids=["form", "api", "known address", "again after cancelling", "by staff"])
def test_the_database_holds_no_working_link(client, db, how):
    event = make_event()
    how(client, event, "ana@example.org")
    before_sending = stored_text(db)
    send_pending()
    (token, *_) = sent_links("ana@example.org")
    assert token not in before_sending
    assert token not in stored_text(db)  # nor after the mail went out (the sent mail aside)
    registration = db.session.scalars(select(Registration)).one()
    assert registration.token_hash == sha256(token) and registration.legacy_token_hash is None
    assert opens(client, token)


def test_the_registration_path_writes_the_hash_in_its_insert_and_adds_no_statement(client, db):
    event = make_event()
    sessions = [make_session(event, offset_minutes=0), make_session(event, offset_minutes=90)]
    register(event, "first@example.org", sessions, confirm=False)  # warm: prepared statements, caches
    slug, request = event.slug, services.RegistrationRequest(
        email="ana@example.org", profile=profile(), consent_processing=True, consent_sharing=True,
        session_ids=[s.id for s in sessions])
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, json.dumps(parameters, default=str)))

    sa_event.listen(db.engine, "before_cursor_execute", seen)
    try:
        services.register_attendee(slug, request)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", seen)
    send_pending()
    (token,) = sent_links("ana@example.org")
    # From the attendee's row on (before it: the expiry check), the registration's table is touched once: by
    # its INSERT, which carries the hash and not the token; no statement carries the token.
    path = statements[next(i for i, (s, _) in enumerate(statements) if s.startswith("INSERT INTO attendee")):]
    touching = [(s, p) for s, p in path if re.search(r"\bregistration\b", s)]
    assert len(touching) == 1 and touching[0][0].startswith("INSERT INTO registration")
    assert sha256(token) in touching[0][1]
    assert not [s for s, p in statements if token in s + p]


# ------------------------------------------------------------------------------------- links in the mails


def test_links_from_the_mails_open_the_pages_and_the_api(client, db):
    event = make_event()
    session = make_session(event)
    assert client.post(f"/e/{event.slug}/register", data=registration_form("ana@example.org", [session])
                       ).status_code == 302
    send_pending()
    (token,) = sent_links()
    response = client.get(f"/r/{token}/confirm")  # the confirmation mail's link
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/r/{token}")
    registration = db.session.scalars(select(Registration)).one()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.token == token and registration.token_hash == sha256(token)
    page = client.get(f"/r/{token}").get_data(as_text=True)
    targets = set(re.findall(r'href="(/r/[^"#?]+)"', page))
    assert {f"/r/{token}/profile", f"/r/{token}/cancel", f"/r/{token}/data.json", f"/r/{token}/delete",
            f"/r/{token}/agenda.pdf"} <= targets
    for target in sorted(targets):
        assert client.get(target).status_code in (200, 202), target  # 202: the badge is being prepared
    data = client.get(f"{API}/registrations/{token}").get_json()
    assert data["status"] == "confirmed" and data["enrolments"][0]["session_id"] == session.id
    assert client.delete(f"{API}/registrations/{token}/enrolments/{session.id}").status_code == 204
    send_pending()
    assert set(sent_links()) == {token}  # every later mail carries the same link
    assert not opens(client, token[:-1] + ("A" if token[-1] != "A" else "B"))


def test_a_new_key_makes_old_links_stop_working_and_the_next_mail_carries_a_new_one(app, client, db,
                                                                                       monkeypatch):
    event = make_event()
    registration = register(event, "ana@example.org")
    legacy = register(event, "ben@example.org")
    send_pending()
    (token,) = sent_links("ana@example.org")
    assert opens(client, token)
    monkeypatch.setitem(app.config, "REGISTRATION_LINK_SECRET", "a new key")
    assert not opens(client, token)
    make_legacy(db, legacy, "an-old-clear-link-from-before-hashing")
    assert opens(client, "an-old-clear-link-from-before-hashing")  # it never depended on a key
    memory_outbox().clear()
    _by_form(client, event, "ana@example.org")  # the link is mailed again
    send_pending()
    (new,) = sent_links("ana@example.org")
    assert new != token and opens(client, new) and not opens(client, token)
    assert committed_link(db, registration.id)[1] == sha256(new)  # committed by the mail sender


# ------------------------------------------------------------------------------------- links from before


def test_an_old_link_opens_its_registration_and_its_new_link_is_committed(client, db):
    event = make_event()
    registration = register(event, "ana@example.org")
    old = secrets.token_urlsafe(24)
    make_legacy(db, registration, old)
    assert opens(client, old)
    nonce, digest, legacy = committed_link(db, registration.id)
    assert nonce is not None and legacy == sha256(old)
    page = client.get(f"/r/{old}").get_data(as_text=True)
    (new,) = {t for t in LINK.findall(page) if t != old}  # the page links to the new, stored link
    assert digest == sha256(new) and opens(client, new) and opens(client, old)
    assert committed_link(db, registration.id) == (nonce, digest, legacy)  # built once


def test_building_an_old_rows_link_again_before_the_commit_gives_the_same_link(db):
    registration = register(make_event(), "ana@example.org")
    make_legacy(db, registration, "old-link")
    first = registration.token
    db.session.rollback()  # a page rendered and not committed, or a mail sender that stopped
    assert db.session.get(Registration, registration.id).link_nonce is None
    again = db.session.get(Registration, registration.id).token
    db.session.commit()
    assert again == first
    assert committed_link(db, registration.id)[1] == sha256(first)


def test_a_mail_about_an_old_row_carries_a_link_the_sender_commits(client, db):
    event = make_event()
    registration = register(event, "ana@example.org")
    make_legacy(db, registration, "old-link-in-an-old-mail")
    memory_outbox().clear()
    _by_form(client, event, "ana@example.org")  # the link is mailed again; rendered when sent
    assert committed_link(db, registration.id)[0] is None
    send_pending()
    (new,) = sent_links()
    assert new != "old-link-in-an-old-mail"
    assert committed_link(db, registration.id)[1] == sha256(new)
    assert opens(client, new) and opens(client, "old-link-in-an-old-mail")


def test_an_old_row_given_a_new_link_meanwhile_keeps_the_new_link(db):
    registration = register(make_event(), "ana@example.org")
    make_legacy(db, registration, "old-link")
    registration = db.session.get(Registration, registration.id)
    assert registration.link_nonce is None  # loaded before the change below
    renewed = links.new_link()  # as erasing the person in another transaction would
    # A Core UPDATE: the instance loaded above is not told.
    db.session.execute(update(Registration.__table__).where(Registration.id == registration.id).values(**renewed))
    assert sha256(registration.token) == renewed["token_hash"]
    db.session.commit()
    assert committed_link(db, registration.id) == (renewed["link_nonce"], renewed["token_hash"], None)


@pytest.mark.slow
def test_the_migration_keeps_old_clear_links_working(database_url, tmp_path):
    """A database at the revision before, with clear tokens and a mail not sent yet, upgraded by Alembic."""
    url, drop = _fresh_database(database_url)
    try:
        assert _flask(url, "db", "upgrade", "ec62be8c24b7").returncode == 0
        old = [secrets.token_urlsafe(24), secrets.token_urlsafe(24)]
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            _fill_previous_revision(conn, old)
        engine.dispose()
        upgrade = _flask(url, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr

        other = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                            "SQLALCHEMY_DATABASE_URI": url, "CACHE_DIR": str(tmp_path)})
        from app.extensions import db
        with other.app_context():
            stored = stored_text(db)
            assert old[0] not in stored and old[1] not in stored
            rows = [committed_link(db, i) for i in (1, 2)]
            assert rows == [(None, None, sha256(old[0])), (None, None, sha256(old[1]))]
            client = other.test_client()
            # The first person opens the old link: the page works and links to a new, stored link.
            page = client.get(f"/r/{old[0]}")
            assert page.status_code == 200 and "Hello, <bdi>Ana" in page.get_data(as_text=True)
            (new,) = {t for t in LINK.findall(page.get_data(as_text=True)) if t != old[0]}
            assert committed_link(db, 1)[1] == sha256(new)
            assert opens(client, new) and opens(client, old[0])
            # The second person's mail, written before the upgrade, goes out with a new link, committed.
            memory_outbox().clear()
            assert send_pending() == (1, 0)
            (mailed,) = sent_links("ben@example.org")
            assert mailed != old[1] and committed_link(db, 2)[1] == sha256(mailed)
            assert opens(client, mailed) and opens(client, old[1])
            assert old[1] not in stored_text(db)
            db.session.remove()
            db.engine.dispose()
    finally:  # what the other application's memory backend sent is kept on it, and goes with it
        drop()


def _fill_previous_revision(conn, tokens: list[str]) -> None:
    """An event, two confirmed registrations with clear tokens and a mail not sent yet, in the schema of
    revision ec62be8c24b7 (written out: the models have moved on)."""
    now = utcnow()
    t = sa.table
    c = sa.column
    conn.execute(t("event", *(c(n) for n in ("id", "slug", "title", "description", "venue", "address", "timezone",
                                              "status", "contact_email", "privacy_notice")),
                   c("languages", sa.JSON), *(c(n, UTCDateTime()) for n in ("starts_at", "ends_at", "created_at",
                                                                           "updated_at"))).insert(),
                 {"id": 1, "slug": "old-day", "title": "An old day", "description": "", "venue": "Hall",
                  "address": "Street 1", "timezone": "Europe/Berlin", "status": "published", "contact_email": "",
                  "privacy_notice": "", "languages": ["en"], "starts_at": now + timedelta(days=30),
                  "ends_at": now + timedelta(days=30, hours=8), "created_at": now, "updated_at": now})
    conn.execute(t("attendee", *(c(n) for n in ("id", "email", "full_name", "badge_name", "country", "university",
                                                 "field_of_study", "locale")),
                   c("languages", sa.JSON), c("seeking", sa.JSON), c("created_at", UTCDateTime()),
                   c("updated_at", UTCDateTime())).insert(),
                 [{"id": i, "email": email, "full_name": name, "badge_name": name.split()[0], "country": "MX",
                   "university": "", "field_of_study": "", "locale": "en", "languages": {}, "seeking": [],
                   "created_at": now, "updated_at": now}
                  for i, email, name in ((1, "ana@example.org", "Ana Pérez"), (2, "ben@example.org", "Ben Ali"))])
    conn.execute(t("registration", *(c(n) for n in ("id", "event_id", "attendee_id", "status", "token",
                                                     "consent_processing_version", "consent_sharing_version",
                                                     "cancel_reason")),
                   *(c(n, UTCDateTime()) for n in ("created_at", "updated_at", "email_confirmed_at"))).insert(),
                 [{"id": i, "event_id": 1, "attendee_id": i, "status": "confirmed", "token": tokens[i - 1],
                   "consent_processing_version": "2026-1", "consent_sharing_version": "", "cancel_reason": "",
                   "created_at": now, "updated_at": now, "email_confirmed_at": now} for i in (1, 2)])
    conn.execute(t("outbox_message", *(c(n) for n in ("to", "subject", "body_text", "body_html", "template",
                                                       "attempts", "last_error")),
                   c("attachments", sa.JSON), c("context", sa.JSON), c("created_at", UTCDateTime()),
                   c("next_attempt_at", UTCDateTime())).insert(),
                 {"to": "ben@example.org", "subject": "", "body_text": "", "body_html": "",
                  "template": "registration_link", "attempts": 0, "last_error": "", "attachments": [],
                  "context": {"locale": "en", "values": {"registration": {"$model": "Registration", "id": 2},
                                                         "event": {"$model": "Event", "id": 1}}},
                  "created_at": now, "next_attempt_at": now})
    if conn.dialect.name == "postgresql":  # ids given by hand: move the sequences on
        for table in ("event", "attendee", "registration"):
            conn.execute(sa.text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))


# ------------------------------------------------------------------------------------- old links stop working


@pytest.mark.parametrize("legacy", [False, True], ids=["link", "link from before hashing"])
def test_erasing_makes_every_old_link_404(client, db, legacy):
    event = make_event()
    registration = register(event, "ana@example.org")
    send_pending()
    (token,) = sent_links()
    if legacy:
        make_legacy(db, registration, "an-old-clear-link")
        assert opens(client, "an-old-clear-link")
        token = "an-old-clear-link"
    links_before = {t for t in LINK.findall(client.get(f"/r/{token}").get_data(as_text=True))}
    assert client.post(f"/r/{token}/delete").status_code == 303
    for old in links_before | {token}:
        assert not opens(client, old)
        assert client.get(f"/r/{old}/data.json").status_code == 404
    _, digest, legacy_hash = committed_link(db, registration.id)
    assert legacy_hash is None and digest not in {sha256(t) for t in links_before | {token}}


@pytest.mark.parametrize("legacy", [False, True], ids=["link", "link from before hashing"])
def test_registering_again_after_cancelling_gives_a_new_link_and_the_old_one_stops_working(client, db, legacy):
    event = make_event()
    registration = register(event, "ana@example.org")
    send_pending()
    (token,) = sent_links()
    if legacy:
        make_legacy(db, registration, "an-old-clear-link")
        token = "an-old-clear-link"
    assert client.post(f"/r/{token}/cancel").status_code == 303
    assert opens(client, token)  # a cancelled registration still shows its page
    memory_outbox().clear()
    _by_form(client, event, "ana@example.org")
    send_pending()
    (new,) = sent_links()
    assert new != token and opens(client, new) and not opens(client, token)
    assert committed_link(db, registration.id)[2] is None
