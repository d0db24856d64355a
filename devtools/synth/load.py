"""Bulk loading of synthetic rows: COPY FROM STDIN on PostgreSQL (psycopg 3), chunked executemany on SQLite.

Rows are dicts keyed by column name, with enum members as their values; every row of one call has the same
keys. Ids are given explicitly (so that a seed gives the same rows on both engines); after a load on
PostgreSQL ``reset_sequences`` moves each table's id sequence past the largest id, so the app's own inserts
go on from there.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator

from sqlalchemy import Table, func, insert, select, text

from app.extensions import db

CHUNK = 10_000  # rows per executemany on SQLite


def _plain(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def next_id(table: Table) -> int:
    """The first id after the table's largest (1 for an empty table)."""
    return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1


def bulk_load(table: Table, rows: Iterable[dict]) -> int:
    """Load ``rows`` into ``table`` in the session's transaction; returns how many."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    columns = list(first)
    chained = _chain(first, rows)
    if db.engine.dialect.name == "postgresql":
        return _copy(table, columns, chained)
    return _executemany(table, chained)


def _chain(first: dict, rest: Iterator[dict]) -> Iterator[dict]:
    yield first
    yield from rest


def _copy(table: Table, columns: list[str], rows: Iterator[dict]) -> int:
    raw = db.session.connection().connection.driver_connection  # the psycopg connection, same transaction
    names = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([_plain(row[c]) for c in columns])
            count += 1
    return count


def _executemany(table: Table, rows: Iterator[dict]) -> int:
    count, batch = 0, []
    statement = insert(table)
    for row in rows:
        batch.append({k: _plain(v) for k, v in row.items()})
        if len(batch) == CHUNK:
            db.session.execute(statement, batch)
            count, batch = count + len(batch), []
    if batch:
        db.session.execute(statement, batch)
        count += len(batch)
    return count


def reset_sequences(tables: Iterable[Table]) -> None:
    """PostgreSQL: each table's id sequence continues after its largest id (nothing to do on SQLite)."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        largest = db.session.scalar(select(func.max(table.c.id))) or 0
        sequence = text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :next, false)")
        db.session.execute(sequence, {"table": f'"{table.name}"', "next": largest + 1})


def analyze(tables: Iterable[Table]) -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would give them (needs a committed load)."""
    names = [t.name for t in tables]
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in names:
                conn.execute(text(f'VACUUM ANALYZE "{name}"'))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
