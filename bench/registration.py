"""Benchmark: many attendees register at once through gunicorn + PostgreSQL.

    python bench/registration.py [--attendees 2000] [--clients 50] [--existing 20000]

Creates a fresh database (dropped afterwards), migrates it, creates a welcome day whose sessions have limited
seats, starts gunicorn on 127.0.0.1:5501 and the baseline (one Flask route returning jsonify) on :5502 with the
same set-up, lets the clients register (in rounds that take turns with the baseline's, so that the noise of a
shared machine falls on both alike), and prints throughput, latency, seats overbooked and registrations lost
(both checked in SQL afterwards; both must be 0).

Flat cost (issue 12): a second welcome day, the same programme but with an overall capacity and ``--existing``
registrations already there (bulk-inserted in SQL, each with a seat in one session), takes the same number of
registrations in rounds of its own, taking turns with the empty day's. The server CPU of each (gunicorn's workers
plus the database's backends, read from /proc around each round) is reported per registration, side by side, with
the ratio; and the same for the public programme page of both days. With ``--existing 0`` that run is skipped.

gunicorn: WORKERS sync workers (2 × CPUs). Registrations for one event serialise on the event's row lock, so
more concurrency in the server only queues inside PostgreSQL; sync workers keep each request's cost lowest.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import requests  # noqa: E402

WORKERS = int(os.environ.get("BENCH_WORKERS", max(2, 2 * (os.cpu_count() or 1))))
SLOTS, PARALLEL, CAPACITY = 4, 4, 120  # 16 sessions: 4 time slots × 4 rooms, 120 seats each


def run(cmd, env, **kw):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=300, **kw)


def create_database(admin_url: str) -> tuple[str, str]:
    name = f"welcomeday_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(env, slug: str = "bench-day", capacity: int | None = None,
         seats: int = CAPACITY) -> tuple[str, list[list[int]]]:
    """A published welcome day with SLOTS × PARALLEL sessions of ``seats`` seats and an overall ``capacity``;
    returns its slug and the session ids per slot."""
    code = f"""
import json
from datetime import datetime, timedelta, timezone
from app import create_app
from app.extensions import db
from events.programme.models import Event, EventStatus, Session
app = create_app()
with app.app_context():
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=20)
    event = Event(slug="{slug}", title="Benchmark welcome day", starts_at=start,
                  ends_at=start + timedelta(hours=8), registration_opens_at=start - timedelta(days=30),
                  registration_closes_at=start - timedelta(hours=1), status=EventStatus.PUBLISHED,
                  capacity={capacity})
    db.session.add(event)
    slots = []
    for slot in range({SLOTS}):
        ids = []
        for room in range({PARALLEL}):
            s = Session(event=event, title=f"Workshop {{slot}}-{{room}}", capacity={seats},
                        starts_at=start + timedelta(hours=slot), ends_at=start + timedelta(hours=slot, minutes=50))
            db.session.add(s)
            db.session.flush()
            ids.append(s.id)
        slots.append(ids)
    db.session.commit()
    print(json.dumps(slots))
"""
    out = run([sys.executable, "-c", code], env).stdout.strip().splitlines()[-1]
    import json
    return slug, json.loads(out)


def add_existing(url: str, env, slug: str, slots: list[list[int]], n: int) -> None:
    """``n`` confirmed registrations for the day, each with a seat in one of its sessions, inserted in SQL (a
    second each way), then the counters set by a recount (the way they would be after the migration)."""
    sessions = [sid for ids in slots for sid in ids]
    with psycopg.connect(url) as conn:
        event_id = conn.execute("select id from event where slug = %s", (slug,)).fetchone()[0]
        conn.execute("""insert into attendee (email, full_name, badge_name, country, university, field_of_study,
                            languages, seeking, locale, created_at, updated_at)
                        select 'existing' || g || '@example.org', 'Existing Attendee ' || g, 'Existing', 'IN',
                               'RWTH Aachen', 'Physics', '{"en": "C1"}', '["job"]', 'en', now(), now()
                        from generate_series(1, %s) g""", (n,))
        conn.execute("""insert into registration (event_id, attendee_id, status, consent_processing_at,
                            consent_processing_version, consent_sharing_version, created_at, email_confirmed_at,
                            cancel_reason, updated_at)
                        select %s, a.id, 'confirmed', now(), 'bench', '', now(), now(), '', now()
                        from attendee a where a.email like 'existing%%'""", (event_id,))
        conn.execute("""insert into enrolment (registration_id, session_id, status, queue_seq, sequence, created_at,
                            updated_at)
                        select r.id, (%s::int[])[1 + r.id %% %s], 'confirmed', 0, 0, now(), now()
                        from registration r where r.event_id = %s""", (sessions, len(sessions), event_id))
        conn.execute("analyze")
    # The counters, where there are counters (this script also measures code from before them).
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "registrations", "recount", "--fix"], cwd=ROOT,
                   env=env, capture_output=True, text=True, timeout=300)


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def server_cpu(master: subprocess.Popen, monitor, database: str) -> float:
    """CPU seconds used so far by gunicorn's workers and by the database's backends (not the monitor's own)."""
    workers = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    backends = [row[0] for row in monitor.execute(
        "select pid from pg_stat_activity where datname = %s and pid <> pg_backend_pid()", (database,))]
    return sum(_cpu_of(int(pid)) for pid in workers) + sum(_cpu_of(pid) for pid in backends)


def fetch(url: str, n: int, clients: int) -> list[int]:
    """GET the page ``n`` times from ``clients`` threads; returns the statuses."""
    local = threading.local()

    def get(_):
        try:
            return local.http.get(url, timeout=60).status_code
        except requests.RequestException:
            return -1

    with ThreadPoolExecutor(max_workers=clients, initializer=lambda: setattr(local, "http", requests.Session())) \
            as pool:
        return list(pool.map(get, range(n)))


def start_gunicorn(app_path: str, port: int, env, procs: list) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "sync",
                             "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning",
                             app_path], cwd=ROOT, env=env)
    procs.append(proc)  # stopped by main's finally whatever happens next
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/events", timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn on {port} did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def load(url: str, bodies: list[dict], clients: int) -> tuple[float, list[float], list[int]]:
    """POST every body from ``clients`` threads with keep-alive sessions; returns (seconds, latencies, statuses)."""
    local = threading.local()
    latencies = [0.0] * len(bodies)
    statuses = [0] * len(bodies)
    def post(i):
        t0 = time.perf_counter()
        try:
            response = local.http.post(url, json=bodies[i], timeout=60)
            statuses[i] = response.status_code
        except requests.RequestException:
            statuses[i] = -1
        latencies[i] = time.perf_counter() - t0

    with ThreadPoolExecutor(max_workers=clients, initializer=lambda: setattr(local, "http", requests.Session())) \
            as pool:
        list(pool.map(lambda _: time.sleep(0.01), range(clients)))  # start every thread before the clock runs
        t0 = time.perf_counter()
        list(pool.map(post, range(len(bodies))))
        elapsed = time.perf_counter() - t0
    return elapsed, latencies, statuses


def percentiles(latencies: list[float]) -> str:
    q = statistics.quantiles(latencies, n=100)
    return f"p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds of registrations and baseline")
    parser.add_argument("--existing", type=int, default=20000,
                        help="registrations already there on the second day, which has an overall capacity")
    parser.add_argument("--views", type=int, default=200, help="programme page views per day")
    args = parser.parse_args()
    admin_url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name, url = create_database(admin_url)
    env = {**os.environ, "DATABASE_URL": url, "MAIL_BACKEND": "memory", "MAIL_SEND_AFTER_COMMIT": "0",
           "RATELIMIT_ENABLED": "0", "SECRET_KEY": "bench", "PYTHONPATH": str(ROOT)}
    procs: list[subprocess.Popen] = []
    try:
        run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], env)
        slug, slots = seed(env)
        rng = random.Random(7)
        bodies = []
        for n in range(args.attendees):
            chosen = [rng.choice(slots[s]) for s in rng.sample(range(SLOTS), rng.randint(1, 3))]
            bodies.append({"email": f"bench{n}@example.org", "full_name": f"Bench Attendee {n}",
                           "country": "IN", "university": "RWTH Aachen", "degree_level": "master",
                           "field_of_study": "Physics", "consent_processing": True, "sessions": chosen,
                           "languages": [{"code": "en", "level": "C1"}], "seeking": ["job"]})
        full_bodies = []
        if args.existing:
            per_session = -(-args.existing // (SLOTS * PARALLEL))
            full_slug, full_slots = seed(env, "bench-day-full", capacity=args.existing + 10 * args.attendees,
                                         seats=CAPACITY + per_session)
            add_existing(url, env, full_slug, full_slots, args.existing)
            index = {sid: (s, r) for s, ids in enumerate(slots) for r, sid in enumerate(ids)}
            full_bodies = [dict(body, email="full-" + body["email"],
                                sessions=[full_slots[index[sid][0]][index[sid][1]] for sid in body["sessions"]])
                           for body in bodies]
        start_gunicorn("wsgi:app", 5501, env, procs)
        start_gunicorn("bench.support.baseline_app:app", 5502, env, procs)
        master, monitor = procs[0], psycopg.connect(url, autocommit=True)

        # Warm up every worker of both servers (connections, prepared statements, caches) before the clock runs.
        warm = [dict(body, email=f"warm-{n}@example.org") for n, body in enumerate(bodies[:4 * WORKERS])]
        _, _, warm_statuses = load(f"http://127.0.0.1:5501/api/v1/events/{slug}/registrations", warm, WORKERS)
        if full_bodies:
            warm_full = [dict(body, email=f"warm-{n}@example.org")
                         for n, body in enumerate(full_bodies[:4 * WORKERS])]
            warm_statuses += load("http://127.0.0.1:5501/api/v1/events/bench-day-full/registrations", warm_full,
                                  WORKERS)[2]
            for day in (slug, "bench-day-full"):
                fetch(f"http://127.0.0.1:5501/e/{day}/", 4 * WORKERS, WORKERS)
        load("http://127.0.0.1:5502/ping", [{}] * len(warm), WORKERS)
        # Interleaved rounds: this machine is shared, and a slow minute should not fall on one server only.
        elapsed = base_elapsed = 0.0
        latencies, statuses, base_latencies, base_statuses = [], [], [], []
        size = -(-len(bodies) // args.rounds)
        cpu = {"empty": 0.0, "full": 0.0, "view empty": 0.0, "view full": 0.0}
        full_elapsed, full_statuses, view_statuses = 0.0, [], []
        for r in range(args.rounds):
            part = bodies[r * size:(r + 1) * size]
            before = server_cpu(master, monitor, name)
            seconds, lat, st = load(f"http://127.0.0.1:5501/api/v1/events/{slug}/registrations", part, args.clients)
            cpu["empty"] += server_cpu(master, monitor, name) - before
            elapsed, latencies, statuses = elapsed + seconds, latencies + lat, statuses + st
            if full_bodies:
                before = server_cpu(master, monitor, name)
                seconds, _, st = load("http://127.0.0.1:5501/api/v1/events/bench-day-full/registrations",
                                      full_bodies[r * size:(r + 1) * size], args.clients)
                cpu["full"] += server_cpu(master, monitor, name) - before
                full_elapsed, full_statuses = full_elapsed + seconds, full_statuses + st
                for key, day in (("view empty", slug), ("view full", "bench-day-full")):
                    before = server_cpu(master, monitor, name)
                    view_statuses += fetch(f"http://127.0.0.1:5501/e/{day}/", args.views // args.rounds, 8)
                    cpu[key] += server_cpu(master, monitor, name) - before
            seconds, lat, st = load("http://127.0.0.1:5502/ping", [{}] * len(part), args.clients)
            base_elapsed, base_latencies = base_elapsed + seconds, base_latencies + lat
            base_statuses = base_statuses + st
        monitor.close()
        for proc in procs:
            stop(proc)
        procs.clear()

        accepted = {bodies[i]["email"] for i, s in enumerate(statuses) if s == 202}
        accepted |= {full_bodies[i]["email"] for i, s in enumerate(full_statuses) if s == 202}
        with psycopg.connect(url) as conn:
            overbooked = conn.execute("""
                select coalesce(sum(greatest(taken - s.capacity, 0)), 0) from session s join (
                    select e.session_id, count(*) as taken from enrolment e
                    join registration r on r.id = e.registration_id
                    where e.status = 'confirmed' and r.status in ('pending', 'confirmed')
                    group by e.session_id) t on t.session_id = s.id""").fetchone()[0]
            stored = {row[0] for row in conn.execute(
                "select a.email from attendee a join registration r on r.attendee_id = a.id")}
            waitlisted = conn.execute("select count(*) from enrolment where status = 'waitlisted'").fetchone()[0]
        lost = len(accepted - stored)
        reg_rate = args.attendees / elapsed
        base_rate = args.attendees / base_elapsed
        errors = sum(1 for s in statuses + warm_statuses + full_statuses if s != 202)
        errors += sum(1 for s in view_statuses if s != 200)
        print(f"welcomeday registration benchmark: {args.attendees} attendees, {args.clients} clients, "
              f"gunicorn {WORKERS} sync workers, PostgreSQL")
        print(f"registrations:   {reg_rate:8.1f} /s  ({percentiles(latencies)}); non-202 answers: {errors}")
        print(f"baseline (ping): {base_rate:8.1f} /s  ({percentiles(base_latencies)}); "
              f"non-202 answers: {sum(1 for s in base_statuses if s != 202)}")
        print(f"ratio registrations/baseline: {reg_rate / base_rate:.3f} (aim: at least 0.333)")
        print(f"seats overbooked: {overbooked}   registrations lost: {lost}   "
              f"enrolments waitlisted: {waitlisted}")
        counted = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "registrations", "recount"],
                                 cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        print(f"counters against a recount: {(counted.stdout.strip().splitlines() or ['no recount command'])[-1]}")
        if full_bodies:
            per = {key: value / args.attendees * 1000 for key, value in cpu.items() if not key.startswith("view")}
            views = args.views // args.rounds * args.rounds
            per.update({key: value / views * 1000 for key, value in cpu.items() if key.startswith("view")})
            print(f"flat cost: an empty day against a day with an overall capacity and {args.existing} registrations")
            print(f"  server CPU per registration (gunicorn workers + PostgreSQL backends): "
                  f"{per['empty']:.2f} ms against {per['full']:.2f} ms, ratio {per['full'] / per['empty']:.2f}; "
                  f"registrations/s {args.attendees / elapsed:.1f} against {args.attendees / full_elapsed:.1f}")
            print(f"  server CPU per programme page view: {per['view empty']:.2f} ms against "
                  f"{per['view full']:.2f} ms, ratio {per['view full'] / per['view empty']:.2f}")
        return 0 if overbooked == 0 and lost == 0 and errors == 0 else 1
    finally:
        for proc in procs:
            stop(proc)
        drop_database(admin_url, name)


if __name__ == "__main__":
    sys.exit(main())
