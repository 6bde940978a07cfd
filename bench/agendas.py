"""Benchmark of agendas: personal agenda PDFs, and personal calendar feed requests against a Flask baseline.

    /work/main/.venv/bin/python bench/agendas.py                 # 500 agendas, 2000 feed requests
    /work/main/.venv/bin/python bench/agendas.py --quick         # 50 agendas, 500 feed requests
    ... bench/agendas.py --database-url postgresql://postgres@127.0.0.1:5432/wd_agendas   # PostgreSQL
      (the database's tables are created, filled with the demo and DROPPED again at the end)

1. PDFs: the demo data (SQLite in a temporary folder, or --database-url) with --attendees attendees; one personal agenda per
   registration rendered from an empty cache in this process (WeasyPrint, with the QR badge), then once more
   from the cache. Reports agendas per second, p50 and p95 per agenda.
2. Feeds: gunicorn (sync workers) on 127.0.0.1:5201 serving the app, and on :5202 a minimal Flask app answering
   a small JSON document, the baseline of the same run. A thread pool sends --requests GETs to each (keep-alive,
   --concurrency at a time) for personal feeds of different attendees; reports p50/p99 latency and requests/s.
Both servers are stopped at the end, whatever happens; every stage has a time limit.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORTS = (5201, 5202)


def make_baseline():
    """The baseline server's app: Flask answering a small JSON document, nothing else."""
    from flask import Flask, jsonify
    app = Flask("baseline")

    @app.get("/calendar/<token>.ics")
    def feed(token):
        return jsonify({"token": token, "ok": True})

    return app


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def bench_pdfs(app, limit: int) -> dict:
    from sqlalchemy import select

    from app.extensions import db
    from events.agendas.documents import agenda_for_registration
    from events.registration.models import Registration
    with app.app_context():
        ids = db.session.scalars(select(Registration.id).order_by(Registration.id).limit(limit)).all()
        times = []
        start = time.perf_counter()
        for rid in ids:
            t0 = time.perf_counter()
            agenda_for_registration(db.session.get(Registration, rid))
            db.session.commit()
            times.append(time.perf_counter() - t0)
        total = time.perf_counter() - start
        cached = []
        for rid in ids[:100]:
            t0 = time.perf_counter()
            agenda_for_registration(db.session.get(Registration, rid))
            cached.append(time.perf_counter() - t0)
    return {"n": len(ids), "per_s": len(ids) / total, "p50": statistics.median(times), "p95": percentile(times, 95),
            "cached_p50": statistics.median(cached)}


def feed_paths(app, count: int) -> list[str]:
    from sqlalchemy import select

    from app.extensions import db
    from events.agendas.feeds import feed_token
    from events.registration.models import Registration
    with app.app_context():
        ids = db.session.scalars(select(Registration.id).order_by(Registration.id).limit(count)).all()
        return [f"/calendar/{feed_token(registration_id=rid)}.ics" for rid in ids]


def wait_ready(port: int, path: str, timeout: float = 30) -> None:
    import requests
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}{path}", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer 200 on {path}")


def load(port: int, paths: list[str], requests_total: int, concurrency: int) -> dict:
    import threading

    import requests
    local = threading.local()

    def one(i: int) -> float:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        t0 = time.perf_counter()
        response = session.get(f"http://127.0.0.1:{port}{paths[i % len(paths)]}", timeout=30)
        elapsed = time.perf_counter() - t0
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code} from port {port}")
        return elapsed

    for i in range(min(50, requests_total)):  # warm up every worker
        one(i)
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        times = list(pool.map(one, range(requests_total)))
    total = time.perf_counter() - start
    return {"n": requests_total, "rps": requests_total / total, "p50": statistics.median(times) * 1000,
            "p99": percentile(times, 99) * 1000}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="50 agendas and 500 feed requests")
    ap.add_argument("--attendees", type=int, default=500)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers per server")
    ap.add_argument("--database-url", help="a scratch PostgreSQL database (default: SQLite in a temporary folder)")
    args = ap.parse_args(argv)
    if args.quick:
        args.attendees, args.requests = 50, 500

    folder = Path(tempfile.mkdtemp(prefix="wd-bench-agendas-"))
    database_url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    env = {**os.environ, "DATABASE_URL": database_url, "CACHE_DIR": str(folder / "cache"),
           "SECRET_KEY": "bench-secret", "MAIL_BACKEND": "log", "MAIL_SEND_AFTER_COMMIT": "0",
           "BASE_URL": "http://127.0.0.1:5201"}
    os.environ.update(env)
    servers: list[subprocess.Popen] = []
    app = None
    try:
        import logging

        from app import create_app
        from app.extensions import db
        from events.demo import load_demo
        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        app = create_app()
        with app.app_context():
            if args.database_url:
                db.drop_all()
            db.create_all()
            load_demo(attendees=args.attendees)
        backend = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print(f"# agendas benchmark ({args.attendees} attendees, {backend}, python {sys.version.split()[0]})")
        pdf = bench_pdfs(app, args.attendees)
        print(f"\npersonal agenda PDFs: {pdf['n']} rendered, {pdf['per_s']:.1f}/s, p50 {pdf['p50'] * 1000:.0f} ms, "
              f"p95 {pdf['p95'] * 1000:.0f} ms; from the cache p50 {pdf['cached_p50'] * 1000:.1f} ms")

        paths = feed_paths(app, 200)
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        common = [gunicorn, "--workers", str(args.workers), "--worker-class", "sync", "--log-level", "warning",
                  "--chdir", str(ROOT)]
        servers.append(subprocess.Popen(common + ["--bind", f"127.0.0.1:{PORTS[0]}", "wsgi:app"], env=env))
        servers.append(subprocess.Popen(common + ["--bind", f"127.0.0.1:{PORTS[1]}",
                                                  "bench.agendas:make_baseline()"], env=env))
        wait_ready(PORTS[0], paths[0])
        wait_ready(PORTS[1], paths[0])
        feed = load(PORTS[0], paths, args.requests, args.concurrency)
        base = load(PORTS[1], paths, args.requests, args.concurrency)
        print(f"\nfeed requests: gunicorn, {args.workers} sync workers, {args.concurrency} concurrent clients, "
              f"{args.requests} requests each")
        print("| endpoint | p50 ms | p99 ms | req/s |\n|---|---|---|---|")
        print(f"| personal feed (.ics) | {feed['p50']:.1f} | {feed['p99']:.1f} | {feed['rps']:.0f} |")
        print(f"| Flask JSON baseline | {base['p50']:.1f} | {base['p99']:.1f} | {base['rps']:.0f} |")
        print(f"\nfeed throughput is {feed['rps'] / base['rps']:.0%} of the baseline")
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.database_url and app is not None:
            from app.extensions import db
            with app.app_context():
                db.session.remove()
                db.drop_all()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
