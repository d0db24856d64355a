"""Writing many rows into one table at once, in the session's transaction: ``COPY ... FROM STDIN`` on PostgreSQL
(psycopg 3), the driver's ``executemany`` on SQLite. Never ORM objects: a province's load is millions of rows.

Values are given as the model takes them (enum members, timezone-aware datetimes, ``Decimal``, JSON columns as
Python values) and written as SQLAlchemy would store them: an enum as its stored value (psycopg would write a
member's *name*), a JSON value serialised, a timestamp in UTC (a naive one is refused, as the column type does).
``COPY`` applies no Python-side column default, so a column the rows leave out that has one (``created_at``,
a status, a counter) gets it here, once per call, as an ORM insert would give it; columns left out without
one get the server's default or NULL (an autoincrement id: the next of its sequence).

``bulk_insert(table, columns, rows)`` takes tuples in the order of ``columns`` (the fast path);
``bulk_load(table, rows)`` takes dicts keyed by column name, all with the same keys.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, islice

import sqlalchemy as sa
from sqlalchemy import Column, Table

from app.database import UTCDateTime
from app.extensions import db
from app.fragments import note_write

CHUNK = 5_000  # rows per executemany where there is no COPY
COPY_CHUNK = 20_000  # rows drawn, then written by one COPY


def bulk_insert(table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``; returns how many were written."""
    connection = db.session.connection()
    dialect = connection.dialect
    defaulted = _defaults(table, columns)
    names = [*columns, *defaulted]
    if defaulted:
        extra = tuple(defaulted.values())
        rows = (tuple(row) + extra for row in rows)
    if dialect.name == "postgresql":
        return _copy(connection, table, names, _converted(rows, [_copy_converter(table.c[n]) for n in names]))
    processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    marks = ", ".join("?" for _ in names)
    quoted = ", ".join(f'"{n}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})'  # noqa: S608 - names from the model
    count = 0
    batch: list[Sequence] = []
    for row in _converted(rows, processors):
        batch.append(row)
        if len(batch) == CHUNK:
            connection.exec_driver_sql(sql, batch)
            count, batch = count + len(batch), []
    if batch:
        connection.exec_driver_sql(sql, batch)
        count += len(batch)
    return count


def bulk_load(table: Table, rows: Iterable[Mapping]) -> int:
    """Insert ``rows`` (dicts keyed by column name, every one with the same keys) into ``table``; returns how
    many were written."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    columns = list(first)
    return bulk_insert(table, columns, ([row[c] for c in columns] for row in chain((first,), rows)))


def _defaults(table: Table, given: Sequence[str]) -> dict[str, object]:
    """The Python-side defaults of the columns not ``given`` (a callable one evaluated once)."""
    found = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if default.is_scalar:
            found[column.name] = default.arg
        elif default.is_callable:
            found[column.name] = default.arg(None)  # SQLAlchemy wraps it to take the execution context
    return found


Converter = Callable[[object], object] | None


def _converted(rows: Iterable[Sequence], converters: list[Converter]) -> Iterator[Sequence]:
    at = [(i, f) for i, f in enumerate(converters) if f is not None]
    if not at:
        yield from (row if isinstance(row, tuple) else tuple(row) for row in rows)
        return
    for row in rows:
        out = list(row)
        for i, convert in at:
            out[i] = convert(out[i])
        yield tuple(out)


def _copy_converter(column: Column) -> Converter:
    """What ``COPY`` needs done to a value of ``column`` that psycopg would not write as SQLAlchemy does."""
    kind = column.type
    if isinstance(kind, sa.Enum):
        return _enum_value
    if isinstance(kind, sa.JSON):
        return _json_text(kind.none_as_null)
    if isinstance(kind, UTCDateTime):
        return lambda value: kind.process_bind_param(value, None)
    return None


def _enum_value(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def _json_text(none_as_null: bool) -> Callable[[object], str | None]:
    """``json.dumps`` (``None`` is JSON's null unless the column says SQL's NULL, as SQLAlchemy writes it),
    remembering lists of strings: a province's rows carry a few dozen distinct ones."""
    texts: dict[tuple, str] = {}

    def dumps(value: object) -> str | None:
        if value is None and none_as_null:
            return None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            key = tuple(value)
            text = texts.get(key)
            if text is None:
                text = texts[key] = json.dumps(value)
            return text
        return json.dumps(value)

    return dumps


def _copy(connection, table: Table, names: list[str], rows: Iterable[Sequence]) -> int:
    """``COPY`` a chunk at a time, each drawn before its ``COPY`` starts: the connection can run nothing else during
    one, and a generator of rows may query the database (the app's calendar, its catalogue) as it goes."""
    raw = connection.connection.driver_connection  # the psycopg connection, in the session's transaction
    note_write(connection, table.name)  # the COPY is not seen by the engine's hooks
    quoted = ", ".join(f'"{n}"' for n in names)
    sql = f'COPY "{table.name}" ({quoted}) FROM STDIN'
    count = 0
    rows = iter(rows)
    while chunk := list(islice(rows, COPY_CHUNK)):
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in chunk:
                copy.write_row(row)
        count += len(chunk)
    return count
