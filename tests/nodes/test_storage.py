"""The document store (app/storage.py): the same put/get/delete on the local disk, the database and S3, with
lifetimes; documents rendered by the features land in the configured store and are served from it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import storage
from app.extensions import db as _db
from app.storage import DatabaseStore, LocalStore, RenderedDocument, S3Store, build_store
from badges import services as badge_services
from events.registration import imports
from tests.badges.helpers import live_event
from tests.factories import make_session, register
from tests.roles import login, team_for


def _roundtrip(store) -> None:
    later = storage.utcnow() + timedelta(days=1)
    stored = store.put("badges/abc.pdf", b"%PDF-1.7 first", "application/pdf", later)
    assert stored.data == b"%PDF-1.7 first"
    found = store.get("badges/abc.pdf")
    assert found is not None and found.data == b"%PDF-1.7 first" and found.content_type == "application/pdf"
    store.put("badges/abc.pdf", b"%PDF-1.7 second", "application/pdf", later)  # a second render: replaced
    assert store.get("badges/abc.pdf").data == b"%PDF-1.7 second"
    assert store.get("badges/other.pdf") is None
    store.delete("badges/abc.pdf")
    assert store.get("badges/abc.pdf") is None
    store.delete("badges/abc.pdf")  # deleting what is gone is no error
    # an expired document is not returned, and delete_expired removes it
    store.put("agenda/old.pdf", b"old", "application/pdf", storage.utcnow() - timedelta(seconds=1))
    store.put("agenda/new.pdf", b"new", "application/pdf", later)
    assert store.get("agenda/old.pdf") is None
    assert store.delete_expired() == 1
    assert store.get("agenda/new.pdf").data == b"new"


def test_local_store(app, tmp_path):
    with app.app_context():
        _roundtrip(LocalStore(tmp_path, timedelta(days=30)))
    assert (tmp_path / "agenda" / "new.pdf").read_bytes() == b"new"


def test_database_store(app, db):
    _roundtrip(DatabaseStore())
    rows = db.session.scalars(select(RenderedDocument)).all()
    assert [(r.key, r.data) for r in rows] == [("agenda/new.pdf", b"new")]


def test_s3_store(app, monkeypatch):
    moto = pytest.importorskip("moto", reason="moto (the test extra) emulates S3 in the process")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    with moto.mock_aws(), app.app_context():
        store = S3Store("welcomeday-docs", "/day/2026/", region="eu-central-1")
        store.client.create_bucket(Bucket="welcomeday-docs",
                                   CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        _roundtrip(store)
        names = [o["Key"] for o in store.client.list_objects_v2(Bucket="welcomeday-docs")["Contents"]]
        assert names == ["day/2026/agenda/new.pdf"]


def test_keys_cannot_leave_the_store(app, tmp_path):
    store = LocalStore(tmp_path, timedelta(days=1))
    for key in ("../x.pdf", "a/../../x.pdf", "/etc/passwd", "", "a//b.pdf", "a\\b.pdf", "x" * 201):
        with pytest.raises(ValueError):
            store.get(key)


def test_the_store_follows_the_configuration(app):
    config = dict(app.config)
    assert isinstance(build_store(_app_with(app, DOCUMENT_STORAGE_URL="database",
                                            SQLALCHEMY_DATABASE_URI="postgresql+psycopg://h/db")), DatabaseStore)
    with pytest.raises(ValueError, match="needs a database server"):
        build_store(_app_with(app, DOCUMENT_STORAGE_URL="database", SQLALCHEMY_DATABASE_URI="sqlite:///x.db"))
    local = build_store(_app_with(app, DOCUMENT_STORAGE_URL="file:///tmp/welcomeday-docs"))
    assert isinstance(local, LocalStore) and str(local.folder) == "/tmp/welcomeday-docs"
    sqlite = build_store(_app_with(app, DOCUMENT_STORAGE_URL=None, SQLALCHEMY_DATABASE_URI="sqlite:///x.db"))
    assert isinstance(sqlite, LocalStore)
    shared = build_store(_app_with(app, DOCUMENT_STORAGE_URL="",
                                   SQLALCHEMY_DATABASE_URI="postgresql+psycopg://h/db"))
    assert isinstance(shared, DatabaseStore)
    with pytest.raises(ValueError, match="DOCUMENT_STORAGE_URL"):
        build_store(_app_with(app, DOCUMENT_STORAGE_URL="ftp://somewhere"))
    assert dict(app.config) == config


def _app_with(app, **values):
    class Stub:
        config = {**app.config, **values}
    return Stub


@pytest.fixture
def database_documents(app):
    """The database store is the default on PostgreSQL; SQLite keeps documents on the disk (see build_store)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("documents are kept in the database on PostgreSQL only (TEST_DATABASE_URL)")
    assert isinstance(storage.store(), DatabaseStore)


def test_rendered_documents_are_kept_in_the_database(app, db, client, database_documents):
    event = live_event()
    session = make_session(event, room="Hall", capacity=None)
    registration = register(event, sessions=[session])
    response = client.get(f"/e/{event.slug}/programme.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    agenda = client.get(f"/r/{registration.token}/agenda.pdf")
    assert agenda.status_code == 200 and agenda.data.startswith(b"%PDF")
    keys = {row.key.split("/")[0]: row for row in db.session.scalars(select(RenderedDocument))}
    assert set(keys) == {"programme", "agenda"}
    assert keys["programme"].data == response.data and keys["agenda"].data == agenda.data
    # served again from the store (the same bytes, a conditional request answers 304)
    again = client.get(f"/e/{event.slug}/programme.pdf", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    # a badge sheet job's result is a stored document, downloaded through the job
    team = team_for(event)
    badge_services.issue_event_badges(event)
    login(client, team["staff"])
    app.config["JOBS_EAGER"] = True
    try:
        started = client.post(f"/console/e/{event.slug}/badges", data={"layout": "2x5", "role": ""})
    finally:
        app.config["JOBS_EAGER"] = False
    assert started.status_code == 303
    job_id = int(started.location.rsplit("job=", 1)[1])
    result = client.get(f"/console/jobs/{job_id}/result")
    assert result.status_code == 200 and result.data.startswith(b"%PDF")
    assert _db.session.scalars(select(RenderedDocument).where(RenderedDocument.data == result.data)).one()


def test_an_upload_waits_in_the_store_between_preview_and_import(app, db):
    upload = imports.store_upload("full_name,email\nAna Lima,ana@example.org\n".encode())
    assert storage.get(f"imports/{upload}.csv").data.startswith(b"full_name")
    assert imports.parse(upload).rows == [["Ana Lima", "ana@example.org"]]
    storage.delete_document(f"imports/{upload}.csv")
    with pytest.raises(imports.ImportError_, match="expired"):
        imports.parse(upload)
