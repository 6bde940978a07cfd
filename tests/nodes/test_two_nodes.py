"""Two application servers and one RQ worker, each its own process, on one PostgreSQL database and one Redis.

Node A and node B are gunicorn servers on two ports, each with its own (empty) CACHE_DIR, so nothing reaches the
other through a local disk; the worker is ``flask --app wsgi worker``. A person registers on A and confirms on B
with the link the worker mailed; staff start a badge sheet on B, the worker renders it and A serves the PDF; a
scanner device revoked on A is refused by B within DEVICE_CACHE_SECONDS; the worker killed in the middle of a job
leaves the job failed and retryable, and a new worker runs the retry to its end.

Needs PostgreSQL (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379/13, emptied), and
skips with a reason otherwise. The servers run with APP_ENV=development only so that staff can read a sent mail
at /console/dev/outbox, from which the test takes the confirmation link.
"""
from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest

from tests.nodes.conftest import REDIS_URL, redis_or_skip
from tests.test_migrations import ROOT, _fresh_database

pytestmark = pytest.mark.slow

LEASE_SECONDS = 4
ATTENDEES = 60
STAFF = ("staff@two-nodes.example", "two-nodes-password-1")
LINK = re.compile(r"/r/([A-Za-z0-9_-]{20,64})")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what: str, check, timeout: float, interval: float = 0.2):
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(interval)
    pytest.fail(f"{what}: not within {timeout} s")


class Cluster:
    def __init__(self, url: str, folder):
        self.url, self.folder = url, folder
        self.env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "RQ_QUEUE": "welcomeday-two-nodes",
                    "APP_ENV": "development", "MAIL_BACKEND": "log", "SECRET_KEY": "two-nodes-" + "s" * 32,
                    "JOB_LEASE_SECONDS": str(LEASE_SECONDS), "BADGE_RENDER_PROCESSES": "1",
                    "RATELIMIT_ENABLED": "0", "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.env.pop("DOCUMENT_STORAGE_URL", None)
        self.processes: dict[str, subprocess.Popen] = {}
        self.nodes: dict[str, str] = {}

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "ab")
        env = {**self.env, "CACHE_DIR": str(self.folder / f"cache-{name}")}  # no disk shared between them
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes[name] = process
        return process

    def start_node(self, name: str) -> str:
        port = _free_port()
        self._start(name, [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "4", "-b",
                           f"127.0.0.1:{port}", "wsgi:app"])
        base = f"http://127.0.0.1:{port}"
        _wait(f"node {name} answering", lambda: _answers(base), 90)
        self.nodes[name] = base
        return base

    def start_worker(self, name: str = "worker") -> subprocess.Popen:
        return self._start(name, [sys.executable, "-m", "flask", "--app", "wsgi", "worker"])

    def kill(self, name: str) -> None:
        """SIGKILL for the process and everything it started, as a crash or a power cut would (RQ's work horse runs
        in a session of its own, so the process group is not enough)."""
        process = self.processes[name]
        for pid in [*_descendants(process.pid), process.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=10)
        del self.processes[name]

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            for pid in _descendants(process.pid):  # a work horse, in a session of its own
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)


def _descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (Linux: read from /proc), children first."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found.extend(children)
        todo.extend(children)
    return found


def _answers(base: str) -> bool:
    import requests
    try:
        return requests.get(base + "/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _seed(url: str) -> dict:
    """A welcome day happening now with ATTENDEES confirmed registrations, a staff member and a scanner device."""
    from app import create_app
    from app.accounts.models import EventRoleKind
    from app.config import TestConfig, normalise_database_url
    from sqlalchemy import update

    from app.extensions import db, utcnow
    from app.mail import OutboxMessage
    from badges.door import devices
    from tests.badges.helpers import live_event, staff_user
    from tests.factories import register
    seeder = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                         "SQLALCHEMY_DATABASE_URI": normalise_database_url(url)})
    with seeder.app_context():
        event = live_event(title="Two nodes day")
        for n in range(ATTENDEES):
            register(event, email=f"attendee{n}@two-nodes.example", name=f"Attendee Number {n}")
        staff_user(event, STAFF[0], EventRoleKind.STAFF, password=STAFF[1])
        device, secret = devices.create_device(event, "Door 1", user_id=None)
        # the seeded people's mails (with their badges and agendas) are not what this test waits for
        db.session.execute(update(OutboxMessage).values(sent_at=utcnow()))
        db.session.commit()
        seeded = {"slug": event.slug, "device_id": device.id, "device_token": secret}
        db.session.remove()
        db.engine.dispose()
    return seeded


@pytest.fixture(scope="module")
def cluster(database_url, tmp_path_factory):
    if not database_url.startswith("postgresql"):
        pytest.skip("two nodes share a PostgreSQL database: set TEST_DATABASE_URL=postgresql://…")
    redis = redis_or_skip()
    pytest.importorskip("requests")
    redis.flushdb()
    url, drop = _fresh_database(database_url)
    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    running = Cluster(plain_url, tmp_path_factory.mktemp("two-nodes"))
    try:
        upgrade = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                                 env={**running.env, "CACHE_DIR": str(running.folder / "cache-migrate")},
                                 capture_output=True, text=True, timeout=300)
        assert upgrade.returncode == 0, upgrade.stderr
        running.seeded = _seed(plain_url)
        running.start_node("a")
        running.start_node("b")
        running.start_worker()
        yield running
    finally:
        running.stop()
        redis.flushdb()
        drop()


def _engine(cluster):
    from sqlalchemy import create_engine

    from app.config import normalise_database_url
    return create_engine(normalise_database_url(cluster.url))


def _staff_session(cluster, node: str):
    """A signed-in browser session (cookies are per host, so it is signed in on both nodes: one load balancer)."""
    import requests
    browser = requests.Session()
    page = browser.get(cluster.nodes[node] + "/account/login")
    token = _csrf_in(page.text)
    answer = browser.post(cluster.nodes[node] + "/account/login", allow_redirects=False,
                          data={"email": STAFF[0], "password": STAFF[1], "csrf_token": token})
    assert answer.status_code in (302, 303), answer.text[:300]
    return browser


def _csrf_in(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def _csrf(browser, url: str) -> str:
    return _csrf_in(browser.get(url).text)


def _job(browser, cluster, node: str, job_id: int) -> dict:
    return browser.get(f"{cluster.nodes[node]}/console/jobs/{job_id}").json()


def _ended(browser, cluster, node: str, job_id: int, timeout: float, ends=("done", "failed")) -> dict:
    def check():
        job = _job(browser, cluster, node, job_id)
        return job if job["status"] in ends else None
    return _wait(f"job {job_id} ends ({' or '.join(ends)})", check, timeout, 0.5)


def _start_sheet(browser, cluster, node: str, layout: str) -> int:
    page = f"{cluster.nodes[node]}/console/e/{cluster.seeded['slug']}/badges"
    answer = browser.post(page, data={"layout": layout, "role": "", "csrf_token": _csrf(browser, page)},
                          allow_redirects=False)
    assert answer.status_code == 303, answer.text[:300]
    return int(answer.headers["Location"].rsplit("job=", 1)[1])


def test_register_on_node_a_confirm_on_node_b(cluster):
    import requests
    from sqlalchemy import text
    slug, email = cluster.seeded["slug"], f"ana-{uuid.uuid4().hex[:8]}@two-nodes.example"
    body = {"email": email, "full_name": "Ana Pérez", "country": "MX", "university": "HHU Düsseldorf",
            "degree_level": "master", "field_of_study": "Chemistry", "consent_processing": True,
            "languages": [{"code": "en", "level": "C1"}], "seeking": ["job"]}
    answer = requests.post(f"{cluster.nodes['a']}/api/v1/events/{slug}/registrations", json=body, timeout=30)
    assert answer.status_code == 202, answer.text
    engine = _engine(cluster)
    try:
        def mailed():
            with engine.connect() as conn:
                return conn.execute(text("SELECT id FROM outbox_message WHERE \"to\" = :to "
                                         "AND sent_at IS NOT NULL"), {"to": email}).scalar()
        message_id = _wait("the worker sends the confirmation mail", mailed, 60)
    finally:
        engine.dispose()
    # the development outbox page shows the mail as it was sent (rendered again from its references)
    mail = _staff_session(cluster, "b").get(f"{cluster.nodes['b']}/console/dev/outbox/{message_id}").text
    token = LINK.search(mail).group(1)
    # the worker sent it; neither web node did (they only wrote the outbox row and queued the sender)
    assert f"mail to {email}" in cluster.log("worker")
    assert email not in cluster.log("a") + cluster.log("b")
    confirmed = requests.post(f"{cluster.nodes['b']}/api/v1/registrations/{token}/confirm", timeout=30)
    assert confirmed.status_code == 200, confirmed.text
    seen = requests.get(f"{cluster.nodes['a']}/api/v1/registrations/{token}", timeout=30).json()
    assert seen["status"] == "confirmed"


def test_a_badge_sheet_started_on_b_is_rendered_by_the_worker_and_served_by_a(cluster):
    from pypdf import PdfReader
    browser = _staff_session(cluster, "b")
    job_id = _start_sheet(browser, cluster, "b", "2x5")
    done = _ended(browser, cluster, "a", job_id, 240)
    assert done["status"] == "done", done
    pdf = browser.get(f"{cluster.nodes['a']}/console/jobs/{job_id}/result")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    badges = done["result"]["count"]
    assert badges >= ATTENDEES and len(PdfReader(io.BytesIO(pdf.content)).pages) == -(-badges // 10)
    assert not any((cluster.folder / f"cache-{name}" / "badges").exists() for name in ("a", "b", "worker"))


def test_a_device_revoked_on_a_is_refused_by_b_within_the_documented_time(cluster):
    import requests

    from badges.door.devices import DEVICE_CACHE_SECONDS
    bearer = {"Authorization": f"Bearer {cluster.seeded['device_token']}"}

    def scan_on_b() -> int:
        return requests.post(f"{cluster.nodes['b']}/api/v1/checkin", headers=bearer, timeout=10, json={
            "token": "NOTABADGE", "door": "main", "nonce": uuid.uuid4().hex}).status_code

    assert scan_on_b() == 200  # B knows the device (and keeps it in its cache)
    browser = _staff_session(cluster, "a")
    door = f"{cluster.nodes['a']}/console/e/{cluster.seeded['slug']}/door"
    revoked = browser.post(f"{door}/devices/{cluster.seeded['device_id']}/revoke", allow_redirects=False,
                           data={"csrf_token": _csrf(browser, door)})
    assert revoked.status_code in (302, 303)
    revoked_at = time.monotonic()
    _wait("node B refuses the revoked device", lambda: scan_on_b() == 401, DEVICE_CACHE_SECONDS + 5, 0.2)
    assert time.monotonic() - revoked_at <= DEVICE_CACHE_SECONDS + 1.5  # the documented lifetime, and a request
    assert scan_on_b() == 401


def test_a_job_whose_worker_dies_is_reported_failed_and_retried(cluster):
    browser = _staff_session(cluster, "b")
    job_id = _start_sheet(browser, cluster, "b", "a6")  # not rendered yet: a job of some seconds
    _wait("the worker starts the job", lambda: _job(browser, cluster, "a", job_id)["status"] == "running", 120,
          0.05)
    cluster.kill("worker")
    assert _job(browser, cluster, "a", job_id)["status"] == "running"  # killed in the middle
    failed = _ended(browser, cluster, "a", job_id, LEASE_SECONDS * 3 + 10, ends=("failed",))
    assert failed["retryable"] and failed["error"].startswith("lost")
    cluster.start_worker("worker-2")
    page = f"{cluster.nodes['a']}/console/e/{cluster.seeded['slug']}/badges?job={job_id}"
    again = browser.post(cluster.nodes["a"] + failed["retry_url"], allow_redirects=False,
                         data={"csrf_token": _csrf(browser, page), "next": page})
    assert again.status_code == 303
    done = _ended(browser, cluster, "b", job_id, 240)
    assert done["status"] == "done" and done["attempt"] == 2, done
    assert browser.get(f"{cluster.nodes['b']}/console/jobs/{job_id}/result").content.startswith(b"%PDF")
