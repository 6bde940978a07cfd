"""A real threaded WSGI server for tests that need the whole HTTP path (sockets, threads, connection pool)."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from werkzeug.serving import make_server

# The ports this project's tests may use for servers they start (the benchmark uses 5501 and 5502).
PORTS = range(5503, 5510)


@contextlib.contextmanager
def live_server(app) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 from a thread, one thread per request; yields the base URL."""
    server = None
    for port in PORTS:
        try:
            server = make_server("127.0.0.1", port, app, threaded=True)
            break
        except OSError:  # taken by a parallel run
            continue
    if server is None:
        raise RuntimeError(f"no free port in {PORTS.start}–{PORTS.stop - 1}")
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
