"""``app.bulk``: rows written by COPY (PostgreSQL) or executemany (SQLite) read back as the ORM would have
written them: enums by their stored value, JSON, UTC timestamps, the Python-side defaults COPY would not apply."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import JSON, Column, Date, Integer, MetaData, String, Table, select

from app.bulk import bulk_insert, bulk_load
from app.database import Hectares, UTCDateTime, str_enum
from app.extensions import db
from app.models import AuditEvent, AuditLog

WIB = timezone(timedelta(hours=7))
STAMP = datetime(2026, 3, 4, 1, 2, 3, tzinfo=UTC)


class Colour(enum.StrEnum):
    DEEP_RED = "merah"  # name and value differ: psycopg would COPY the name
    BLUE = "biru"


def _stamp() -> datetime:
    return STAMP


@pytest.fixture
def table() -> Iterator[Table]:
    made = Table(
        "bulk_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("colour", str_enum(Colour, 8), nullable=True),
        Column("notes", JSON, nullable=True),
        Column("at", UTCDateTime, nullable=True),
        Column("on", Date, nullable=True),
        Column("area", Hectares, nullable=True),
        Column("label", String(20), default="tanpa nama"),
        Column("made_at", UTCDateTime, default=_stamp),
        Column("rank", Integer, server_default="7"),
    )
    with db.engine.begin() as conn:
        made.create(conn)
    yield made
    db.session.rollback()
    with db.engine.begin() as conn:
        made.drop(conn)


def _rows(table: Table) -> list[tuple]:
    return [tuple(r) for r in db.session.execute(select(table).order_by(table.c.id))]


def test_values_come_back_as_the_orm_writes_them(table):
    written = bulk_insert(
        table,
        ["colour", "notes", "at", "on", "area"],
        [
            (Colour.DEEP_RED, ["a", "b"], datetime(2026, 3, 4, 8, 2, 3, tzinfo=WIB), date(2026, 3, 4), Decimal("1.5")),
            ("biru", {"k": [1, 2]}, None, None, None),
        ],
    )
    assert written == 2
    first, second = _rows(table)
    assert first == (1, Colour.DEEP_RED, ["a", "b"], STAMP, date(2026, 3, 4), Decimal("1.5000"), "tanpa nama", STAMP, 7)
    assert second[:6] == (2, Colour.BLUE, {"k": [1, 2]}, None, None, None)
    stored = db.session.execute(sa.text("SELECT colour FROM bulk_probe ORDER BY id")).scalars().all()
    assert stored == ["merah", "biru"]  # the value, never the member's name


def test_dict_rows_with_their_own_ids_and_given_defaults(table):
    assert bulk_load(table, []) == 0
    rows = ({"id": 10 + k, "label": f"baris {k}", "rank": k} for k in range(12_001))  # more than one chunk
    assert bulk_load(table, rows) == 12_001
    found = _rows(table)
    assert len(found) == 12_001
    assert found[0][0] == 10 and found[0][6:] == ("baris 0", STAMP, 0)
    assert found[-1][0] == 12_010 and found[-1][8] == 12_000


def test_a_naive_timestamp_is_refused_and_nothing_is_written(table):
    with pytest.raises((ValueError, sa.exc.StatementError)):
        bulk_insert(table, ["at"], [(datetime(2026, 3, 4, 1, 0),)])
    db.session.rollback()
    assert _rows(table) == []


def test_an_app_table_with_an_enum_and_a_callable_default():
    before = datetime.now(UTC)
    bulk_load(AuditLog.__table__, [{"event": AuditEvent.LOGIN_FAILED, "email": "x@contoh.invalid"}])
    db.session.commit()
    row = db.session.scalars(select(AuditLog).where(AuditLog.email == "x@contoh.invalid")).one()
    assert row.event is AuditEvent.LOGIN_FAILED and row.at >= before - timedelta(seconds=1)


def test_a_generator_of_rows_may_query_the_database_as_it_goes(table):
    def rows():
        for k in range(3):
            yield (db.session.scalar(select(sa.literal(f"baris {k}"))),)  # on the connection the writer uses

    assert bulk_insert(table, ["label"], rows()) == 3
    assert [r[6] for r in _rows(table)] == ["baris 0", "baris 1", "baris 2"]
