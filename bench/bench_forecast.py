"""The forecast refresh (issue 10): ``refresh_forecast`` over synthetic provinces (``devtools.synth``: seven permits
per estate, estates without zones), then the page's statements. SQLite in a temporary folder, or the PostgreSQL
server of ``TEST_DATABASE_URL`` (a database created and dropped here).

    .venv/bin/python bench/bench_forecast.py --sizes 7000 35000

Prints seconds per refresh and per estate, and the extrapolation to 20,000 estates; exits 1 when the
extrapolation misses the issue's 3 seconds (it does today: see bench/README.md).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time

from flask_migrate import upgrade
from sqlalchemy import event

from app import create_app
from app.extensions import db
from app.security import SYSTEM_SCOPE
from devtools.synth import AS_OF, grow_to
from forecast import reading
from forecast.services import refresh_forecast

TARGET_SECONDS, TARGET_ESTATES = 3.0, 20_000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[7_000, 35_000], help="permits (7 per estate)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url}, instance_path=tmp)
        with app.app_context():
            upgrade()
            built, worst = 0, 0.0
            statements: list[str] = []

            def listener(conn, cursor, statement, *args) -> None:
                statements.append(statement)

            for size in args.sizes:
                grow_to(built, size)
                built = size
                estates = math.ceil(size / 7)
                began = time.perf_counter()
                run = refresh_forecast(AS_OF)
                db.session.commit()
                seconds = time.perf_counter() - began
                statements.clear()
                event.listen(db.engine, "before_cursor_execute", listener)
                began = time.perf_counter()
                reading.series(run, reading.Filters(), SYSTEM_SCOPE)
                reading.held_lines(run, reading.Filters(), SYSTEM_SCOPE)
                reading.skills(run, reading.Filters(), SYSTEM_SCOPE)
                page = time.perf_counter() - began
                event.remove(db.engine, "before_cursor_execute", listener)
                per = seconds / estates
                worst = max(worst, per)
                print(
                    f"{db.engine.dialect.name} {estates:,} estates / {size:,} permits: refresh {seconds:.2f} s "
                    f"({per * 1000:.2f} ms per estate); page reads {page * 1000:.0f} ms in {len(statements)} statements"
                )
    projected = worst * TARGET_ESTATES
    print(f"projected for {TARGET_ESTATES:,} estates: {projected:.1f} s (target {TARGET_SECONDS} s)")
    return 0 if projected <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
