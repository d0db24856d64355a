"""Writing and deleting stored runs in bulk: a province's refresh writes 100,000 zone rows, so rows go in as plain
tuples, by ``COPY`` on PostgreSQL (psycopg) and by the driver's ``executemany`` elsewhere (SQLite), never as ORM
objects."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar

import numpy as np
from psycopg.adapt import PyFormat
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Table, delete, select

from app.extensions import db
from forecast import packed
from forecast.models import ForecastHeld, ForecastRegionTotal, ForecastRun, ForecastSeries, ForecastZone

CHUNK = 5_000  # rows per executemany where there is no COPY
T = TypeVar("T")


def bulk_insert(
    table: Table, columns: Sequence[str], rows: Iterable[tuple], serialised: bool = False, binary: Sequence[str] = ()
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table`` in the session's transaction. JSON
    columns take Python values (serialised here), or their JSON text when ``serialised``. ``binary``: the
    PostgreSQL types of ``columns``, to copy in binary (bytes as they are: in text, a ``bytea`` travels as hex
    the server must parse, twice its size)."""
    json_at = [] if serialised else [i for i, c in enumerate(columns) if table.c[c].type.__class__.__name__ == "JSON"]
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        names = ", ".join(columns)
        form = " (FORMAT BINARY)" if binary else ""
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN{form}") as copy:
            if binary:
                copy.set_types(list(binary))
            if json_at:
                texts: dict[tuple, str] = {}  # a province's zones carry a few dozen distinct lists of notes
                rows = (_dumped(row, json_at, texts) for row in rows)
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)  # SQLite: the driver's executemany, values as SQLAlchemy stores them
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 - names from the model
    batch: list[tuple] = []
    for row in rows:
        batch.append(tuple(_sqlite_value(v, i in json_at) for i, v in enumerate(row)))
        if len(batch) == CHUNK:
            connection.exec_driver_sql(sql, batch)
            batch = []
    if batch:
        connection.exec_driver_sql(sql, batch)


SERIES_COLUMNS = ("run_id", "series", "job_quarters", "cells")


def insert_series(run_id: int, figures: np.ndarray, beside: Callable[[], T]) -> T:
    """A run's series rows, one per row of ``figures`` (``packed``), and ``beside()`` (which must not use the
    database), whose result is returned: on PostgreSQL the rows' binary ``COPY`` data is made at once
    (``packed.copy_binary``) and sent from the driver's writer thread while ``beside`` runs, the server storing
    them; elsewhere ``bulk_insert``, then ``beside``."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        rows = zip(range(len(figures)), packed.operation_central(figures).tolist(), packed.encode(figures), strict=True)
        bulk_insert(ForecastSeries.__table__, SERIES_COLUMNS, ((run_id, *row) for row in rows))
        return beside()
    data = packed.copy_binary(run_id, figures)
    raw = connection.connection.driver_connection
    sql = f"COPY forecast_series ({', '.join(SERIES_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
    with raw.cursor() as cursor, cursor.copy(sql, writer=QueuedLibpqWriter(cursor)) as copy:
        for part in (packed.COPY_SIGNATURE, data, packed.COPY_TRAILER):
            copy.write(part)  # queued: the data (40 MB a province) fits the writer's queue
        return beside()


class NumericData(dict):
    """Numeric values (``Decimal`` or ``None``) -> what a ``COPY`` writes for them: on PostgreSQL their binary
    form, made once per distinct value by the driver's own dumper (a province's 100,000 zone rows carry a few
    thousand distinct areas and 20,000 investments; dumping each ``Decimal`` took a tenth of a second of the
    client), to be copied with the type "bytea" (as they are); elsewhere the values themselves."""

    def __init__(self, dump: Callable[[Decimal], bytes] | None = None) -> None:
        super().__init__()
        self.dump = dump

    def __missing__(self, value: Decimal | None) -> object:
        data = self[value] = value if value is None or self.dump is None else bytes(self.dump(value))
        return data


def numeric_data() -> NumericData:
    """A ``NumericData`` for the session's connection."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return NumericData()
    raw = connection.connection.driver_connection
    return NumericData(raw.adapters.get_dumper(Decimal, PyFormat.BINARY)(Decimal, raw).dump)


def _dumped(row: tuple, json_at: list[int], texts: dict[tuple, str]) -> list:
    """``row`` with its JSON columns as text; a list of strings is serialised once (``texts``: by its items)."""
    out = list(row)
    for i in json_at:
        value = out[i]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            key = tuple(value)
            text = texts.get(key)
            if text is None:
                text = texts[key] = json.dumps(value)
            out[i] = text
        else:
            out[i] = json.dumps(value)
    return out


def _sqlite_value(value: object, is_json: bool) -> object:
    if is_json:
        return json.dumps(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def delete_runs(ids: list[int]) -> None:
    db.session.execute(delete(ForecastSeries).where(ForecastSeries.run_id.in_(ids)))
    db.session.execute(delete(ForecastZone).where(ForecastZone.run_id.in_(ids)))
    db.session.execute(delete(ForecastHeld).where(ForecastHeld.run_id.in_(ids)))
    db.session.execute(delete(ForecastRegionTotal).where(ForecastRegionTotal.run_id.in_(ids)))
    db.session.execute(delete(ForecastRun).where(ForecastRun.id.in_(ids)))
    _forget_runs()


def delete_runs_beside(ids: list[int], work: Callable[[], T]) -> T:
    """``delete_runs(ids)`` and ``work()`` (which must not use the database), at once where the database allows it:
    on PostgreSQL the deletes are sent in pipeline mode, so the server deletes the previous run's 200,000 rows while
    the client computes; elsewhere one after the other. Returns what ``work`` returns."""
    connection = db.session.connection()
    if not ids or connection.dialect.name != "postgresql":
        if ids:
            delete_runs(ids)
        return work()
    raw = connection.connection.driver_connection
    with raw.pipeline(), raw.cursor() as cursor:
        for table in (ForecastSeries, ForecastZone, ForecastHeld, ForecastRegionTotal):
            cursor.execute(f"DELETE FROM {table.__tablename__} WHERE run_id = ANY(%s)", [ids])  # noqa: S608
        cursor.execute("DELETE FROM forecast_run WHERE id = ANY(%s)", [ids])
        result = work()
    _forget_runs()
    return result


def _forget_runs() -> None:
    for obj in list(db.session.identity_map.values()):  # the deleted rows' objects must not meet reused ids
        if isinstance(obj, (ForecastRun, ForecastZone, ForecastSeries, ForecastHeld, ForecastRegionTotal)):
            db.session.expunge(obj)


def analyze() -> None:
    """On PostgreSQL, fresh statistics for the tables the page plans its reads on: right after a refresh the old ones
    say a run has a few rows, and the planner would sort 100,000 zone rows to list 50 (autovacuum would analyze
    them a minute later). Inside the refresh's transaction, which the statistics count. A small sample (3,000 rows
    instead of 30,000) is enough for the row counts and orders the page's plans hang on, at a tenth of the time."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL default_statistics_target = 10")
        connection.exec_driver_sql("ANALYZE forecast_zone, forecast_held, forecast_region_total")
        connection.exec_driver_sql("SET LOCAL default_statistics_target TO DEFAULT")


def current_ids() -> list[int]:
    return list(db.session.scalars(select(ForecastRun.id).where(ForecastRun.is_snapshot.is_(False))))
