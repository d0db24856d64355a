"""Time the working-day calendar as the pages call it: 100,000 random calls of each function.

Run from the project root: ``python bench/bench_calendar.py [--calls N]``. It builds its own app on a
throw-away SQLite database migrated to head, so it touches no real data. Inputs are drawn before timing
(start dates 2024-2027, n 0..400, spans up to four years) with a fixed seed.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from permits.admin.closures import add_override
from permits.calendar import add_working_days, invalidate_calendar_cache, working_days_between
from permits.models import CalendarOverrideKind

FIRST, LAST = date(2024, 1, 1), date(2027, 12, 31)


def _report(label: str, calls: int, seconds: float) -> None:
    print(f"{label:<44} {calls:>8,} calls  {calls / seconds:>12,.0f} calls/s  {seconds / calls * 1e6:>8.2f} µs/call")


def _time(label: str, calls: int, fn: Callable[[], None]) -> None:
    began = time.perf_counter()
    fn()
    _report(label, calls, time.perf_counter() - began)


def run(calls: int) -> None:
    rng = random.Random(20251129)
    span = (LAST - FIRST).days
    starts = [FIRST + timedelta(days=rng.randrange(span + 1)) for _ in range(calls)]
    ns = [rng.randrange(401) for _ in range(calls)]
    ends = [FIRST + timedelta(days=rng.randrange(span + 1)) for _ in range(calls)]

    def add_all(cuti: bool | None) -> Callable[[], None]:
        def loop() -> None:
            for start, n in zip(starts, ns, strict=True):
                add_working_days(start, n, cuti_bersama=cuti)

        return loop

    def between_all(cuti: bool | None) -> Callable[[], None]:
        def loop() -> None:
            for start, end in zip(starts, ends, strict=True):
                working_days_between(start, end, cuti_bersama=cuti)

        return loop

    invalidate_calendar_cache()
    began = time.perf_counter()
    add_working_days(date(2025, 3, 27), 1)  # builds 2025 from the holidays package and the database
    _report("first call (cold: one year built)", 1, time.perf_counter() - began)
    began = time.perf_counter()
    working_days_between(FIRST, date(2029, 12, 31))
    _report("cold span 2024-2029 (five more years)", 1, time.perf_counter() - began)

    _time("add_working_days, site default", calls, add_all(None))
    _time("working_days_between, site default", calls, between_all(None))
    _time("add_working_days, cuti_bersama=False", calls, add_all(False))
    _time("working_days_between, cuti_bersama=False", calls, between_all(False))

    add_override(date(2025, 4, 8), CalendarOverrideKind.CLOSED, "Benchmark closure", "bench")  # drops the cache
    _time("add_working_days after an override (rebuild)", calls, add_all(None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            logging.getLogger("alembic").setLevel(logging.WARNING)
            run(args.calls)
            db.session.rollback()
            db.engine.dispose()


if __name__ == "__main__":
    main()
