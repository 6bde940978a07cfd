"""A real threaded WSGI server for tests that need the whole HTTP path (sockets, threads, connection pool)."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from werkzeug.serving import make_server


@contextlib.contextmanager
def live_server(app) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 from a thread, one thread per request; yields the base URL. The port is any
    free one the system gives (several test runs share this machine; werkzeug exits, not raises, on a taken port)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
