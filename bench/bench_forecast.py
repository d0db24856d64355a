"""The forecast refresh and the governor's page (issue 10) on synthetic provinces.

Run from the project root: ``python bench/bench_forecast.py [--sizes 2000 20000] [--pg-url URL] [--no-sqlite]``.
Each size is a number of estates (``devtools.synth``): per estate one live permit of each of the catalogue's eight
types (``grow_to``), five zones and two refused applications with their decision events (``grow_history``), two
estates an investor, so 20,000 estates are the issue's province of 10,000 investors, 100,000 zones and 200,000
permits (the forecast's per-investor totals are millions of rows there: the page must not read them). SQLite is a
temporary file; PostgreSQL is measured when ``--pg-url`` or ``TEST_DATABASE_URL`` names a server (``make bench``
starts a throwaway one): a database of its own, dropped afterwards.

For each size: ``refresh_forecast`` with its commit (the best of ``--repeat`` runs, as the machine is shared; each
run after the first also deletes the run before it, as the nightly refresh does), then ``GET /forecast`` as the
governor's office through the test client (``--requests`` times: median, 95th percentile, SQL statements per
request, each request cold: the page's kept parts (``forecast.parts``) emptied before it, untimed; and the
median and 95th percentile of the same requests warm, the parts kept). The table also gives the best refresh's
parts (``forecast.services.PARTS``): deleting the previous run, reading the register, computing the zones (while
their rows are copied) and the rest of the writing. Exits 1 when,
on PostgreSQL (on SQLite when PostgreSQL is not measured), the refresh at 20,000 estates or more takes 2 s or longer
(issue 13's target for the refresh at 200,000 permits; issue 10 asked for 3 s), the cold page's p95 is 150 ms or
more, or the cold page's statement count differs between sizes (or between its requests).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from dataclasses import dataclass

from bench_scan import _migrate, postgres_database
from flask import Flask
from sqlalchemy import event, func, select

from app import create_app
from app.extensions import db
from app.models import Role, User
from devtools.synth import AS_OF, grow_history, grow_to
from forecast.models import ForecastHeld, ForecastSeries, ForecastZone
from forecast.parts import PARTS as PAGE_PARTS
from forecast.services import PARTS, refresh_forecast
from permits.models import Permit, PermitType

REFRESH_LIMIT, PAGE_P95_LIMIT, TARGET_ESTATES = 2.0, 0.150, 20_000
ESTATES_PER_INVESTOR = 2  # issue 13's province: 20,000 estates of 10,000 investors


@dataclass
class Measure:
    engine: str
    estates: int
    zones: int
    permits: int
    build: float
    refresh: float
    parts: dict[str, float]  # the best refresh's (``forecast.services.PARTS``)
    series: int
    held: int
    p50: float  # cold: the page's kept parts emptied before each request
    p95: float
    statements: int  # of a cold request
    warm_p50: float  # the parts kept
    warm_p95: float


def _page(app: Flask, requests: int, cold: bool) -> tuple[float, float, int]:
    """(median s, p95 s, statements of each request) of ``GET /forecast`` as the governor's office, each request in
    its own application context as in production, ``cold``: the page's kept parts emptied before each (untimed);
    raises when a request fails or the statement count varies."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "bench.gubernur@pantau.test"))
        if user is None:
            user = User(email="bench.gubernur@pantau.test", name="Bench", role=Role.GOVERNOR, password_hash="-")  # noqa: S106
            db.session.add(user)
            db.session.commit()
        user_id, engine = user.get_id(), db.engine
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    counts: list[int] = []
    count = [0]

    def listener(*args) -> None:
        count[0] += 1

    times = []
    # Timed as a worker serves it (wsgi.py): what was loaded before the first request, here the province just built
    # and refreshed as well, is frozen out of the collector's generations, so that a full collection walks only
    # what the requests made.
    gc.collect()
    gc.freeze()
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for _ in range(requests):
            if cold:
                PAGE_PARTS.clear()
            count[0] = 0
            began = time.perf_counter()
            response = client.get("/forecast")
            times.append(time.perf_counter() - began)
            if response.status_code != 200:
                raise RuntimeError(f"GET /forecast answered {response.status_code}")
            counts.append(count[0])
    finally:
        event.remove(engine, "before_cursor_execute", listener)
        gc.unfreeze()
    if len(set(counts[1:])) != 1:  # the first request may fill the process's caches (settings, the parts when warm)
        raise RuntimeError(f"the page's statements vary between requests: {sorted(set(counts))}")
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)], counts[-1]


def _count(column) -> int:
    return db.session.scalar(select(func.count(column))) or 0


def bench_engine(engine: str, url: str, sizes: list[int], folder: str, repeat: int, requests: int) -> list[Measure]:
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url}, instance_path=folder)
    results = []
    with app.app_context():
        _migrate(app)
        per_estate = _count(PermitType.id)  # grow_to's live permits: one per type
    built = 0
    for size in sizes:
        with app.app_context():
            began = time.perf_counter()
            grow_to(built * per_estate, size * per_estate, estates_per_investor=ESTATES_PER_INVESTOR)
            grow_history(built, size)
            build = time.perf_counter() - began
            built = size
            runs, parts = [], {}
            for _ in range(repeat):
                began = time.perf_counter()
                run = refresh_forecast(AS_OF)
                db.session.commit()
                runs.append(time.perf_counter() - began)
                if runs[-1] == min(runs):
                    parts = dict(PARTS)
            series = db.session.scalar(select(func.count()).where(ForecastSeries.run_id == run.id))
            held = db.session.scalar(select(func.count(ForecastHeld.id)).where(ForecastHeld.run_id == run.id))
            zones = db.session.scalar(select(func.count(ForecastZone.id)).where(ForecastZone.run_id == run.id))
            permits = _count(Permit.id)
        p50, p95, statements = _page(app, requests, cold=True)
        warm_p50, warm_p95, _ = _page(app, requests, cold=False)
        m = Measure(
            engine,
            size,
            zones or 0,
            permits,
            build,
            min(runs),
            parts,
            series or 0,
            held or 0,
            p50,
            p95,
            statements,
            warm_p50,
            warm_p95,
        )
        results.append(m)
        _print_row(m, runs)
    with app.app_context():
        db.engine.dispose()
    return results


PARTS_SHOWN = (("delete", 8), ("read", 6), ("compute", 9), ("write", 7))  # seconds, the best refresh's
HEADER = (
    f"{'engine':<11}{'estates':>8}{'zones':>9}{'permits':>9}{'build s':>9}{'refresh s':>11}{'ms/estate':>11}"
    + "".join(f"{part:>{width}}" for part, width in PARTS_SHOWN)
    + f"{'series':>8}{'held':>8}{'cold p50 ms':>13}{'cold p95 ms':>13}{'statements':>12}"
    + f"{'warm p50':>10}{'warm p95':>10}"
)


def _print_row(m: Measure, runs: list[float]) -> None:
    print(
        f"{m.engine:<11}{m.estates:>8,}{m.zones:>9,}{m.permits:>9,}{m.build:>9.1f}{m.refresh:>11.2f}"
        f"{1000 * m.refresh / m.estates:>11.3f}"
        + "".join(f"{m.parts.get(part, 0):>{width}.2f}" for part, width in PARTS_SHOWN)
        + f"{m.series:>8,}{m.held:>8,}{1000 * m.p50:>13.1f}{1000 * m.p95:>13.1f}"
        f"{m.statements:>12}{1000 * m.warm_p50:>10.1f}{1000 * m.warm_p95:>10.1f}"
        f"    runs: {', '.join(f'{r:.2f}' for r in runs)}",
        flush=True,
    )


def misses(results: list[Measure]) -> list[str]:
    judged = [m for m in results if m.engine == "postgresql"] or results
    out = []
    for m in judged:
        if m.estates >= TARGET_ESTATES and m.refresh >= REFRESH_LIMIT:
            out.append(f"{m.engine} {m.estates:,} estates: refresh {m.refresh:.2f} s >= {REFRESH_LIMIT} s")
        if m.p95 >= PAGE_P95_LIMIT:
            out.append(f"{m.engine} {m.estates:,} estates: cold page p95 {1000 * m.p95:.0f} ms >= 150 ms")
    if len({m.statements for m in judged}) > 1:
        out.append(f"the page's statements grow with the data: {[m.statements for m in judged]}")
    largest = max(judged, key=lambda m: m.estates)
    if largest.estates < TARGET_ESTATES:
        projected = largest.refresh / largest.estates * TARGET_ESTATES
        if projected >= REFRESH_LIMIT:
            out.append(f"projected refresh at {TARGET_ESTATES:,} estates: {projected:.1f} s >= {REFRESH_LIMIT} s")
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 20_000], help="estates, ascending")
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL"), help="a PostgreSQL server URL")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--repeat", type=int, default=2, help="refreshes per size (the best is kept)")
    parser.add_argument("--requests", type=int, default=200, help="page requests per size")
    args = parser.parse_args()
    pg_url = args.pg_url if args.pg_url and args.pg_url.startswith("postgresql") else None
    if not pg_url:
        print("PostgreSQL not measured: give --pg-url or TEST_DATABASE_URL (make bench starts a server).")
    results: list[Measure] = []
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory() as folder:
        if not args.no_sqlite or not pg_url:
            url = f"sqlite:///{folder}/bench.sqlite3"
            results += bench_engine("sqlite", url, args.sizes, folder, args.repeat, args.requests)
        if pg_url:
            with postgres_database(pg_url) as url:
                results += bench_engine("postgresql", url, args.sizes, folder, args.repeat, args.requests)
    failed = misses(results)
    for line in failed:
        print(f"MISSED: {line}")
    if not failed:
        print("Target met: refresh under 2 s at 20,000 estates, page p95 under 150 ms, statements constant.")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
