"""Pantau served by gunicorn on 127.0.0.1, and HTTP clients that sign in to it through the login form: shared by
``bench/soak.py`` (faults under load) and ``bench/bench_throughput.py`` (a page mix beside a floor page).

A library, not a benchmark: run as a script it does nothing.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 comes back as an HTTPError: the answer is the redirect itself


class Client:
    """One browser: its own cookie jar (its session), no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str, dict]:
        """(status, body, headers); status 0 when the connection failed (a killed worker)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        sent = {"Accept": "text/html", **(headers or {})}
        req = urllib.request.Request(self.base + path, data=body, headers=sent)  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)
        except (OSError, urllib.error.URLError):
            return 0, "", {}


def field(html: str, name: str) -> str | None:
    """The value of the form's input ``name`` (``None`` when the page has none)."""
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    if not tag:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def sign_in(client: Client, email: str, password: str, attempts: int = 5) -> bool:
    """Sign ``client`` in through the login form with its CSRF token (302 = signed in); retried a few times, a
    second apart (a worker busy or restarting)."""
    for _attempt in range(attempts):
        _status, html, _h = client.request("/login")
        token = field(html, "csrf_token")
        status, _b, _h = client.request(
            "/login", {"csrf_token": token or "", "email": email, "password": password, "next": ""}
        )
        if status == 302:
            return True
        time.sleep(1)
    return False


def wait_for(base: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if Client(base).request("/login")[0] == 200:
            return True
        time.sleep(0.3)
    return False


@contextlib.contextmanager
def gunicorn(app: str, workers: int, env: dict, *options: str) -> Iterator[tuple[subprocess.Popen, str, str]]:
    """gunicorn serving ``app`` (``module:variable`` or ``module:factory()``) with ``workers`` sync workers on a
    free port of 127.0.0.1, from the project's root; yields (the process, its base URL, its log file). Stopped
    (TERM, then KILL) whatever happens."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="pantau-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"{HOST}:{port}", *options, app],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        yield process, f"http://{HOST}:{port}", log.name
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0
