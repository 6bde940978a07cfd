"""Rendered documents (badge sheets, agendas, booklets, uploads between two steps) where every node reads them.

One small interface, ``DocumentStore`` (``put``, ``get``, ``delete``), with three backends chosen by
``DOCUMENT_STORAGE_URL``:

- ``file:///path`` (or ``local``): files under a folder (default CACHE_DIR), the embedded default with SQLite;
  only the machine that wrote a file can serve it.
- ``database``: the ``rendered_document`` table, the default when the database is not SQLite (and refused with
  SQLite), so that a badge sheet rendered by a worker is downloaded from any web node. Each write commits on its own connection: a cached
  document is not part of the caller's transaction.
- ``s3://bucket/prefix``: S3-compatible object storage through boto3 (endpoint, region and keys from
  ``DOCUMENT_STORAGE_ENDPOINT`` and the usual ``AWS_*`` variables or instance credentials).

Keys are paths such as ``badges/<fingerprint>.pdf``. Every document has a lifetime (``DOCUMENT_LIFETIME_DAYS``, or
the ``lifetime`` given to ``put``): an expired one is not returned, and ``delete_expired`` removes it (run by
``flask --app wsgi documents purge``, e.g. from cron with ``purge``). Rendered documents are keyed by a
fingerprint of what went into them, so an expired one is simply rendered again.
"""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import LargeBinary, String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import UTCDateTime, db, utcnow

CONTENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".csv": "text/csv", ".ics": "text/calendar"}


class RenderedDocument(db.Model):
    """A rendered document kept in the shared database (the ``database`` backend)."""
    __tablename__ = "rendered_document"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


@dataclass(frozen=True)
class StoredDocument:
    key: str
    content_type: str
    data: bytes
    created_at: datetime

    def read_bytes(self) -> bytes:  # as a Path would: what callers of the old file cache read
        return self.data

    @property
    def etag(self) -> str:
        return self.key.rsplit("/", 1)[-1].split(".", 1)[0]


class DocumentStore(Protocol):
    name: str

    def put(self, key: str, data: bytes, content_type: str, expires_at: datetime) -> StoredDocument: ...

    def get(self, key: str) -> StoredDocument | None: ...

    def delete(self, key: str) -> None: ...

    def delete_expired(self) -> int: ...


def content_type_for(key: str) -> str:
    return CONTENT_TYPES.get(Path(key).suffix.lower(), "application/octet-stream")


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or len(key) > 200 or any(p in ("", ".", "..") for p in parts) or "\\" in key or "\x00" in key:
        raise ValueError(f"not a document key: {key[:80]!r}")
    return key


# ------------------------------------------------------------------------------------------------ local disk

class LocalStore:
    """Files under one folder; the lifetime is the file's age (its modification time)."""
    name = "local"

    def __init__(self, folder: str | Path, lifetime: timedelta):
        self.folder = Path(folder)
        self.lifetime = lifetime

    def _path(self, key: str) -> Path:
        return self.folder / _check_key(key)

    def put(self, key: str, data: bytes, content_type: str, expires_at: datetime) -> StoredDocument:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)  # readers see the old file or the new one, never half of one
        # The expiry is kept as the file's time: a shorter lifetime than the store's makes the file look older.
        stamp = (expires_at - self.lifetime).timestamp()
        os.utime(path, (stamp, stamp))
        return StoredDocument(key, content_type, data, utcnow())

    def get(self, key: str) -> StoredDocument | None:
        path = self._path(key)
        try:
            stat = path.stat()
            if time.time() - stat.st_mtime > self.lifetime.total_seconds():
                return None
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        return StoredDocument(key, content_type_for(key), data, datetime.fromtimestamp(stat.st_mtime, timezone.utc))

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_expired(self) -> int:
        removed, limit = 0, time.time() - self.lifetime.total_seconds()
        for path in self.folder.rglob("*"):
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


# ------------------------------------------------------------------------------------------------ database

class DatabaseStore:
    """Rows of ``rendered_document`` in the application's database, each write on a connection of its own."""
    name = "database"

    def put(self, key: str, data: bytes, content_type: str, expires_at: datetime) -> StoredDocument:
        now, table = utcnow(), RenderedDocument.__table__
        values = {"key": _check_key(key), "content_type": content_type, "data": data, "created_at": now,
                  "expires_at": expires_at}
        dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(table).values(**values)
        # Two nodes may render the same document at once: the last one wins, both are the same bytes.
        statement = statement.on_conflict_do_update(index_elements=[table.c.key], set_={
            name: statement.excluded[name] for name in ("content_type", "data", "created_at", "expires_at")})
        with db.engine.begin() as conn:
            conn.execute(statement)
        return StoredDocument(key, content_type, data, now)

    def get(self, key: str) -> StoredDocument | None:
        table = RenderedDocument.__table__
        with db.engine.connect() as conn:
            row = conn.execute(select(table.c.content_type, table.c.data, table.c.created_at)
                               .where(table.c.key == key, table.c.expires_at > utcnow())).first()
        return StoredDocument(key, row.content_type, bytes(row.data), row.created_at) if row else None

    def delete(self, key: str) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(RenderedDocument.__table__).where(RenderedDocument.__table__.c.key == key))

    def delete_expired(self) -> int:
        table = RenderedDocument.__table__
        with db.engine.begin() as conn:
            return conn.execute(delete(table).where(table.c.expires_at <= utcnow())).rowcount


# ------------------------------------------------------------------------------------------------ S3

class S3Store:
    """Objects in an S3-compatible bucket under a prefix; the expiry travels as the object's ``Expires``."""
    name = "s3"

    def __init__(self, bucket: str, prefix: str, *, endpoint_url: str | None = None, region: str | None = None):
        # boto3 loads only where S3 is configured: it costs every process a quarter of a second and much memory.
        import boto3
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None)

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{_check_key(key)}" if self.prefix else _check_key(key)

    def put(self, key: str, data: bytes, content_type: str, expires_at: datetime) -> StoredDocument:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=content_type,
                               Expires=expires_at)
        return StoredDocument(key, content_type, data, utcnow())

    def get(self, key: str) -> StoredDocument | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey:
            return None
        expires = answer.get("Expires")
        if expires is not None and expires <= utcnow():
            return None
        return StoredDocument(key, answer.get("ContentType") or content_type_for(key), answer["Body"].read(),
                              answer.get("LastModified") or utcnow())

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def delete_expired(self) -> int:
        """Usually a bucket lifecycle rule does this; here each object's ``Expires`` is read."""
        removed, now = 0, utcnow()
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}/" if self.prefix else "")
        for page in pages:
            for item in page.get("Contents", []):
                head = self.client.head_object(Bucket=self.bucket, Key=item["Key"])
                if head.get("Expires") is not None and head["Expires"] <= now:
                    self.client.delete_object(Bucket=self.bucket, Key=item["Key"])
                    removed += 1
        return removed


# ------------------------------------------------------------------------------------------------ choosing

def build_store(app: Flask) -> DocumentStore:
    """The store that ``DOCUMENT_STORAGE_URL`` names; unset: the database unless it is SQLite, else the disk."""
    url = (app.config.get("DOCUMENT_STORAGE_URL") or "").strip()
    lifetime = timedelta(days=app.config.get("DOCUMENT_LIFETIME_DAYS", 30))
    if not url:
        url = "local" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "database"
    if url == "local":
        return LocalStore(app.config["CACHE_DIR"], lifetime)
    if url == "database":
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            # SQLite has one writer: a document written on a connection of its own would wait for the request's
            raise ValueError("DOCUMENT_STORAGE_URL=database needs a database server (PostgreSQL); with SQLite "
                             "documents are kept on the local disk")
        return DatabaseStore()
    parsed = urlparse(url)
    if parsed.scheme == "file" and parsed.path:
        return LocalStore(parsed.path, lifetime)
    if parsed.scheme == "s3" and parsed.netloc:
        return S3Store(parsed.netloc, parsed.path, endpoint_url=app.config.get("DOCUMENT_STORAGE_ENDPOINT"),
                       region=app.config.get("DOCUMENT_STORAGE_REGION"))
    raise ValueError(f"DOCUMENT_STORAGE_URL must be local, database, file:///folder or s3://bucket/prefix, "
                     f"not {url!r}")


def store() -> DocumentStore:
    """The application's document store (built once per application)."""
    found = current_app.extensions.get("welcomeday.documents")
    if found is None:
        found = current_app.extensions["welcomeday.documents"] = build_store(current_app)
    return found


def put(key: str, data: bytes, content_type: str | None = None, *,
        lifetime: timedelta | None = None) -> StoredDocument:
    days = current_app.config.get("DOCUMENT_LIFETIME_DAYS", 30)
    expires_at = utcnow() + (lifetime if lifetime is not None else timedelta(days=days))
    return store().put(key, data, content_type or content_type_for(key), expires_at)


def get(key: str) -> StoredDocument | None:
    _check_key(key)
    return store().get(key)


def delete_document(key: str) -> None:
    store().delete(key)


@click.group("documents")
def documents_cli() -> None:
    """Rendered documents (badge sheets, agendas, booklets)."""


@documents_cli.command("purge")
@with_appcontext
def purge_documents() -> None:
    """Remove expired documents from the document store."""
    click.echo(f"removed {store().delete_expired()} expired documents from the {store().name} store")


def init_app(app: Flask) -> None:
    app.extensions["welcomeday.documents"] = build_store(app)
    app.cli.add_command(documents_cli)
