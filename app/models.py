"""The declarative base, shared column types and the core reference tables.

Everything a domain package needs from the shell lives here: ``db``, ``Base``, UTC timestamps,
the region table (Banten's kabupaten/kota, referenced by estates and later by officers' scope) and
the settings table that holds every figure an administrator may change without a release.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, Numeric, String, Text, TypeDecorator, func
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


db = SQLAlchemy(model_class=Base)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, server_default=func.now())


def str_enum(enum_cls: type[enum.StrEnum], length: int = 32, name: str | None = None) -> db.Enum:
    """A portable enum column storing the member's value as a short string with a CHECK constraint.

    ``name`` names the CHECK constraint; give one when a table has two columns of the same enum.
    """
    return db.Enum(
        enum_cls,
        native_enum=False,
        length=length,
        create_constraint=True,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
        name=name or enum_cls.__name__.lower(),
    )


class RegionKind(enum.StrEnum):
    KABUPATEN = "kabupaten"
    KOTA = "kota"


class Region(db.Model):
    """A kabupaten or kota of Banten, with its BPS code (loaded by a data migration)."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    bps_code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[RegionKind] = mapped_column(str_enum(RegionKind, 16))

    def __repr__(self) -> str:
        return f"<Region {self.bps_code} {self.name}>"


class Setting(db.Model):
    """A figure an administrator may change without a release, with where it comes from.

    Legal figures that DOMAIN.md marks UNCONFIRMED live here, never as constants in code.
    """

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    confirmed: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, server_default=func.now())
