"""Test fixtures: ``app``, ``client``, ``db`` on a real database.

SQLite (a temporary file) by default; PostgreSQL when TEST_DATABASE_URL is set, e.g.
``TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test``. Tables are created once per run and emptied
after every test.
"""
from __future__ import annotations

import os
import tempfile

import pytest
from sqlalchemy import text

from hypothesis import settings as hypothesis_settings

from app import create_app
from app.config import TestConfig, normalise_database_url
from app.extensions import db as _db
from app.mail import memory_outbox


# In CI, property-based tests explore the same examples every run, so that a landing never depends on luck;
# locally they explore new ones each time (and find new bugs).
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_collection_modifyitems(config, items):
    """Tests marked ``no_database`` touch no database under test (they render, build or parse on their own): they
    run in the SQLite run (``make test``) and are skipped in the PostgreSQL one, which would only repeat them.
    So are the browser tests (Chromium on pages whose reads and writes the rest of the suite checks on both
    databases): together they took minutes of each run, and the two runs together more than CI's 30."""
    if not os.environ.get("TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="touches no database under test: runs in the SQLite run")
    in_chromium = pytest.mark.skip(reason="a browser test: runs in the SQLite run")
    for item in items:
        if "no_database" in item.keywords:
            item.add_marker(skip)
        elif "browser" in item.keywords:
            item.add_marker(in_chromium)


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    handle, path = tempfile.mkstemp(prefix="welcomeday-test-", suffix=".db")
    os.close(handle)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def database_url() -> str:
    return _database_url()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    application = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                              "SQLALCHEMY_DATABASE_URI": database_url,
                              "CACHE_DIR": str(tmp_path_factory.mktemp("cache"))})
    with application.app_context():
        _db.drop_all()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()
    if database_url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(database_url[len("sqlite:///"):] + suffix)
            except FileNotFoundError:
                pass


def empty_tables() -> None:
    _db.session.remove()
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db
        empty_tables()
    memory_outbox(app).clear()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def browser():
    """One Chromium (Playwright) for every browser test of the session: Playwright's sync API allows one at a time.
    Skips with a reason when Chromium or Playwright is missing."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (make system installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright (python) is not installed: pip install '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
