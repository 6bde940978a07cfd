"""gunicorn settings for several workers with Prometheus metrics: ``gunicorn -c python:app.gunicorn_conf …``.

With PROMETHEUS_MULTIPROC_DIR set, each worker writes its figures to files there (app/metrics.py); a worker that
stops has its live figures dropped here. Other settings come from the command line or GUNICORN_CMD_ARGS.
"""
from __future__ import annotations

import os

from prometheus_client import multiprocess


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
