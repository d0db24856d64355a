"""The declarative base and the column types every package shares: UTC timestamps, money, areas, portable
enums, and the engine settings that make SQLite behave like the PostgreSQL we deploy on.

Holds no model and no extension object (``db`` lives in ``app.extensions``), so that both can import it.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import (
    DateTime,
    MetaData,
    Numeric,
    TypeDecorator,
    event,
    func,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no zone, so values are normalised to UTC on the way in and tagged UTC on the way out;
    PostgreSQL stores ``timestamptz``. A naive datetime is refused: it would be ambiguous (UTC or WIB?).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC values only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time in UTC; a callable default, evaluated per row (never once at import)."""
    return datetime.now(UTC)


Money = Numeric(20, 0)  # whole rupiah
Hectares = Numeric(12, 4)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime(), Decimal: Numeric(20, 4)},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, server_default=func.now())


def str_enum(enum_cls: type[enum.StrEnum], length: int = 32, name: str | None = None) -> sa.Enum:
    """A portable enum column storing the member's value as a short string with a CHECK constraint.

    ``name`` names the CHECK constraint; give one when a table has two columns of the same enum.
    """
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=length,
        create_constraint=True,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
        name=name or enum_cls.__name__.lower(),
    )


_installed = False


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # SQLite ignores foreign keys unless asked
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def install_sqlite_pragmas() -> None:
    """Turn on foreign keys and a busy timeout for every SQLite connection (idempotent)."""
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _sqlite_pragmas)
        _installed = True


def analyze_tables(bind: sa.Connection, *tables: str) -> None:
    """Fresh statistics for ``tables`` after a migration changed their indexes. PostgreSQL: before autovacuum gets
    to them (the counts' plans). SQLite keeps none for a new index (nor for a table a batch migration copied), and
    with the statistics of every other table and none of these it may walk a list from the wrong index and sort
    the lot (the stalled list: 300 ms instead of 25 at the reference size; the kab/kota's permits list from
    ``ix_permit_region_type``: 30 ms instead of 6): where the database has statistics (``sqlite_stat1``: an
    ANALYZE ran once), they are renewed for these tables; one never analysed is left so."""
    statistics = "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
    if bind.dialect.name == "sqlite" and not bind.exec_driver_sql(statistics).first():
        return
    for table in tables:
        bind.exec_driver_sql(f"ANALYZE {table}")
