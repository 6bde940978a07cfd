"""The wheel carries everything: installed alone, outside the checkout, it migrates, loads the demo and serves.

The test builds the wheel (``pip wheel --no-deps``, the build step of setup.py copies templates, static files,
translations and migrations into ``app/bundled/`` and compiles the catalogues), creates a fresh virtual
environment in a temporary directory outside the checkout and installs the wheel there with ``--no-deps``. The
dependencies are made importable without downloading them by a ``.pth`` file that lists the test's own
site-packages: a path line in a .pth adds that directory but does not process the .pth files inside it, so the
checkout's editable install stays invisible and ``app`` can only come from the wheel (asserted: ``app.__file__``
is inside the new environment, and every command runs with a temporary directory as its working directory).
The dependencies' console scripts are not in the new environment, so ``flask`` and ``gunicorn`` run as
``python -m flask`` and ``python -m gunicorn``.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest
from icalendar import Calendar

CHECKOUT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.no_database]  # the installed app runs on its own SQLite file


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def _wait_until_serving(url: str, server: subprocess.Popen) -> None:
    """Polls until the server answers (no time limit is asserted: a busy machine only makes it slower)."""
    while server.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=30).close()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"the server stopped: {server.stdout.read()}")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(CHECKOUT)],
                   check=True, cwd=out)
    (built,) = out.glob("welcomeday-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Path:
    """A fresh venv outside the checkout with only the wheel installed; returns its python."""
    home = tmp_path_factory.mktemp("venv")
    assert not home.is_relative_to(CHECKOUT)
    venv.EnvBuilder(with_pip=True).create(home / "env")
    python = home / "env" / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "welcomeday-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True,
                   cwd=home)
    return python


def test_the_wheel_holds_templates_static_files_compiled_catalogues_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("app/bundled/templates/base.html", "app/bundled/static/css/app.css",
                     "app/bundled/translations/de/LC_MESSAGES/messages.mo",
                     "app/bundled/translations/nl/LC_MESSAGES/messages.mo",
                     "app/bundled/migrations/env.py", "app/bundled/migrations/alembic.ini",
                     "app/bundled/static/vendor/barcode-detector/zxing_reader.wasm"):
        assert expected in names
    migrations = {p.name for p in (CHECKOUT / "migrations" / "versions").glob("*.py")}
    assert {n.rsplit("/", 1)[1] for n in names if n.startswith("app/bundled/migrations/versions/")} == migrations
    assert not any(n.startswith(("templates/", "static/", "tests/")) for n in names)


def test_installed_wheel_migrates_loads_the_demo_and_serves_from_any_directory(installed, tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PYTHON"))}
    env.update(APP_ENV="development", DATABASE_URL=f"sqlite:///{work / 'site.db'}", CACHE_DIR=str(work / "cache"))
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL_TEST", None)

    def run(*args: str, **extra) -> str:
        done = subprocess.run([str(installed), *args], cwd=work, env={**env, **extra}, capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    where = run("-c", "import os, app; print(app.__file__); print(os.getcwd())").split()
    assert Path(where[0]).is_relative_to(installed.parent.parent)
    assert Path(where[1]) == work and not work.is_relative_to(CHECKOUT)

    run("-m", "flask", "--app", "app", "db", "upgrade")
    run("-m", "flask", "--app", "app", "demo", "--attendees", "10")
    port = _free_port()
    production = {**env, "APP_ENV": "production", "SECRET_KEY": "wheel-test-secret-key-0123456789"}
    server = subprocess.Popen([str(installed), "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
                               "app:create_app()"], cwd=work, env=production, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base + "/", server)
        status, _, body = _get(base + "/?lang=de")
        assert status == 200 and "Willkommenstag" in body.decode()  # the compiled German catalogue
        assert "Willkommenstag" not in _get(base + "/?lang=en")[2].decode()
        slug = body.decode().split('href="/e/', 1)[1].split("/", 1)[0]
        status, kind, pdf = _get(f"{base}/e/{slug}/programme.pdf")
        assert status == 200 and kind == "application/pdf" and pdf.startswith(b"%PDF")
        status, kind, ics = _get(f"{base}/e/{slug}/programme.ics")
        assert status == 200 and kind.startswith("text/calendar")
        assert Calendar.from_ical(ics).walk("VEVENT")
        status, kind, css = _get(base + "/static/css/app.css")
        assert status == 200 and kind.startswith("text/css") and css
    finally:
        server.terminate()
        server.wait(timeout=60)
