"""Operations: /healthz and /readyz, one JSON log line per request with its id, Prometheus metrics behind a token
(and on a port of their own, summed over gunicorn's workers in multiprocess mode)."""
from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, text

from app import create_app
from app.config import TestConfig
from app.extensions import db as _db
from app.extensions import utcnow
from app.jobs import Job, JobStatus
from app.mail import OutboxMessage
from tests.factories import make_event, register
from tests.ops.test_wheel import _free_port, _wait_until_serving

CHECKOUT = Path(__file__).resolve().parents[2]


def _app(tmp_path, **overrides):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'ops.db'}", CACHE_DIR=str(tmp_path / "cache"))
    config.update(overrides)
    return create_app(config)


def _closed_port() -> int:
    return _free_port()  # nothing listens there


@pytest.fixture
def migrated(tmp_path):
    app = _app(tmp_path)
    with app.app_context():
        upgrade()
    return app


def test_healthz_answers_without_the_database(tmp_path):
    app = _app(tmp_path, SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/none")
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["status"] == "unavailable"
    assert ready.json["checks"]["database"].startswith("failed: ")


def test_readyz_is_ready_on_a_migrated_database_and_names_the_check_that_fails(migrated, tmp_path):
    client = migrated.test_client()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "redis": "not configured",
                                                          "migrations": "ok"}}
    with migrated.app_context():  # the code is newer than the database: a deploy before `flask db upgrade`
        head = _db.session.scalar(text("SELECT version_num FROM alembic_version"))
        _db.session.execute(text("UPDATE alembic_version SET version_num = 'aa9caff78220'"))
        _db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["migrations"] == f"not at head: database at aa9caff78220, code at {head}"


def test_readyz_checks_redis_when_it_is_configured(migrated, tmp_path):
    migrated.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    response = migrated.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["checks"]["redis"].startswith("failed: ")
    assert response.json["checks"]["database"] == "ok" and response.json["checks"]["migrations"] == "ok"
    migrated.config["REDIS_URL"] = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    response = migrated.test_client().get("/readyz")
    if response.json["checks"]["redis"].startswith("failed"):
        pytest.skip("no Redis at TEST_REDIS_URL (redis://127.0.0.1:6379/15)")
    assert response.status_code == 200 and response.json["checks"]["redis"] == "ok"


@pytest.fixture
def json_logs(app):
    """An app with LOG_FORMAT=json on the test database; yields (client, the lines it logged)."""
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    logged = _app_json(app)
    yield logged
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in before[0]:
        root.addHandler(handler)
    root.setLevel(before[1])


def _app_json(app):
    json_app = create_app({**app.config, "LOG_FORMAT": "json"})
    stream = io.StringIO()
    json_app.extensions["log_handler"].setStream(stream)
    return json_app.test_client(), lambda: [json.loads(line) for line in stream.getvalue().splitlines()]


def test_one_json_line_per_request_with_its_id_and_the_route_not_the_secret_path(db, json_logs):
    client, lines = json_logs
    registration = register(make_event(), "ana@example.org")
    token = registration.token
    _db.session.commit()  # the link, stored when first built; the second app has its own connection
    response = client.get(f"/r/{token}", headers={"X-Request-Id": "lb-2f6c1a.7"})
    assert response.status_code == 200 and response.headers["X-Request-Id"] == "lb-2f6c1a.7"
    (line,) = [line for line in lines() if line["logger"] == "welcomeday.requests"]
    assert line["request_id"] == "lb-2f6c1a.7" and line["status"] == 200 and line["method"] == "GET"
    assert line["route"] == "/r/<token>" and line["endpoint"] == "public.my_registration"
    assert line["duration_ms"] >= 0 and line["level"] == "info"
    assert token not in json.dumps(lines())  # a secret link never reaches the log

    forged = client.get("/healthz", headers={"X-Request-Id": "bad id\twith spaces"})
    new_id = forged.headers["X-Request-Id"]
    assert new_id != "bad id\twith spaces" and len(new_id) == 32
    assert lines()[-1]["request_id"] == new_id and lines()[-1]["route"] == "/healthz"
    assert client.get("/no/such/page").status_code == 404
    assert lines()[-1]["route"] is None and lines()[-1]["status"] == 404


def _scrape(client, token="scrape-token") -> dict:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    return _samples(response.get_data(as_text=True))


def _samples(exposition: str) -> dict:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(exposition) for sample in family.samples}


def test_metrics_are_served_only_with_the_token(app, client, monkeypatch):
    assert client.get("/metrics").status_code == 404  # METRICS_TOKEN not set: not served at all
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-token")
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-it"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")


def test_metrics_count_requests_by_endpoint_and_show_the_queue_and_the_outbox(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-token")
    key = ("welcomeday_http_requests_total", (("endpoint", "ops.healthz"), ("method", "GET"), ("status", "200")))
    before = _scrape(client).get(key, 0)
    for _ in range(3):
        client.get("/healthz")
    event = make_event()
    register(event, "ana@example.org")
    register(event, "ben@example.org")  # their mails wait in the outbox (tests send by hand)
    waiting = _db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None)))
    assert waiting >= 2
    _db.session.execute(OutboxMessage.__table__.update().where(OutboxMessage.to == "ana@example.org")
                        .values(created_at=utcnow() - timedelta(hours=1)))
    _db.session.add_all([Job(kind="badges.sheet", status=JobStatus.QUEUED),
                         Job(kind="badges.sheet", status=JobStatus.RUNNING)])
    _db.session.commit()

    samples = _scrape(client)
    assert samples[key] == before + 3
    assert samples[("welcomeday_http_request_duration_seconds_count",
                    (("endpoint", "ops.healthz"), ("method", "GET")))] >= 3
    assert samples[("welcomeday_jobs", (("status", "queued"),))] == 1
    assert samples[("welcomeday_jobs", (("status", "running"),))] == 1
    assert samples[("welcomeday_outbox_backlog", ())] == samples[("welcomeday_outbox_due", ())] == waiting
    assert 3600 <= samples[("welcomeday_outbox_oldest_due_age_seconds", ())] < 3600 + 600
    assert samples[("welcomeday_outbox_given_up", ())] == 0
    assert not [k for k in samples if k[0].startswith("welcomeday_http") and ("endpoint", "metrics.metrics") in k[1]]


@pytest.mark.slow
def test_gunicorn_workers_are_summed_in_multiprocess_mode_and_served_on_a_port_of_their_own(tmp_path):
    """Two gunicorn workers (own processes) count into PROMETHEUS_MULTIPROC_DIR; the app's /metrics (any worker)
    and `flask metrics serve` (a process of its own on METRICS_PORT, which answers no request) both show the sum
    of every worker's figures."""
    (tmp_path / "prom").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "REDIS_URL")}
    env.update(APP_ENV="production", SECRET_KEY="metrics-test-secret-0123456789", METRICS_TOKEN="scrape-token",
               DATABASE_URL=f"sqlite:///{tmp_path / 'site.db'}", CACHE_DIR=str(tmp_path / "cache"),
               PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prom"), PYTHONPATH=str(CHECKOUT))
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=CHECKOUT, env=env,
                   check=True, capture_output=True)
    port, metrics_port = _free_port(), _free_port()
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:app.gunicorn_conf", "-w", "2", "-b",
                            f"127.0.0.1:{port}", "wsgi:app"], cwd=CHECKOUT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    exporter = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "metrics", "serve", "--port",
                                 str(metrics_port)], cwd=CHECKOUT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    try:
        _wait_until_serving(f"http://127.0.0.1:{port}/healthz", web)
        _wait_until_serving(f"http://127.0.0.1:{metrics_port}/metrics", exporter)
        for _ in range(40):  # with keep-alive off, the two workers share them
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").close()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                         headers={"Authorization": "Bearer scrape-token"})
        key = ("welcomeday_http_requests_total", (("endpoint", "ops.healthz"), ("method", "GET"),
                                                  ("status", "200")))
        via_app = _samples(urllib.request.urlopen(request).read().decode())
        via_port = _samples(urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics").read().decode())
        healthz_before = 1  # _wait_until_serving's successful request
        assert via_app[key] == via_port[key] == 40 + healthz_before
        assert via_port[("welcomeday_outbox_backlog", ())] == 0
        # The exporter answered none of the requests: it adds up what the workers wrote (whichever answered).
        writers = {name.rsplit("_", 1)[1].split(".")[0] for name in os.listdir(tmp_path / "prom")}
        assert writers and str(exporter.pid) not in writers
    finally:
        for process in (web, exporter):
            process.terminate()
            process.wait(timeout=60)
