"""Time every page a role uses on a synthetic province (issue 13): median and 95th percentile, and SQL statements.

Run from the project root: ``python bench/bench_pages.py [--scale 0.1] [--requests 200] [--pg-url URL]``.
The data is ``flask dev synth``'s (``devtools.synth``) at ``--scale`` times the reference size (10,000
investors, 20,000 estates, 100,000 zones, 200,000 permits, 2,000,000 events, 200,000 audit rows), drawn for
today, then the morning stall scan and the forecast refresh run as they would overnight. SQLite is a temporary
file; PostgreSQL is measured when ``--pg-url`` or ``TEST_DATABASE_URL`` names a server (``make bench`` starts
a throwaway one): the benchmark creates a database of its own there and drops it afterwards.

Each page (``devtools.synth.pages``: the officer's, a kab/kota officer's, the governor's office's, the
investor's and the administrator's) is requested once to warm up, then ``--requests`` times with the Flask test
client, signed in as its role, one after the other (no concurrency: the time of one request, as one user sees
it, server side); a page stops early once it has used ``--budget`` seconds, and the table says how many requests
it got. The statements are counted on the last request. The table is printed and written, with the machine, the
engines and the date, to ``bench/results/pages-<date>.txt`` and ``.json``. With ``--check`` it exits 1 when a
page's p95 misses the target (50 ms on PostgreSQL, 150 ms on SQLite).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flask import Flask
from flask_migrate import upgrade
from kept import add_options, copy_into, database, remember
from sqlalchemy import event, text

from app import create_app
from app.extensions import db
from app.timezone import today_wib
from devtools.synth import REFERENCE, synthesize
from devtools.synth.pages import Page, accounts, pages, sample, signed_in
from forecast.services import refresh_forecast
from permits.stalls.scan import scan_stalled

COLD: list = []  # empties the pages' caches (figures, forecast parts, app.fragments): before each request, --cold
TARGET_MS = {"postgresql": 50.0, "sqlite": 150.0}
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Timing:
    engine: str
    role: str
    page: str
    url: str
    status: int
    requests: int
    median_ms: float
    p95_ms: float
    statements: int


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max((95 * len(ordered) + 99) // 100, 1) - 1]


def _quiet(step):
    log = io.StringIO()
    try:
        with contextlib.redirect_stderr(log):
            return step()
    except Exception:
        print(log.getvalue(), file=sys.stderr)
        raise


def _progress(kind: str, n: int, seconds: float) -> None:
    print(f"\r{seconds:7.1f} s  {kind}: {n:,}".ljust(50), end="", file=sys.stderr, flush=True)


def build(app: Flask, scale: float, seed: int, forecast: bool = True) -> dict:
    """Load the data and run the overnight jobs; returns what was loaded and how long each part took."""
    today = today_wib()
    with app.app_context():
        _quiet(upgrade)
        began = time.perf_counter()
        loaded = synthesize(REFERENCE.scaled(scale), seed, today, _progress)
        took = {"load_s": round(time.perf_counter() - began, 1)}
        print(flush=True)
        began = time.perf_counter()
        scan_stalled(today)
        db.session.commit()
        took["scan_s"] = round(time.perf_counter() - began, 1)
        print(f"stall scan: {took['scan_s']} s", file=sys.stderr, flush=True)
        if forecast:
            began = time.perf_counter()
            refresh_forecast(actor="bench")
            db.session.commit()
            took["forecast_s"] = round(time.perf_counter() - began, 1)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        return {"loaded": loaded, **took}


def measure(app: Flask, engine: str, requests: int, budget: float, only: str | None, explain: bool) -> list[Timing]:
    with app.app_context():
        s = sample()
        users = accounts(s)
        clients = {role: signed_in(app, user) for role, user in users.items()}
        walk = [p for p in pages(s) if only is None or only in f"{p.role} {p.name}"]
        with app.test_request_context():
            urls = {p: p.url() for p in walk}
        bind = db.engine
    statements: list[tuple] = []
    event.listen(bind, "before_cursor_execute", lambda *a: statements.append((a[2], a[3], time.perf_counter())))
    event.listen(bind, "after_cursor_execute", lambda *a: statements.append((None, None, time.perf_counter())))
    gc.collect()  # as wsgi.py does in a worker once the app is loaded: what loading made stays out of the
    gc.freeze()  # collector's generations, so a full collection walks only what the requests made
    timings = []
    for page in walk:
        timings.append(_time_page(engine, page, urls[page], clients[page.role], statements, requests, budget))
        _print_row(timings[-1])
        if explain:
            _explain(bind, statements)
    return timings


def _explain(bind, statements: list[tuple]) -> None:
    """Print the last request's three slowest statements and the plan (EXPLAIN ANALYZE on PostgreSQL, the query
    plan on SQLite) of the slowest, with the parameters it ran with."""
    pairs = zip(statements[::2], statements[1::2], strict=False)
    runs = sorted(((end[2] - start[2], start[0], start[1]) for start, end in pairs), key=lambda r: -r[0])
    for took, statement, _parameters in runs[:3]:
        print(f"    {took * 1000:8.1f} ms  " + " ".join(statement.split())[:400])
    if not runs:
        return
    _took, statement, parameters = runs[0]
    prefix = "EXPLAIN ANALYZE " if bind.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    with bind.connect() as conn:
        plan = conn.exec_driver_sql(prefix + statement, parameters).all()
    print("\n".join("      " + " ".join(str(c) for c in row) for row in plan), flush=True)


def _time_page(engine: str, page: Page, url: str, client, statements: list, requests: int, budget: float) -> Timing:
    response = client.get(url)  # warm up: the calendar, the settings, the templates
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < requests and (time.perf_counter() - started < budget or len(times) < 3):
        for clear in COLD:
            clear()  # --cold: every request computes the figures (and the forecast page's parts) afresh
        statements.clear()
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
    return Timing(
        engine=engine,
        role=page.role,
        page=page.name,
        url=url,
        status=response.status_code,
        requests=len(times),
        median_ms=round(statistics.median(times), 1),
        p95_ms=round(p95(times), 1),
        statements=len(statements),
    )


HEADER = f"{'engine':<11}{'role':<14}{'page':<26}{'status':>7}{'requests':>9}{'median ms':>11}{'p95 ms':>9}{'stmts':>7}"


def _print_row(t: Timing) -> None:
    print(
        f"{t.engine:<11}{t.role:<14}{t.page:<26}{t.status:>7}{t.requests:>9}{t.median_ms:>11.1f}{t.p95_ms:>9.1f}"
        f"{t.statements:>7}",
        flush=True,
    )


def built_app(engine: str, url: str, folder: str, args, built: dict | None) -> tuple[Flask, dict]:
    """The app on ``url``, with the province built there (unless ``built``: kept from an earlier run), or copied
    from the database of ``args.source`` (``--copy``)."""
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url}, instance_path=folder)
    if built is None:
        source = getattr(args, "source", None)
        built = copy_into(app, source) if source else build(app, args.scale, args.seed, not args.no_forecast)
        built.update(scale=args.scale, seed=args.seed, built_on=today_wib().isoformat())
        version = "SELECT version()" if engine == "postgresql" else "SELECT sqlite_version()"
        with app.app_context():
            built["server"] = db.session.execute(text(version)).scalar()
        remember(args.keep, engine, built)
    else:
        with app.app_context():
            _quiet(upgrade)  # a kept database meets the migrations written since it was built (their backfills)
    print(f"{engine}: {built}", flush=True)
    return app, built


def run_engine(engine: str, url: str, folder: str, args, built: dict | None) -> tuple[dict, list[Timing]]:
    app, built = built_app(engine, url, folder, args, built)
    timings = measure(app, engine, args.requests, args.budget, args.only, args.explain)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return built, timings


def write_results(args, builds: dict, timings: list[Timing]) -> Path:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    machine = {
        "host": platform.node(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    # a kept province (--reuse) says its own scale and seed; the options' defaults would misname it
    scale, seed = next(((b["scale"], b["seed"]) for b in builds.values() if "scale" in b), (args.scale, args.seed))
    report = {
        "date": stamp,
        "machine": machine,
        "scale": scale,
        "seed": seed,
        "requests_per_page": args.requests,
        "budget_s": args.budget,
        "engines": builds,
        "pages": [asdict(t) for t in timings],
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"pages-{stamp}"
    path.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    lines = [f"{k}: {v}" for k, v in machine.items()] + [f"{e}: {b}" for e, b in builds.items()]
    lines += [f"scale {scale}, seed {seed}, up to {args.requests} requests per page", "", HEADER]
    for t in timings:
        lines.append(
            f"{t.engine:<11}{t.role:<14}{t.page:<26}{t.status:>7}{t.requests:>9}{t.median_ms:>11.1f}"
            f"{t.p95_ms:>9.1f}{t.statements:>7}"
        )
    path.with_suffix(".txt").write_text("\n".join(lines) + "\n")
    return path


def engines(args) -> list[str]:
    """The engines to measure, in order: PostgreSQL first when ``--copy`` copies its rows to SQLite."""
    found = ([] if args.no_sqlite else ["sqlite"]) + (["postgresql"] if args.pg_url else [])
    return sorted(found) if args.copy else found  # "postgresql" < "sqlite"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="times the reference size (1 = 200,000 permits)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--budget", type=float, default=5.0, help="seconds a page may use before it stops early")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="time only the pages whose 'role page' contains this text")
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL"), help="a PostgreSQL server URL")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--no-forecast", action="store_true", help="skip the forecast refresh (an empty forecast)")
    parser.add_argument("--cold", action="store_true", help="empty every page cache before each request")
    parser.add_argument("--explain", action="store_true", help="print the plan of each page's slowest statement")
    parser.add_argument("--check", action="store_true", help="exit 1 when a page's p95 misses its target")
    add_options(parser)
    args = parser.parse_args()
    if args.cold:
        from app import fragments
        from forecast.parts import PARTS
        from permits.stalls.agency_figures import cached_figures

        COLD.extend((cached_figures.cache_clear, PARTS.clear, fragments.clear))
    pg_url = args.pg_url if args.pg_url and args.pg_url.startswith("postgresql") else None
    if not pg_url:
        print("PostgreSQL not measured: give --pg-url or TEST_DATABASE_URL (make bench starts a server).")
    builds: dict[str, dict] = {}
    timings: list[Timing] = []
    print(HEADER, flush=True)
    args.pg_url = pg_url
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as folder, contextlib.ExitStack() as kept:
        for engine in engines(args):
            url, built = kept.enter_context(database(engine, args, folder))
            builds[engine], found = run_engine(engine, url, folder, args, built)
            timings += found
            args.source = url if args.copy else None
    path = write_results(args, builds, timings)
    print(f"Written to {path}.txt and .json")
    missed = [t for t in timings if t.status != 200 or t.p95_ms > TARGET_MS[t.engine]]
    for t in missed:
        print(f"MISSED: {t.engine} {t.role} {t.page}: p95 {t.p95_ms} ms (status {t.status})")
    if args.check and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
