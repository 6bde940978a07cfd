"""Benchmark: the check-in API under gunicorn + PostgreSQL, against a minimal Flask JSON endpoint.

    /work/main/.venv/bin/python bench/checkin.py [--registrations 5000] [--clients 8] [--scans 3000]

Creates its own database (dropped afterwards) with one welcome day and N confirmed registrations with badges,
starts gunicorn (same workers for both apps) on 127.0.0.1, and sends scans from concurrent client processes
over keep-alive connections:

- welcomeday: POST /api/v1/checkin with a device token; every scan is a first scan of a distinct badge (the
  full path: token check, badge and holder lookup, check-in insert, scan log, commit).
- baseline-write: a minimal Flask app (no extensions, no ORM) doing the least a check-in must: parse the same
  JSON, one indexed SELECT of the badge by its token hash, one INSERT … ON CONFLICT DO NOTHING of the
  admission (psycopg, one autocommit connection per thread, the same commit durability as ours). The 60%
  aim is measured against this one.
- baseline-read: the same without the INSERT (a pure read), for reference.
- floor: welcomeday's own application (configuration, extensions, every request hook) with the baseline-write
  view in place of the scan's: what the application around a scan costs, apart from the scan's own work.

The four servers run side by side and take turns in interleaved rounds (the machine is shared: a slow minute
should not fall on one of them only). Reports scans/s and p50/p99 latency for each, and the ratios. Bounded: every
phase has a time limit, and the
servers are stopped and the database dropped whatever happens.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
_PORT = int(os.environ.get("BENCH_PORT", "5103"))
PORTS = {"welcomeday": _PORT, "baseline-read": _PORT + 1, "baseline-write": _PORT + 2, "floor": _PORT + 3}

BASELINE_APP = '''
import hashlib, os, threading
import psycopg
from flask import Flask, jsonify, request
app = Flask(__name__)
_local = threading.local()
WRITE = os.environ.get("BASELINE_MODE") == "write"
def conn():
    if not hasattr(_local, "conn"):
        # the same connection settings as the check-in fast path: autocommit, no wait for the WAL flush
        _local.conn = psycopg.connect(os.environ["BASELINE_DSN"], autocommit=True,
                                      options=os.environ.get("BASELINE_PG_OPTIONS", ""))
    return _local.conn
@app.post("/api/v1/checkin")
def checkin():
    body = request.get_json()
    token_hash = hashlib.sha256(body["token"].encode()).hexdigest()
    row = conn().execute("SELECT id, event_id FROM badge WHERE token_hash = %s", (token_hash,)).fetchone()
    if row is None:
        return jsonify({"status": "rejected", "reason": "invalid"})
    if WRITE:  # the least a check-in must do: record the admission, once
        conn().execute("INSERT INTO bench_baseline_checkin (badge_id, door, nonce) VALUES (%s, %s, %s) "
                       "ON CONFLICT DO NOTHING", (row[0], body["door"], body["nonce"]))
    return jsonify({"status": "ok", "id": row[0]})
'''
# welcomeday's application answering the scanner's URL with the view above (its hooks, CSRF exemption and all)
FLOOR_APP = BASELINE_APP + '''
from wsgi import app as welcomeday
welcomeday.view_functions["scanner_api.check_in"] = checkin
app = welcomeday
'''


def admin(sql: str) -> None:
    import psycopg
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def seed(database_url: str, registrations: int) -> tuple[str, list[str]]:
    """One live welcome day, N confirmed registrations with badges; returns (device token, badge tokens)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-secret")  # production settings refuse the public default
    from datetime import timedelta

    from app import create_app
    from app.extensions import db, utcnow
    from badges.door import devices
    from badges import tokens
    from badges.models import Badge
    from events.registration.models import Attendee, Registration, RegistrationStatus
    from events.programme.models import Event, EventStatus
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url.replace("postgresql://", "postgresql+psycopg://")})
    with app.app_context():
        db.create_all()
        now = utcnow()
        event = Event(slug="bench-day", title="Bench day", starts_at=now - timedelta(hours=1),
                      ends_at=now + timedelta(hours=8), status=EventStatus.PUBLISHED)
        db.session.add(event)
        db.session.flush()
        attendees = [Attendee(email=f"p{i}@example.org", full_name=f"Person {i}", badge_name=f"P{i}")
                     for i in range(registrations)]
        db.session.add_all(attendees)
        db.session.flush()
        regs = [Registration(event_id=event.id, attendee_id=a.id, status=RegistrationStatus.CONFIRMED)
                for a in attendees]
        db.session.add_all(regs)
        db.session.flush()
        plain = []
        for reg in regs:
            badge = Badge(event_id=event.id, registration_id=reg.id, version=1, token_hash="")
            badge.role = badge.role or tokens.BadgeRole.ATTENDEE
            token = tokens.token_for(badge)
            badge.token_hash = tokens.hash_token(token)
            plain.append(token)
            db.session.add(badge)
        db.session.commit()
        db.session.execute(db.text("CREATE TABLE bench_baseline_checkin (id serial PRIMARY KEY, badge_id int, "
                                   "door varchar(24), nonce varchar(64), at timestamptz DEFAULT now(), "
                                   "UNIQUE (badge_id, door))"))
        db.session.commit()
        _device, secret = devices.create_device(event, "bench", user_id=None)
        db.session.remove()
        db.engine.dispose()
    return secret, plain


def start(name: str, database_url: str, workers: int, threads: int, folder: Path) -> subprocess.Popen:
    mode = "write" if name in ("baseline-write", "floor") else "read"
    env = {**os.environ, "DATABASE_URL": database_url, "BASELINE_DSN": database_url, "PYTHONPATH": str(ROOT),
           "BASELINE_MODE": mode,
           # The same commit durability for ours and the baseline: BENCH_SYNCHRONOUS_COMMIT=0 measures both
           # without waiting for the WAL flush.
           "CHECKIN_SYNCHRONOUS_COMMIT": os.environ.get("BENCH_SYNCHRONOUS_COMMIT", "1"),
           "BASELINE_PG_OPTIONS": ("" if os.environ.get("BENCH_SYNCHRONOUS_COMMIT", "1") == "1"
                                   else "-c synchronous_commit=off"),
           "MAIL_BACKEND": "log", "CACHE_DIR": str(folder / "cache")}
    if name == "welcomeday":
        target, cwd = "wsgi:app", ROOT
    elif name == "floor":
        (folder / "floor_app.py").write_text(FLOOR_APP)
        target, cwd = "floor_app:app", folder
    else:
        (folder / "baseline_app.py").write_text(BASELINE_APP)
        target, cwd = "baseline_app:app", folder
    cmd = [str(Path(PYTHON).parent / "gunicorn"), "-w", str(workers), "--threads", str(threads), "-b",
           f"127.0.0.1:{PORTS[name]}", "--log-level", "warning", target]
    process = subprocess.Popen(cmd, cwd=cwd, env=env, start_new_session=True)
    deadline = time.monotonic() + 120  # four workers importing the app on a busy machine
    import http.client
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORTS[name], timeout=2)
            conn.request("GET", "/nothing-here")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"{name} server did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _client(args) -> tuple[float, float, list[float]]:
    """Scan ``my_tokens`` one after the other; returns (wall-clock start, end, latencies)."""
    port, secret, my_tokens, deadline, go = args
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {secret}"}
    latencies = []
    while time.time() < go:  # every client process is up before the first scan
        time.sleep(0.005)
    began = time.time()
    for i, token in enumerate(my_tokens):
        if time.monotonic() > deadline:
            break
        # nonces are 16 to 64 of [A-Za-z0-9_-] (badges/door/inputs.py NONCE_PATTERN)
        body = json.dumps({"token": token, "door": "main", "nonce": f"{os.getpid()}-{i}-{token[:16]}"})
        start = time.perf_counter()
        conn.request("POST", "/api/v1/checkin", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - start)
        if response.status != 200 or b'ok"' not in payload:
            raise RuntimeError(f"unexpected answer {response.status}: {payload[:200]!r}")
    return began, time.time(), latencies


def load(name: str, secret: str, scan_tokens: list[str], clients: int, limit_s: float) -> dict:
    """Scans from ``clients`` processes, all starting together; the clock runs from the first scan to the last
    answer (not while the processes start)."""
    chunks = [scan_tokens[i::clients] for i in range(clients)]
    deadline = time.monotonic() + limit_s
    go = time.time() + 2.0
    with mp.get_context("spawn").Pool(clients) as pool:
        results = pool.map(_client, [(PORTS[name], secret, chunk, deadline, go) for chunk in chunks])
    elapsed = max(end for _, end, _ in results) - min(began for began, _, _ in results)
    latencies = sorted(x for _, _, r in results for x in r)
    return {"name": name, "scans": len(latencies), "seconds": elapsed, "per_s": len(latencies) / elapsed,
            "latencies": latencies}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--scans", type=int, default=3000, help="scans per server (at most half the registrations)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=float, default=90, help="seconds per server at most")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per server")
    args = parser.parse_args()
    dbname = f"wd_bench_checkin_{os.getpid()}"
    database_url = ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname
    servers: list[subprocess.Popen] = []
    admin(f'CREATE DATABASE "{dbname}"')
    try:
        t0 = time.perf_counter()
        secret, plain = seed(database_url, args.registrations)
        print(f"seeded {args.registrations} registrations in {time.perf_counter() - t0:.1f} s; "
              f"gunicorn -w {args.workers} --threads {args.threads}; {args.clients} client processes; "
              f"{os.cpu_count()} CPUs (clients and servers share them)", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            # Every scan is a first scan: the two servers that write get badges of their own; the read-only
            # baseline reads the same badges as welcomeday.
            scans = min(args.scans, len(plain) // 2)
            names = ("baseline-read", "baseline-write", "floor", "welcomeday")
            # The floor writes the baseline's table, for welcomeday's badges: none of its admissions is there yet.
            own = {"welcomeday": plain[:scans], "baseline-read": plain[:scans], "baseline-write": plain[scans:2 * scans],
                   "floor": plain[:scans]}
            for name in names:  # all four up at once; an idle server costs nothing
                servers.append(start(name, database_url, args.workers, args.threads, Path(folder)))
                load(name, secret, own[name][:50], min(4, args.clients), 20)  # warm up every worker
            # Interleaved rounds: this machine is shared, and a slow minute should not fall on one server only.
            rounds = args.rounds
            parts: dict[str, list[dict]] = {name: [] for name in names}
            for r in range(rounds):
                for name in names:
                    chunk = own[name][50:][r::rounds]
                    parts[name].append(load(name, secret, chunk, args.clients, args.limit / rounds))
            results = []
            for name in names:
                done = sum(p["scans"] for p in parts[name])
                seconds = sum(p["seconds"] for p in parts[name])
                latencies = sorted(x for p in parts[name] for x in p["latencies"])
                result = {"name": name, "scans": done, "seconds": seconds, "per_s": done / seconds,
                          "p50_ms": 1000 * statistics.median(latencies),
                          "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}
                results.append(result)
                each = ", ".join(f"{part['per_s']:.0f}" for part in parts[name])
                print(f"{name:<14} {result['scans']:5d} scans in {result['seconds']:5.1f} s  "
                      f"{result['per_s']:7.1f} scans/s  p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms"
                      f"  (rounds: {each} /s)", flush=True)
        read, write, floor, ours = results
        print(f"welcomeday check-in throughput: {100 * ours['per_s'] / write['per_s']:.0f}% of the minimal "
              f"Flask check-in (lookup + insert; aim: at least 60%), {100 * ours['per_s'] / read['per_s']:.0f}% "
              f"of a minimal read-only endpoint; welcomeday's application with the minimal view (floor): "
              f"{100 * floor['per_s'] / write['per_s']:.0f}% of the minimal check-in")
    finally:
        for server in servers:
            stop(server)
        admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


if __name__ == "__main__":
    main()
