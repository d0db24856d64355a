"""Time the stall scan, ``scan_stalled(as_of)``, on 50k, 100k and 200k open permits, on SQLite and PostgreSQL.

Run from the project root: ``python bench/bench_scan.py [--sizes 50000,100000,200000] [--pg-url URL]``.
SQLite is a temporary file; PostgreSQL is measured when ``--pg-url`` or ``TEST_DATABASE_URL`` names a server
(``make bench`` starts a throwaway one): the benchmark creates a database of its own there and drops it
afterwards, so the database named by the URL is never touched.

The permits are built with bulk inserts, one estate per seven permits (one live permit per estate and type),
with a fixed seed: 65% with the agency (submitted or under review), 25% returned to the investor, 10% not
filed yet. Their clocks are drawn so that about half the agency's files are past the at-risk share and a
third overdue, and their threshold dates are computed by the real clock (``refresh_thresholds``). Events
are not built: the scan reads only the permit rows. For each size, starting with no flags:

- first run on AS_OF: raises every flag;
- second run on AS_OF: changes nothing (checked);
- third run on the next working day: confirms the open flags, raises the new ones, resolves the at-risk
  flags that became overdue.

Each timing includes the commit; each size runs ``--repeat`` rounds (3) and keeps the best time of each run,
as the machine is shared. On PostgreSQL, after the bulk load and after every run, ``VACUUM ANALYZE`` does
what autovacuum does between two mornings; so the first run of a round plans with the statistics of an
empty flag table, the worst case (a scan raising far more flags than the table held when last analyzed).
``--explain`` then runs one more round with every statement of the scan under ``EXPLAIN (ANALYZE, BUFFERS)`` on
PostgreSQL (the statements still do their work; those whose rows the scan reads are explained in a savepoint rolled
back, then run) and ``EXPLAIN QUERY PLAN`` on SQLite, and prints each statement's
time and plan. Exits 1 when a size of 200k or more takes longer than 5 s per 200k permits in any run, or when the
time per permit of the slowest run grows by more than half from one size to the next (growth far from linear).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import math
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, event, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from devtools.synth import AS_OF, grow_to
from permits.stalls.models import StalledPermit, StallFlag, StallScan
from permits.stalls.scan import scan_stalled

NEXT_DAY = date(2026, 3, 5)
TARGET_SECONDS, TARGET_SIZE = 5.0, 200_000
LINEAR_SLACK = 1.5  # the cost per permit may grow this much from one size to the next


@dataclass
class Measure:
    engine: str
    permits: int
    build: float
    runs: tuple[float, float, float]
    raised_first: int
    raised_third: int
    resolved_third: int
    open_after: int


# --- data -----------------------------------------------------------------------------------------------


# --- the measure ------------------------------------------------------------------------------------------


def _timed_scan(day: date) -> float:
    began = time.perf_counter()
    scan_stalled(day)
    db.session.commit()
    return time.perf_counter() - began


def _flag_counts(day: date) -> tuple[int, ...]:
    """(all flags, raised on ``day``, confirmed on ``day``, resolved on ``day``, open), counted in the database.

    Counted here rather than read from the scan's result, whose INSERT row counts PostgreSQL's driver does
    not keep (see the bench README).
    """
    f = StallFlag
    counts = db.session.execute(
        select(
            func.count(f.id),
            func.count(f.id).filter(f.raised_on == day),
            func.count(f.id).filter(f.last_confirmed_on == day),
            func.count(f.id).filter(f.resolved_on == day),
            func.count(f.id).filter(f.resolved_on.is_(None)),
        )
    ).one()
    db.session.rollback()  # end the read: an open transaction would block TRUNCATE in _maintain
    return tuple(counts)


def _maintain(*, clear: bool = False) -> None:
    """Empty the flags, the days scanned and the stalled permits (``clear``), and on PostgreSQL refresh the
    flags' statistics and free their dead rows, as autovacuum does between two morning scans (a fresh table would
    otherwise look empty)."""
    db.session.rollback()  # nothing of this session may hold a lock on the flags
    if db.engine.dialect.name != "postgresql":
        if clear:
            db.session.execute(delete(StallFlag))
            db.session.execute(delete(StallScan))
            db.session.execute(delete(StalledPermit))
            db.session.commit()
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SET lock_timeout = '60s'"))  # fail, never hang, if something still holds a lock
        if clear:
            conn.execute(text("TRUNCATE stall_flag, stall_scan, stalled_permit CASCADE"))  # the bench's own database
        conn.execute(text("VACUUM ANALYZE stall_flag, stalled_permit"))


@contextlib.contextmanager
def explained(bind) -> Iterator[None]:
    """Print each statement run inside the block with its time and plan: on PostgreSQL an INSERT, UPDATE or DELETE
    runs as ``EXPLAIN (ANALYZE, BUFFERS)`` (it does its work; its rows are the plan), a SELECT or WITH, whose rows
    the scan reads, is explained inside a savepoint rolled back, then runs as it is (an EXISTS read as the plan's
    text sent a first run's path down every run); on SQLite ``EXPLAIN QUERY PLAN`` is asked first on the same
    connection, then the statement runs as it is."""
    postgres = bind.dialect.name == "postgresql"
    plans: list[tuple[str, list[str]]] = []
    began: list[float] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        planned = statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"))
        if not planned or "set_config(" in statement:  # the scan's settings read and restored, not planned
            return statement, parameters
        if postgres and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            # The scan reads these rows (a count, the counts of a data-modifying WITH): explained and rolled back
            # first, then run as they are.
            conn.exec_driver_sql("SAVEPOINT explained")
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
            conn.exec_driver_sql("ROLLBACK TO SAVEPOINT explained")
            plans.append((statement, [row[0] for row in plan]))
        elif postgres:
            statement = "EXPLAIN (ANALYZE, BUFFERS) " + statement
        else:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            plans.append((statement, [" ".join(str(c) for c in row) for row in plan]))
        began.append(time.perf_counter())
        return statement, parameters

    def after(conn, cursor, statement, parameters, context, executemany):
        if not began:
            return
        took = time.perf_counter() - began.pop()
        if statement.startswith("EXPLAIN (ANALYZE, BUFFERS) "):
            plans.append((statement.removeprefix("EXPLAIN (ANALYZE, BUFFERS) "), [r[0] for r in cursor.fetchall()]))
        print(f"  {took * 1000:8.1f} ms  {' '.join(plans[-1][0].split())[:300]}")
        print("\n".join("      " + line for line in plans[-1][1]), flush=True)

    event.listen(bind, "before_cursor_execute", before, retval=True)
    event.listen(bind, "after_cursor_execute", after)
    try:
        yield
    finally:
        event.remove(bind, "before_cursor_execute", before)
        event.remove(bind, "after_cursor_execute", after)


def explain_round(engine: str, size: int) -> None:
    """One more round of the three runs, each statement's plan printed (``explained``)."""
    _maintain(clear=True)
    for run, day in (("1st", AS_OF), ("2nd", AS_OF), ("3rd", NEXT_DAY)):
        print(f"--- {engine} {size:,}: {run} run on {day}", flush=True)
        with explained(db.engine):
            _timed_scan(day)
        _maintain()


def measure(engine: str, size: int, build_seconds: float, repeat: int) -> Measure:
    """The best of ``repeat`` rounds of three runs, each round starting with no flags (the machine is shared)."""
    best = [math.inf] * 3
    for _ in range(repeat):
        _maintain(clear=True)
        first_s = _timed_scan(AS_OF)
        after_first = _flag_counts(AS_OF)
        _maintain()
        second_s = _timed_scan(AS_OF)
        if _flag_counts(AS_OF) != after_first:
            raise SystemExit(f"{engine} {size:,}: the second run on the same day changed the flags")
        _maintain()
        third_s = _timed_scan(NEXT_DAY)
        _, raised_third, _, resolved_third, open_after = _flag_counts(NEXT_DAY)
        best = [min(b, t) for b, t in zip(best, (first_s, second_s, third_s), strict=True)]
    return Measure(
        engine=engine,
        permits=size,
        build=build_seconds,
        runs=(best[0], best[1], best[2]),
        raised_first=after_first[1],
        raised_third=raised_third,
        resolved_third=resolved_third,
        open_after=open_after,
    )


def bench_engine(engine: str, url: str, sizes: list[int], folder: str, repeat: int, explain: bool) -> list[Measure]:
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url}, instance_path=folder)
    results = []
    with app.app_context():
        _migrate(app)
        built = 0
        for size in sizes:
            began = time.perf_counter()
            grow_to(built, size)
            built = size
            results.append(measure(engine, size, time.perf_counter() - began, repeat))
            _print_row(results[-1])
            if explain:
                explain_round(engine, size)
        db.session.remove()
        db.engine.dispose()
    return results


def _migrate(app: Flask) -> None:
    log = io.StringIO()
    try:
        with contextlib.redirect_stderr(log):
            upgrade()
    except Exception:
        print(log.getvalue(), file=sys.stderr)
        raise


@contextlib.contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A new database on the server of ``base_url``, dropped afterwards."""
    url = make_url(base_url)
    name = f"pantau_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- the report ---------------------------------------------------------------------------------------------

HEADER = (
    f"{'engine':<11}{'permits':>9}{'build s':>9}{'1st run s':>11}{'2nd run s':>11}{'3rd run s':>11}"
    f"{'µs/permit':>11}{'raised 1st':>12}{'raised 3rd':>12}{'resolved 3rd':>14}{'open flags':>12}"
)


def _print_row(m: Measure) -> None:
    first, second, third = m.runs
    print(
        f"{m.engine:<11}{m.permits:>9,}{m.build:>9.1f}{first:>11.2f}{second:>11.2f}{third:>11.2f}"
        f"{max(m.runs) / m.permits * 1e6:>11.1f}{m.raised_first:>12,}{m.raised_third:>12,}"
        f"{m.resolved_third:>14,}{m.open_after:>12,}",
        flush=True,
    )


def misses(results: list[Measure]) -> list[str]:
    """What misses the target: 5 s per 200k at 200k or more, and a cost per permit (of the slowest run) that
    grows by no more than half from one size to the next."""
    found = []
    for m in results:
        limit = TARGET_SECONDS * m.permits / TARGET_SIZE
        if m.permits >= TARGET_SIZE and max(m.runs) > limit:
            found.append(f"{m.engine} {m.permits:,}: slowest run {max(m.runs):.2f} s > {limit:.2f} s")
    for engine in sorted({m.engine for m in results}):
        mine = sorted((m for m in results if m.engine == engine), key=lambda m: m.permits)
        for smaller, larger in itertools.pairwise(mine):
            before, after = (max(m.runs) / m.permits for m in (smaller, larger))
            if after > LINEAR_SLACK * before:
                found.append(
                    f"{engine}: {after * 1e6:.1f} µs/permit at {larger.permits:,}, over {LINEAR_SLACK} times "
                    f"the {before * 1e6:.1f} at {smaller.permits:,} (growth far from linear)"
                )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,100000,200000", help="comma-separated numbers of open permits")
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL"), help="a PostgreSQL server URL")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size; the best time of each run is kept")
    parser.add_argument("--explain", action="store_true", help="then print each statement's time and plan")
    args = parser.parse_args()
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    pg_url = args.pg_url if args.pg_url and args.pg_url.startswith("postgresql") else None
    print(f"Stall scan on {AS_OF} (1st, 2nd) and {NEXT_DAY} (3rd); sizes {', '.join(f'{s:,}' for s in sizes)}")
    if not pg_url:
        print("PostgreSQL not measured: give --pg-url or TEST_DATABASE_URL (make bench starts a server).")
    print(HEADER, flush=True)
    results: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as folder:
        if not args.no_sqlite:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            results += bench_engine("sqlite", url, sizes, folder, args.repeat, args.explain)
        if pg_url:
            with postgres_database(pg_url) as url:
                results += bench_engine("postgresql", url, sizes, folder, args.repeat, args.explain)
    found = misses(results)
    for line in found:
        print(f"MISSED: {line}")
    if found:
        sys.exit(1)
    print(f"Target met: under {TARGET_SECONDS:.0f} s per {TARGET_SIZE:,} permits, growth about linear.")


if __name__ == "__main__":
    main()
