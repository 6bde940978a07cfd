"""Prometheus metrics (prometheus_client): requests by endpoint, their latency, the job queue and the mail outbox.

Never public. Served at ``/metrics`` on the application only when METRICS_TOKEN is set, to requests that bring
``Authorization: Bearer <METRICS_TOKEN>`` (404 otherwise, so the path does not even show it exists without the
setting); or on a port of its own, reachable only from inside, by ``flask --app wsgi metrics serve --port N``.

Several gunicorn workers each count their own requests. With PROMETHEUS_MULTIPROC_DIR set (an empty directory
made before gunicorn starts, emptied at each start), prometheus_client keeps the counts in files there and every
scrape adds up all workers; start gunicorn with ``-c python:app.gunicorn_conf`` so a stopped worker's live figures
are dropped. The queue and outbox figures are read from the database (and Redis) at each scrape.
"""
from __future__ import annotations

import hmac
import os
import time

import click
from flask import Blueprint, Response, abort, current_app, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram,
                               generate_latest, multiprocess, start_http_server)
from prometheus_client.core import GaugeMetricFamily
from redis import Redis
from sqlalchemy import func, select

from app.extensions import csrf, db, limiter, utcnow
from app.jobs import Job, JobStatus
from app.mail import OutboxMessage

REQUESTS = Counter("welcomeday_http_requests", "HTTP requests answered", ["method", "endpoint", "status"])
LATENCY = Histogram("welcomeday_http_request_duration_seconds", "Time to answer a request", ["method", "endpoint"],
                    buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
RQ_QUEUE = "welcomeday"

bp = Blueprint("metrics", __name__)
csrf.exempt(bp)
limiter.exempt(bp)


class BacklogCollector:
    """Figures read at each scrape: jobs waiting and running, the RQ queue, the outbox's backlog and the age of
    the oldest mail that is due and not sent."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        with self.app.app_context():
            try:
                yield from self._from_database()
            except Exception:  # a scrape during a database outage still answers with the request figures
                self.app.logger.warning("metrics: the database did not answer", exc_info=True)
            finally:
                db.session.remove()
            if self.app.config.get("REDIS_URL"):
                yield from self._from_redis()

    def _from_database(self):
        jobs = GaugeMetricFamily("welcomeday_jobs", "Background jobs by status (queued: the queue's depth)",
                                 labels=["status"])
        counts = dict(db.session.execute(select(Job.status, func.count()).where(
            Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING))).group_by(Job.status)).all())
        for status in (JobStatus.QUEUED, JobStatus.RUNNING):
            jobs.add_metric([status.value], counts.get(status, 0))
        yield jobs
        now = utcnow()
        unsent = (OutboxMessage.sent_at.is_(None),
                  OutboxMessage.attempts < self.app.config["MAIL_MAX_ATTEMPTS"])
        backlog, due, oldest = db.session.execute(select(
            func.count(),
            func.count().filter(OutboxMessage.next_attempt_at <= now),
            func.min(OutboxMessage.created_at).filter(OutboxMessage.next_attempt_at <= now)).where(*unsent)).one()
        given_up = db.session.scalar(select(func.count()).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.attempts >= self.app.config["MAIL_MAX_ATTEMPTS"]))
        yield GaugeMetricFamily("welcomeday_outbox_backlog", "Mails not sent yet (and not given up)", value=backlog)
        yield GaugeMetricFamily("welcomeday_outbox_due", "Mails due to be sent now", value=due)
        yield GaugeMetricFamily("welcomeday_outbox_oldest_due_age_seconds",
                                "Seconds since the oldest due, unsent mail was written (0: none due)",
                                value=(now - oldest).total_seconds() if oldest else 0)
        yield GaugeMetricFamily("welcomeday_outbox_given_up", "Mails given up after MAIL_MAX_ATTEMPTS",
                                value=given_up)

    def _from_redis(self):
        try:
            client = Redis.from_url(self.app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2)
            length = client.llen(f"rq:queue:{RQ_QUEUE}")
            client.close()
        except Exception:
            self.app.logger.warning("metrics: Redis did not answer", exc_info=True)
            return
        yield GaugeMetricFamily("welcomeday_rq_queue_length", "Jobs waiting in the RQ queue", value=length)


def scrape_registry(app) -> CollectorRegistry:
    """Every worker's request figures (multiprocess mode) and the backlog, for a scrape."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    registry.register(BacklogCollector(app))
    return registry


def exposition(app) -> bytes:
    """The metrics text: all workers' figures in multiprocess mode, else this process's (requests and
    prometheus_client's process figures), then the backlog."""
    own = b"" if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else generate_latest(REGISTRY)
    return own + generate_latest(scrape_registry(app))


@bp.get("/metrics")
def metrics():
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return Response("metrics need Authorization: Bearer <METRICS_TOKEN>\n", 401,
                        {"WWW-Authenticate": 'Bearer realm="metrics"', "Content-Type": "text/plain"})
    return Response(exposition(current_app), 200, {"Content-Type": CONTENT_TYPE_LATEST})


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _counted(response):
    started = g.get("metrics_started")
    endpoint = request.endpoint or "none"  # unmatched paths share one label: no path (or token) becomes a label
    if endpoint != "metrics.metrics":
        key = (request.method, endpoint, response.status_code)
        children = current_app.extensions["metrics"]
        counter_and_histogram = children.get(key)
        if counter_and_histogram is None:  # prometheus_client's labels() checks and locks on every call
            counter_and_histogram = children[key] = (REQUESTS.labels(request.method, endpoint, str(key[2])),
                                                     LATENCY.labels(request.method, endpoint))
        counter, histogram = counter_and_histogram
        counter.inc()
        if started is not None:
            histogram.observe(time.perf_counter() - started)
    return response


def init_app(app) -> None:
    app.extensions["metrics"] = {}  # (method, endpoint, status) -> the request counter's and histogram's children
    app.before_request(_started)
    app.after_request(_counted)
    app.register_blueprint(bp)

    @app.cli.group("metrics")
    def metrics_group() -> None:
        """Prometheus metrics."""

    @metrics_group.command("serve")
    @click.option("--port", type=int, default=lambda: app.config["METRICS_PORT"], show_default="METRICS_PORT")
    @click.option("--host", default="127.0.0.1", show_default=True)
    def serve(port: int, host: str) -> None:
        """Serve the metrics on a port of their own (the web workers' figures need PROMETHEUS_MULTIPROC_DIR)."""
        server, thread = start_http_server(port, addr=host, registry=scrape_registry(app))
        click.echo(f"metrics on http://{host}:{port}/metrics")
        try:
            thread.join()
        except KeyboardInterrupt:
            server.shutdown()
