"""What users see while PostgreSQL or Redis restarts, measured.

    python bench/restarts.py [--down 5] [--after 10]

Starts a PostgreSQL of its own (initdb in a temporary directory, port 5439; as the ``postgres`` user when run as
root) and a Redis of its own (``redis-server --port 6390``), never the shared ones; migrates, creates a published
welcome day, and serves the application with gunicorn (2 sync workers, production settings, REDIS_URL set, rate
limits on) on 127.0.0.1:5511. A client loop then fetches the programme page and /readyz every 0.25 s and sends a
registration POST every 2.5 s (under the API's limit of 30 a minute), while first PostgreSQL and then Redis is
stopped (``--down`` seconds) and started again. gunicorn is never restarted. For each phase (before, down, after)
it prints what each kind of request got (status codes, or the client's error), and how long after the start the
first good answer came; afterwards it checks that no registration the server accepted is missing, and that every
mail the server wrote is either sent or still in the outbox.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import requests  # noqa: E402

PG_PORT, REDIS_PORT, APP_PORT = 5439, 6390, 5511
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise SystemExit("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    return str(versions[-1] / name)


class Postgres:
    """A PostgreSQL cluster of its own in ``directory``, on PG_PORT."""

    def __init__(self, directory: Path):
        self.data, self.log = directory / "data", directory / "postgres.log"
        directory.mkdir(parents=True, exist_ok=True)
        if AS_POSTGRES:
            shutil.chown(directory, "postgres", "postgres")
        subprocess.run(AS_POSTGRES + [pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                                      "--no-sync"], check=True, capture_output=True)
        self.options = f"-p {PG_PORT} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"

    def start(self) -> None:
        subprocess.run(AS_POSTGRES + [pg_bin("pg_ctl"), "-D", str(self.data), "-o", self.options, "-l",
                                      str(self.log), "-w", "start"], check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run(AS_POSTGRES + [pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                       check=True, capture_output=True)


class RedisServer:
    def __init__(self, directory: Path):
        self.directory, self.proc = directory, None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.directory)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True,
                              text=True).stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=15)
            self.proc = None


class Probe:
    """The client loop: every request's (kind, start time, outcome)."""

    def __init__(self, base: str, slug: str):
        self.base, self.slug = base, slug
        self.results: list[tuple[str, float, str]] = []
        self.accepted: list[str] = []
        self.stopping = threading.Event()
        self.t0 = time.monotonic()

    def _one(self, http, kind: str, method: str, url: str, **kw) -> None:
        started = time.monotonic() - self.t0
        try:
            response = http.request(method, url, timeout=10, **kw)
            outcome = str(response.status_code)
            if kind == "register" and response.status_code == 202:
                self.accepted.append(kw["json"]["email"])
        except requests.RequestException as error:
            outcome = type(error).__name__
        self.results.append((kind, started, outcome))

    def run(self) -> None:
        n = 0
        with requests.Session() as http:
            while not self.stopping.is_set():
                self._one(http, "page", "GET", f"{self.base}/e/{self.slug}/")
                self._one(http, "readyz", "GET", f"{self.base}/readyz")
                if n % 10 == 0:
                    email = f"probe{n}@example.org"
                    self._one(http, "register", "POST", f"{self.base}/api/v1/events/{self.slug}/registrations",
                              json={"email": email, "full_name": f"Probe {n}", "country": "IN",
                                    "university": "RWTH Aachen", "degree_level": "master",
                                    "field_of_study": "Physics", "consent_processing": True, "sessions": []})
                n += 1
                time.sleep(0.25)


def summarise(probe: Probe, label: str, start_at: float, down_at: float, up_at: float, end_at: float) -> None:
    print(f"\n{label}: stopped at {down_at:.1f} s, running again at {up_at:.1f} s")
    phases = (("before", start_at, down_at), ("down", down_at, up_at), ("after", up_at, end_at))
    for kind in ("page", "register", "readyz"):
        line = []
        for phase, start, end in phases:
            outcomes = Counter(o for k, t, o in probe.results if k == kind and start <= t < end)
            line.append(f"{phase}: " + (", ".join(f"{o} ×{n}" for o, n in sorted(outcomes.items())) or "–"))
        ok = "202" if kind == "register" else "200"
        good_after = [t for k, t, o in probe.results if k == kind and up_at <= t < end_at and o == ok]
        bad_after = [t for k, t, o in probe.results if k == kind and up_at <= t < end_at and o != ok
                     and (not good_after or t > good_after[0])]
        first = f"first {ok} {good_after[0] - up_at:.1f} s after the start" if good_after else f"no {ok} after"
        print(f"  {kind:8} {' | '.join(line)}; {first}; failures after that: {len(bad_after)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--down", type=float, default=5.0, help="seconds each service stays stopped")
    parser.add_argument("--after", type=float, default=10.0, help="seconds watched after each restart")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="welcomeday-restarts-"))
    directory.chmod(0o755)  # the postgres user works in a directory below it
    postgres, redis = Postgres(directory / "pg"), RedisServer(directory)
    gunicorn = None
    try:
        postgres.start()
        redis.start()
        url = f"postgresql://postgres@127.0.0.1:{PG_PORT}/welcomeday"
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{PG_PORT}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE welcomeday")
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
               "APP_ENV": "production", "SECRET_KEY": "restarts-" + os.urandom(8).hex(), "MAIL_BACKEND": "memory",
               "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        from bench.registration import seed
        slug, _ = seed(env, "restart-day")
        gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                                     f"127.0.0.1:{APP_PORT}", "--log-level", "warning", "--timeout", "30",
                                     "wsgi:app"], cwd=ROOT, env=env, stderr=open(directory / "gunicorn.log", "w"))
        base = f"http://127.0.0.1:{APP_PORT}"
        deadline = time.monotonic() + 60
        while not _up(base):
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)
        probe = Probe(base, slug)
        loop = threading.Thread(target=probe.run, daemon=True)
        loop.start()
        marks = {}
        for label, service in (("PostgreSQL", postgres), ("Redis", redis)):
            start_at = time.monotonic() - probe.t0
            time.sleep(3)
            down_at = time.monotonic() - probe.t0
            service.stop()
            time.sleep(args.down)
            service.start()
            up_at = time.monotonic() - probe.t0
            time.sleep(args.after)
            marks[label] = (start_at, down_at, up_at, time.monotonic() - probe.t0)
        probe.stopping.set()
        loop.join(timeout=30)
        print(f"welcomeday under restarts: gunicorn 2 sync workers (never restarted), PostgreSQL and Redis of its "
              f"own, each stopped for {args.down:.0f} s")
        for label, times in marks.items():
            summarise(probe, label, *times)
        with psycopg.connect(url) as conn:
            stored = {row[0] for row in conn.execute("select email from attendee")}
            unsent = conn.execute("select count(*) from outbox_message where sent_at is null").fetchone()[0]
            written = conn.execute("select count(*) from outbox_message").fetchone()[0]
        lost = sorted(set(probe.accepted) - stored)
        print(f"\nregistrations accepted (202): {len(probe.accepted)}, missing in the database: {len(lost)}; "
              f"mails written: {written}, not sent yet (kept in the outbox for the next sender): {unsent}")
        print(f"gunicorn still the same process: {gunicorn.poll() is None}")
        logged = Counter(line.split(" on ")[0].split("] ")[-1] for line in
                         (directory / "gunicorn.log").read_text().splitlines() if " on " in line)
        print("gunicorn's log: " + ("; ".join(f"{n} × {what}" for what, n in logged.most_common(5)) or "nothing"))
        return 0 if not lost and gunicorn.poll() is None else 1
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=15)
        redis.stop()
        try:
            postgres.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(directory, ignore_errors=True)


def _up(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


if __name__ == "__main__":
    sys.exit(main())
