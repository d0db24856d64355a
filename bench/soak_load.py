"""The soak's clients (bench/soak.py): threads signed in as the demo officer that read pages and move permits
against 127.0.0.1, and the recorder of their answers."""

from __future__ import annotations

import random
import re
import threading
import time

from served import Client, field, sign_in

EMAIL, PASSWORD = "petugas@pantau.test", "pantau-demo"
READ_PATHS = ["/", "/permits", "/estates"]
MOVE_SHARE = 0.25


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


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
    if not sign_in(client, EMAIL, PASSWORD):
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
