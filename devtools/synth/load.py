"""Around a bulk load of synthetic rows (written by ``app.bulk.bulk_load``: COPY FROM STDIN on PostgreSQL, the
driver's executemany on SQLite): ids, sequences and statistics.

Ids are given explicitly (so that a seed gives the same rows on both engines); after a load on
PostgreSQL ``reset_sequences`` moves each table's id sequence past the largest id, so the app's own inserts
go on from there.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, func, select, text

from app.extensions import db


def next_id(table: Table) -> int:
    """The first id after the table's largest (1 for an empty table)."""
    return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1


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
