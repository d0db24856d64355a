"""Throughput under gunicorn (issue 13): a day's page mix beside a floor page, at 20 concurrent connections.

    .venv/bin/python bench/bench_throughput.py                                      # SQLite, scale 0.05
    bash tests/with_postgres.sh .venv/bin/python bench/bench_throughput.py --scale 1 --no-sqlite   # reference

The province is ``flask dev synth``'s at ``--scale`` times the reference size, built as ``bench_pages.py`` builds
it (the stall scan and the forecast refresh included; ``--keep``/``--reuse NAME`` keep it for the next run, see
``bench/kept.py``). gunicorn then serves it with ``--workers`` (2) sync workers on a free port of 127.0.0.1, in
development mode (plain HTTP: production's Secure cookie would not come back) and with the sign-in limit raised
(every client signs in once per role). The app is ``wsgi.py``'s plus one bench-only page, ``/bench/floor``
(``bench/floor_app.py``: signed in, the base layout and one indexed query, the least any page can cost).

``--clients`` (20) threads, each signed in through the login form (CSRF token, own cookie jar) as every role of
``devtools.synth.pages``, first request every page a few times at once (each worker compiles its templates and
fills its caches), then request one after the other, for two phases of ``--seconds`` (20) each after
``--warmup`` (3) untimed seconds, and at most ``--max-requests`` per phase: the floor page alone (as the province
officer), then the page mix (``MIX``: mostly the officers' lists and permit pages, some dashboards, the
governor's forecast, the investor portal), each page's URL drawn from many (``devtools.synth.rotation``: 500
records, a list's pages and filters; ``--fixed``: one URL a page). Any answer other than 2xx is an error.
Printed and written to ``bench/results/throughput-<date>.txt`` and ``.json`` with the machine, its load, the
engine and the date: requests/s, p50/p95 latency and errors of each phase, each page's share of the mix, and
the ratio mix/floor. The target is a ratio of 0.5 or more; ``--check`` exits 1 when it is missed, and any error
always exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import secrets
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import RESULTS, built_app, engines
from floor_app import PATH as FLOOR
from kept import add_options, database
from served import Client, gunicorn, memory_gib, percentile, sign_in, wait_for

from app.extensions import db
from devtools.synth.pages import PASSWORD, accounts, pages, sample
from devtools.synth.rotation import variants

PAGE = "X-Bench-Page"  # names the page in gunicorn's access log, for its time in the worker
ACCESS_FORMAT = "%({x-bench-page}i)s|%(s)s|%(D)s"
TARGET = 0.5  # the page mix at half the floor page's throughput, or better
# A day's use, by (role, page) of devtools.synth.pages: weights, not shares (the report prints the shares).
MIX = {
    ("officer", "permits list"): 14,
    ("officer", "permits overdue"): 6,
    ("officer", "permits at_risk"): 3,
    ("officer", "permits on_track"): 2,
    ("officer", "permits stopped"): 2,
    ("officer", "permit page"): 16,
    ("officer", "estates list"): 5,
    ("officer", "estates search"): 4,
    ("officer", "estate page"): 8,
    ("officer", "dashboard"): 5,
    ("officer", "stalled list"): 4,
    ("officer", "stalled by agency"): 2,
    ("officer", "agency figures"): 1,
    ("officer", "agency figures CSV"): 1,
    ("region", "dashboard"): 3,
    ("region", "permits list"): 6,
    ("region", "stalled list"): 2,
    ("region", "agency figures"): 1,
    ("governor", "dashboard"): 2,
    ("governor", "agency figures"): 1,
    ("governor", "agency figures by type"): 1,
    ("governor", "forecast"): 3,
    ("investor", "portal"): 4,
    ("investor", "portal permit"): 3,
    ("administrator", "audit log"): 1,
}


@dataclass
class Phase:
    name: str
    seconds: float
    requests: int
    per_second: float
    p50_ms: float
    p95_ms: float
    errors: int
    statuses: dict[str, int]
    server_ms: float = 0.0  # mean time in the worker (gunicorn's access log), warm-up included
    pages: dict[str, dict] = field(default_factory=dict)  # the mix: each page's requests, p50, p95, errors


def run_phase(
    name: str, sessions: list[dict], choices: list[tuple[str, str, list[str]]], weights: list[int], args, access: Path
) -> Phase:
    """Every client requests ``choices`` ((role, page, its paths), drawn by ``weights``, then one of its paths at
    random) one after the other from the
    same moment; the requests that end inside the timed window count (the throughput is what completes there).
    Each page's time in the worker is read from gunicorn's ``access`` log."""
    logged_from = access.stat().st_size
    lock = threading.Lock()
    samples: list[tuple[float, float, int, str]] = []  # (end, seconds, status, page)
    begin = time.monotonic() + 0.5
    timed_from = begin + args.warmup
    stop_at = timed_from + args.seconds

    def loop(k: int) -> None:
        rng = random.Random(f"{name}:{k}")
        while time.monotonic() < begin:
            time.sleep(0.005)
        while time.monotonic() < stop_at and len(samples) < args.max_requests:
            role, page, paths = rng.choices(choices, weights)[0]
            path = rng.choice(paths)  # one of the page's URLs (a day's records, its list's pages and filters)
            t0 = time.monotonic()
            status, _body, _headers = sessions[k][role].request(path, headers={PAGE: f"{role} {page}"})
            t1 = time.monotonic()
            if timed_from <= t1 <= stop_at:  # ended inside the window: the in-flight ones at its edges count once
                with lock:
                    samples.append((t1, t1 - t0, status, f"{role} {page}"))

    threads = [threading.Thread(target=loop, args=(k,), daemon=True) for k in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=args.warmup + args.seconds + 60)
    window = args.seconds  # the whole window, even when nothing ended in its last seconds
    if len(samples) >= args.max_requests:
        window = max(s[0] for s in samples) - timed_from  # stopped early, at the cap
    statuses: dict[str, int] = {}
    for s in samples:
        statuses[str(s[2])] = statuses.get(str(s[2]), 0) + 1
    served = _served(access, logged_from)
    by_page: dict[str, dict] = {}
    for label in sorted({s[3] for s in samples}):
        mine = [s for s in samples if s[3] == label]
        worker = served.get(label, [])
        by_page[label] = {
            "requests": len(mine),
            "p50_ms": round(percentile([s[1] for s in mine], 0.5) * 1000, 1),
            "p95_ms": round(percentile([s[1] for s in mine], 0.95) * 1000, 1),
            "errors": sum(1 for s in mine if not 200 <= s[2] < 300),
            "server_p50_ms": round(percentile(worker, 0.5) * 1000, 1),
            "server_p95_ms": round(percentile(worker, 0.95) * 1000, 1),
        }
    every = [t for times in served.values() for t in times]
    return Phase(
        name=name,
        seconds=round(window, 2),
        requests=len(samples),
        per_second=round(len(samples) / window, 1) if window > 0 else 0.0,
        p50_ms=round(percentile([s[1] for s in samples], 0.5) * 1000, 1),
        p95_ms=round(percentile([s[1] for s in samples], 0.95) * 1000, 1),
        errors=sum(1 for s in samples if not 200 <= s[2] < 300),
        statuses=statuses,
        server_ms=round(sum(every) / len(every) * 1000, 1) if every else 0.0,
        pages=by_page if len(by_page) > 1 else {},
    )


def _served(access: Path, offset: int) -> dict[str, list[float]]:
    """Seconds in the worker by page, from the access log's lines after ``offset``."""
    times: dict[str, list[float]] = {}
    with access.open() as log:
        log.seek(offset)
        for line in log:
            label, _status, micro = line.rstrip("\n").rsplit("|", 2)
            if micro.isdigit():
                times.setdefault(label, []).append(int(micro) / 1e6)
    return times


def warm(sessions: list[dict], choices: list[tuple[str, str, list[str]]], workers: int) -> None:
    """Every page (its first URL) requested by ``2 * workers`` clients at once, so that each worker has compiled
    its templates before anything is timed (a first request costs a hundred milliseconds and more); the other
    URLs of a page are first met in the timed phases, as a day's new records are."""
    for role, _page, (path, *_others) in choices:
        threads = [
            threading.Thread(target=sessions[k % len(sessions)][role].request, args=(path,), daemon=True)
            for k in range(2 * workers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)


def signed_in_sessions(base: str, emails: dict[str, str], clients: int) -> list[dict]:
    """``clients`` browsers, each signed in once per role (in parallel: one password hash each)."""
    sessions: list[dict] = [{} for _ in range(clients)]
    failed: list[str] = []

    def sign(k: int) -> None:
        for role, email in emails.items():
            client = Client(base)
            if sign_in(client, email, PASSWORD):
                sessions[k][role] = client
            else:
                failed.append(f"client {k} as {role}")

    threads = [threading.Thread(target=sign, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    if failed or any(len(s) != len(emails) for s in sessions):
        raise SystemExit(f"could not sign in: {', '.join(failed) or 'timed out'}")
    return sessions


def run_engine(engine: str, url: str, folder: str, args, built: dict | None) -> dict:
    app, built = built_app(engine, url, folder, args, built)
    with app.app_context():
        s = sample()
        emails = {role: user.email for role, user in accounts(s).items()}
        with app.test_request_context():
            paths = {(p.role, p.name): [p.url()] for p in pages(s)} if args.fixed else variants(s, pages(s))
        db.session.remove()
        db.engine.dispose()
    mix = [(role, page, paths[role, page]) for role, page in MIX]
    env = {
        **os.environ,
        "PANTAU_ENV": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "FLASK_LOGIN_RATE_LIMIT": "100000 per minute",  # every client signs in as every role within seconds
        "FLASK_RATELIMIT_STORAGE_URI": "memory://",
        "FLASK_FRAGMENT_CACHE": "false" if args.no_cache else "true",  # app.fragments: the parts kept per worker
    }
    access = Path(folder) / f"access-{engine}.log"
    access.touch()
    options = ("--pythonpath", "bench", "--timeout", "120", "--log-level", "warning", "--access-logfile", str(access))
    options += ("--access-logformat", ACCESS_FORMAT)
    load = {"before": os.getloadavg()}
    with gunicorn("floor_app:create()", args.workers, env, *options) as (_server, base, log):
        if not wait_for(base, 120):
            raise SystemExit(f"gunicorn did not answer; its log: {log}")
        sessions = signed_in_sessions(base, emails, args.clients)
        print(f"{engine}: {args.clients} clients signed in as {len(emails)} roles; {base}", flush=True)
        warm(sessions, [("officer", "floor", [FLOOR]), *mix], args.workers)
        floor = run_phase("floor", sessions, [("officer", "floor", [FLOOR])], [1], args, access)
        _print_phase(engine, floor)
        page_mix = run_phase("mix", sessions, mix, list(MIX.values()), args, access)
        _print_phase(engine, page_mix)
    load["after"] = os.getloadavg()
    ratio = round(page_mix.per_second / floor.per_second, 3) if floor.per_second else 0.0
    print(f"{engine}: ratio mix/floor {ratio:.2f} (target {TARGET}); load average {load}", flush=True)
    return {"built": built, "load_average": load, "phases": [asdict(floor), asdict(page_mix)], "ratio": ratio}


HEADER = (
    f"{'engine':<11}{'phase':<8}{'seconds':>8}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'errors':>7}"
    f"{'worker ms':>10}"
)


def _phase_line(engine: str, p: Phase) -> str:
    return (
        f"{engine:<11}{p.name:<8}{p.seconds:>8.1f}{p.requests:>9}{p.per_second:>8.1f}{p.p50_ms:>8.1f}{p.p95_ms:>8.1f}"
        f"{p.errors:>7}{p.server_ms:>10.1f}"
    )


def _print_phase(engine: str, p: Phase) -> None:
    print(_phase_line(engine, p), flush=True)
    if p.errors:
        print(f"  statuses: {p.statuses}", flush=True)


def report(args, results: dict) -> tuple[Path, list[str]]:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    machine = {
        "host": platform.node(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gib": memory_gib(),
        "python": platform.python_version(),
    }
    settings = {
        k: getattr(args, k) for k in ("scale", "seed", "clients", "workers", "seconds", "warmup", "fixed", "no_cache")
    }
    kept = [found["built"] for found in results.values() if found["built"].get("reused")]
    if kept:  # --reuse: the scale and seed the kept province was built with, not this run's defaults
        settings.update(scale=kept[0]["scale"], seed=kept[0]["seed"], reused=kept[0]["reused"])
    lines = [f"{k}: {v}" for k, v in machine.items()]
    lines += [", ".join(f"{k} {v}" for k, v in settings.items()), "", HEADER]
    for engine, found in results.items():
        lines += [_phase_line(engine, Phase(**p)) for p in found["phases"]]
        ratio, load = found["ratio"], found["load_average"]
        lines.append(f"{engine:<11}ratio mix/floor {ratio:.2f} (target {TARGET}), load average {load}")
    weight = sum(MIX.values())
    columns = f"{'share':>6}{'requests':>9}{'p50 ms':>8}{'p95 ms':>8}{'errors':>7}{'worker p50/p95 ms':>19}"
    lines += ["", f"{'engine':<11}{'page of the mix':<40}{columns}"]
    none = {"requests": 0, "p50_ms": 0, "p95_ms": 0, "errors": 0, "server_p50_ms": 0, "server_p95_ms": 0}
    for engine, found in results.items():
        for (role, page), w in MIX.items():
            p = found["phases"][1]["pages"].get(f"{role} {page}", none)
            lines.append(
                f"{engine:<11}{role + ' ' + page:<40}{w / weight:>6.0%}{p['requests']:>9}{p['p50_ms']:>8.1f}"
                f"{p['p95_ms']:>8.1f}{p['errors']:>7}{p['server_p50_ms']:>11.1f} / {p['server_p95_ms']:<6.1f}"
            )
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"throughput-{stamp}"
    data = {"date": stamp, "machine": machine, **settings, "mix": {f"{r} {p}": w for (r, p), w in MIX.items()}}
    path.with_suffix(".json").write_text(json.dumps({**data, "engines": results}, indent=2, default=str) + "\n")
    path.with_suffix(".txt").write_text("\n".join(lines) + "\n")
    return path, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="times the reference size (1 = 200,000 permits)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=20, help="concurrent connections (client threads)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's sync workers")
    parser.add_argument("--seconds", type=float, default=20.0, help="timed seconds per phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed seconds before each phase")
    parser.add_argument("--max-requests", type=int, default=100_000, help="at most this many per phase")
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL"), help="a PostgreSQL server URL")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--no-forecast", action="store_true", help="skip the forecast refresh (an empty forecast)")
    parser.add_argument("--check", action="store_true", help=f"exit 1 when the ratio is under {TARGET}")
    parser.add_argument("--fixed", action="store_true", help="one URL per page (before issue 13's rotation)")
    parser.add_argument("--no-cache", action="store_true", help="compute every cached part (app.fragments) each time")
    add_options(parser)
    args = parser.parse_args()
    args.pg_url = args.pg_url if args.pg_url and args.pg_url.startswith("postgresql") else None
    if not args.pg_url:
        print("PostgreSQL not measured: give --pg-url or TEST_DATABASE_URL (make bench starts a server).")
    results: dict[str, dict] = {}
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as folder, contextlib.ExitStack() as kept:
        for engine in engines(args):
            url, built = kept.enter_context(database(engine, args, folder))
            results[engine] = run_engine(engine, url, folder, args, built)
            args.source = url if args.copy else None
    path, lines = report(args, results)
    print("\n".join(lines))
    print(f"Written to {path}.txt and .json")
    errors = sum(p["errors"] for found in results.values() for p in found["phases"])
    missed = [e for e, found in results.items() if found["ratio"] < TARGET]
    for engine in missed:
        print(f"MISSED: {engine}: the page mix at {results[engine]['ratio']:.0%} of the floor page's throughput")
    if errors:
        print(f"ERRORS: {errors} answers other than 2xx")
    if errors or (args.check and missed):
        sys.exit(1)


if __name__ == "__main__":
    main()
