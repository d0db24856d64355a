"""The database a benchmark measures: a throwaway one, or one kept under a name to be reused by the next run
(``--keep NAME`` / ``--reuse NAME`` of ``bench_pages.py`` and ``bench_throughput.py``), so that an operator can
re-time pages without building the province again (4-7 minutes on PostgreSQL at the reference size, longer on
SQLite).

Kept on SQLite: the file ``pantau-bench-NAME.sqlite3`` in the temporary folder (``$TMPDIR``, else ``/tmp``). On
PostgreSQL: the database ``pantau_bench_kept_NAME`` on the server of ``--pg-url`` / ``TEST_DATABASE_URL``; the
throwaway cluster of ``tests/with_postgres.sh`` goes with its run, so reuse it within one run (several commands
under one ``tests/with_postgres.sh bash -c '...'``) or give ``--pg-url`` a server that stays. What was built
(scale, seed, day, the load's figures) is written beside, to ``pantau-bench-NAME-ENGINE.json``, and read back
by ``--reuse``. A library, not a benchmark: run as a script it does nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench_scan import postgres_database
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, make_url, select, text

from app.bulk import bulk_insert
from app.extensions import db
from devtools.synth.load import analyze, reset_sequences

FOLDER = Path(tempfile.gettempdir())


class NotKept(SystemExit):
    """``--reuse NAME`` of a database that was never kept (or whose server is gone)."""


def add_options(parser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--keep", metavar="NAME", help="build into a database kept under NAME, for --reuse")
    group.add_argument("--reuse", metavar="NAME", help="measure the database kept under NAME, without building")
    parser.add_argument(
        "--copy", action="store_true", help="with both engines: build PostgreSQL first, then copy its rows to SQLite"
    )


def _checked(name: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]{1,30}", name):
        raise SystemExit(f"a kept database's name is 1-30 of a-z, 0-9 and _: {name!r}")
    return name


def record_path(name: str, engine: str) -> Path:
    return FOLDER / f"pantau-bench-{name}-{engine}.json"


def remember(name: str | None, engine: str, built: dict) -> None:
    """After a build with ``--keep``: what was built, for ``--reuse``."""
    if name:
        record_path(name, engine).write_text(json.dumps(built, indent=2, default=str) + "\n")


@contextlib.contextmanager
def database(engine: str, args, folder: str) -> Iterator[tuple[str, dict | None]]:
    """(the URL to measure, what an earlier run built there: ``None`` when it must be built now). ``args`` has
    ``keep``, ``reuse`` and ``pg_url``; ``folder`` holds a throwaway SQLite file."""
    name = args.reuse or args.keep
    if name is None:
        if engine == "sqlite":
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}", None
        else:
            with postgres_database(args.pg_url) as url:
                yield url, None
        return
    name = _checked(name)
    record = record_path(name, engine)
    if engine == "sqlite":
        path = FOLDER / f"pantau-bench-{name}.sqlite3"
        url, exists = f"sqlite:///{path}", path.exists()
        if args.keep and exists:
            path.unlink()
    else:
        url, exists = _postgres(args.pg_url, f"pantau_bench_kept_{name}", fresh=bool(args.keep))
    if args.keep:
        record.unlink(missing_ok=True)
        yield url, None
    elif not exists or not record.exists():
        raise NotKept(f"--reuse {name}: no {engine} database was kept under that name (build it with --keep {name})")
    else:
        yield url, {**json.loads(record.read_text()), "reused": name}


def _postgres(base_url: str, name: str, fresh: bool) -> tuple[str, bool]:
    """The URL of database ``name`` on the server of ``base_url`` and whether it existed; ``fresh``: (re)created
    empty."""
    url = make_url(base_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = bool(conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}))
            if fresh:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), exists


def copy_into(app: Flask, source_url: str) -> dict:
    """Migrate ``app``'s database and copy into it every row of the database at ``source_url`` (a province built
    there, its stall flags and forecast included), table by table in the order of their foreign keys, with the
    bulk writer: the same rows a build would give (a seed gives the same rows on both engines) in a fraction of
    the time, the histories not walked again. Tables the migrations filled (reference data) are left as they are."""
    source = create_engine(source_url)
    began = time.perf_counter()
    copied: dict[str, int] = {}
    try:
        with app.app_context():
            logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration, else
            upgrade()
            for table in db.metadata.sorted_tables:
                if db.session.scalar(select(func.count()).select_from(table)):
                    continue
                with source.connect() as conn:
                    rows = conn.execution_options(stream_results=True, yield_per=10_000).execute(select(table))
                    if n := bulk_insert(table, list(rows.keys()), (tuple(row) for row in rows)):
                        copied[table.name] = n
            reset_sequences(db.metadata.sorted_tables)
            db.session.commit()
            analyze(db.metadata.sorted_tables)
    finally:
        source.dispose()
    return {"copied": copied, "copy_s": round(time.perf_counter() - began, 1)}
