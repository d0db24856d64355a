"""The soak's clients (bench/soak.py): threads signed in as the demo officer that read pages and move permits
against 127.0.0.1, and the recorder of their answers."""

from __future__ import annotations

import http.cookiejar
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

EMAIL, PASSWORD = "petugas@pantau.test", "pantau-demo"
READ_PATHS = ["/", "/permits", "/estates"]
MOVE_SHARE = 0.25


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 comes back as an HTTPError: the move's answer is the redirect itself


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        """(status, body, headers); status 0 when the connection failed (a killed worker)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Accept": "text/html"})  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)
        except (OSError, urllib.error.URLError):
            return 0, "", {}


def field(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    if not tag:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def targets(html: str) -> list[str]:
    select = re.search(r'<select[^>]*name="target".*?</select>', html, re.S)
    if not select:
        return []
    return [v for v in re.findall(r'<option[^>]*value="([^"]*)"', select.group(0)) if v]


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: list[tuple[float, float, int, str]] = []  # (start, seconds, status, kind)
        self.accepted = 0
        self.lost_moves = 0  # the POST's answer never came (its worker was killed): outcome unknown
        self.refused_moves: dict[int, int] = {}

    def add(self, start: float, seconds: float, status: int, kind: str) -> None:
        with self.lock:
            self.samples.append((start, seconds, status, kind))


def client_loop(base: str, permit_ids: list[int], start_at: float, stop_at: float, rec: Recorder, seed: int):
    rng = random.Random(seed)
    client = Client(base)
    for _attempt in range(5):
        status, html, _h = client.request("/login")
        token = field(html, "csrf_token")
        status, _b, headers = client.request(
            "/login", {"csrf_token": token or "", "email": EMAIL, "password": PASSWORD, "next": ""}
        )
        if status == 302:
            break
        time.sleep(1)
    else:
        log("a client could not sign in")
        return
    while time.monotonic() < start_at:
        time.sleep(0.01)

    def timed(path: str, kind: str, data: dict | None = None):
        t0 = time.monotonic()
        status, body, headers = client.request(path, data)
        rec.add(t0, time.monotonic() - t0, status, kind)
        return status, body, headers

    while time.monotonic() < stop_at:
        if rng.random() < MOVE_SHARE:
            pid = rng.choice(permit_ids)
            status, html, _h = timed(f"/permits/{pid}", "read")
            options = targets(html) if status == 200 else []
            if not options:
                continue
            form = {
                "csrf_token": field(html, "csrf_token") or "",
                "version": field(html, "version") or "",
                "effective_on": field(html, "effective_on") or "",
                "target": rng.choice(options),
                "note": "soak",
                "recorded_by": "Soak",
            }
            status, _b, headers = timed(f"/permits/{pid}/move", "move", form)
            location = headers.get("Location", "")
            with rec.lock:
                if status == 302 and location.rstrip("/").endswith(f"/permits/{pid}"):
                    rec.accepted += 1
                elif status == 0:
                    rec.lost_moves += 1
                else:
                    rec.refused_moves[status] = rec.refused_moves.get(status, 0) + 1
        else:
            path = rng.choice([*READ_PATHS, f"/permits/{rng.choice(permit_ids)}"])
            timed(path, "read")


# --- the phases --------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
