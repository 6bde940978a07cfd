"""Logs: with LOG_FORMAT=json, every log record is one JSON line, and every request writes one more.

The request line names the route (``/r/<token>``), never the path or the query: paths and queries carry secret
links. Each request has an id: a well-formed ``X-Request-Id`` from the load balancer, else a new one; it is sent
back as ``X-Request-Id`` and is in every line logged while the request runs, so a proxy's, the app's and the
database's logs can be joined.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import secrets
import time
from datetime import datetime, timezone

from flask import g, has_request_context, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
ACCESS_LOGGER = "welcomeday.requests"
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        if has_request_context() and "request_id" in g:
            line["request_id"] = g.request_id
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def _start() -> None:
    given = request.headers.get("X-Request-Id")
    g.request_id = given if given and REQUEST_ID.match(given) else secrets.token_hex(16)
    g.request_started = time.perf_counter()


def _finish(response):
    response.headers["X-Request-Id"] = g.get("request_id") or ""
    return response


def _log_request(response):
    started = g.get("request_started")
    logging.getLogger(ACCESS_LOGGER).info(
        "request", extra={"method": request.method, "route": request.url_rule.rule if request.url_rule else None,
                          "endpoint": request.endpoint, "status": response.status_code,
                          "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
                          "remote_addr": request.remote_addr})
    return response


def configure_json(stream=None) -> logging.Handler:
    """The root logger writes JSON lines (to ``stream``, default stderr), replacing the handlers it had."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger(ACCESS_LOGGER).setLevel(logging.INFO)
    return handler


def init_app(app) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    if app.config.get("LOG_FORMAT") == "json":
        app.extensions["log_handler"] = configure_json()
        app.after_request(_log_request)
    elif not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
