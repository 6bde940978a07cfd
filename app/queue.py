"""The application's Redis connection and RQ queue (when ``REDIS_URL`` is set): jobs and the mail sender use them.

One connection pool per application, kept on ``app.extensions``. The queue's name is ``RQ_QUEUE`` (default
``welcomeday``); several installations may share one Redis by giving each its own database number in
``REDIS_URL`` (``redis://host:6379/3``) or their own queue name.
"""
from __future__ import annotations

from flask import Flask, current_app
from redis import Redis
from rq import Queue


def redis_url(app: Flask | None = None) -> str | None:
    return (app or current_app).config.get("REDIS_URL") or None


def connection(app: Flask | None = None) -> Redis:
    app = app or current_app
    found = app.extensions.get("welcomeday.redis")
    if found is None:
        # Short timeouts: a web request that writes a mail must not hang on a Redis that restarts.
        found = app.extensions["welcomeday.redis"] = Redis.from_url(
            app.config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=2)
    return found


def queue(app: Flask | None = None) -> Queue:
    app = app or current_app
    return Queue(app.config.get("RQ_QUEUE") or "welcomeday", connection=connection(app))
