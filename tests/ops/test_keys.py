"""Production refuses the public default secret; badge tokens, calendar links and registration links survive a key
rotation while the old key is listed in the fallbacks, and stop working once it is removed (app/keys.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.config import TestConfig
from app.keys import DEFAULT_SECRET_KEY, DefaultSecretError
from app.mail import send_pending
from badges import services, tokens
from events.agendas import feeds
from tests.badges.helpers import api_scan, device_token, live_event
from tests.factories import make_event, register
from tests.registration.test_links import opens, sent_links

CHECKOUT = Path(__file__).resolve().parents[2]
OLD, NEW = "the-old-key-0123456789", "the-new-key-9876543210"


def _config(**overrides) -> dict:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(TESTING=False, SQLALCHEMY_DATABASE_URI="sqlite:///:memory:", **overrides)
    return config


@pytest.mark.parametrize("secret", [DEFAULT_SECRET_KEY, "", None])
@pytest.mark.parametrize("env", ["production", "staging"])
def test_outside_development_the_default_or_a_missing_secret_is_refused(env, secret, tmp_path):
    with pytest.raises(DefaultSecretError, match="SECRET_KEY"):
        create_app(_config(APP_ENV=env, SECRET_KEY=secret, CACHE_DIR=str(tmp_path)))


def test_a_secret_of_the_sites_own_starts_and_development_may_use_the_default(tmp_path):
    assert create_app(_config(APP_ENV="production", SECRET_KEY=NEW, CACHE_DIR=str(tmp_path))).secret_key == NEW
    assert create_app(_config(APP_ENV="development", SECRET_KEY=DEFAULT_SECRET_KEY, CACHE_DIR=str(tmp_path)))


def test_the_command_line_without_secret_key_stops_with_a_message_naming_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("APP_ENV", "SECRET_KEY", "TEST_DATABASE_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'prod.db'}", CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "routes"], cwd=CHECKOUT, env=env,
                          capture_output=True, text=True)
    assert done.returncode != 0 and "SECRET_KEY is not set" in done.stderr
    env["APP_ENV"] = "development"
    assert subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "routes"], cwd=CHECKOUT, env=env,
                          capture_output=True).returncode == 0


@pytest.fixture
def keyed(app, monkeypatch):
    """Sets the keys of the running app: ``keyed(FEED_SECRET=…, FEED_SECRET_FALLBACKS=[…])``."""
    def set_keys(**settings):
        for name, value in settings.items():
            monkeypatch.setitem(app.config, name, value)
    return set_keys


@pytest.mark.parametrize("own_key", [True, False], ids=["FEED_SECRET", "SECRET_KEY"])
def test_a_calendar_link_made_with_the_old_key_works_while_it_is_listed(client, db, keyed, own_key):
    registration = register(make_event(), "ana@example.org")
    setting = "FEED_SECRET" if own_key else "SECRET_KEY"
    fallbacks = "FEED_SECRET_FALLBACKS" if own_key else "SECRET_KEY_FALLBACKS"
    keyed(**{setting: OLD, fallbacks: []})
    old = feeds.feed_token(registration_id=registration.id)
    assert client.get(f"/calendar/{old}.ics").status_code == 200

    keyed(**{setting: NEW, fallbacks: [OLD]})  # rotated, the old key still accepted
    new = feeds.feed_token(registration_id=registration.id)
    assert new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    assert client.get(f"/calendar/{new}.ics").status_code == 200

    keyed(**{fallbacks: []})  # the grace period is over
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    assert feeds.resolve(old) is None and feeds.resolve(new).registration.id == registration.id


def test_a_badge_made_with_the_old_key_scans_and_reprints_while_it_is_listed(client, db, keyed):
    event = live_event()
    keyed(BADGE_SECRET=OLD, BADGE_SECRET_FALLBACKS=[])
    badge = services.badge_for_registration(register(event, "ana@example.org"))
    printed = tokens.token_for(badge)
    secret = device_token(event)

    keyed(BADGE_SECRET=NEW, BADGE_SECRET_FALLBACKS=[OLD])
    assert tokens.find_badge(printed).id == badge.id
    assert tokens.token_for(badge) == printed  # printed again as it was: both copies work
    assert api_scan(client, secret, printed, nonce="rotation-nonce-0001").json["status"] == "ok"
    fresh = services.badge_for_registration(register(event, "ben@example.org"))
    fresh_token = tokens.token_for(fresh)  # issued after the rotation: the new key
    assert tokens.signed(fresh, fresh_token) and fresh_token != printed
    keyed(BADGE_SECRET_FALLBACKS=[])
    assert tokens.signed(fresh, fresh_token) and tokens.find_badge(fresh_token).id == fresh.id

    # The old key removed: its badge is refused at the door, and printing it again gives a new, working token.
    assert tokens.find_badge(printed) is None
    refused = api_scan(client, secret, printed, nonce="rotation-nonce-0002").json
    assert refused["status"] == "rejected" and refused["reason"] == "invalid"
    reprinted = services.card_for(badge).token
    assert reprinted != printed and tokens.find_badge(reprinted).id == badge.id
    assert api_scan(client, secret, reprinted, nonce="rotation-nonce-0003").json["status"] == "already"


def test_a_registration_link_made_with_the_old_key_opens_while_it_is_listed(app, client, db, keyed):
    keyed(REGISTRATION_LINK_SECRET=OLD, REGISTRATION_LINK_SECRET_FALLBACKS=[])
    register(make_event(), "ana@example.org")
    send_pending()
    (old,) = sent_links("ana@example.org")
    keyed(REGISTRATION_LINK_SECRET=NEW, REGISTRATION_LINK_SECRET_FALLBACKS=[OLD])
    assert opens(client, old)
    keyed(REGISTRATION_LINK_SECRET_FALLBACKS=[])
    assert not opens(client, old)
