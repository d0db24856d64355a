"""The province's published investment and jobs totals, one row per release: a later release may revise an earlier
one, and both are kept with their source and release date."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Money, str_enum, utcnow
from app.enums import LabelledEnum
from app.extensions import db


class SourceKind(LabelledEnum):
    PRIMARY = "primary"  # the office's own release
    SECONDARY = "secondary"  # the press quoting it

    @classmethod
    def _labels(cls) -> dict:
        return {"primary": _l("Primary (the office's release)"), "secondary": _l("Secondary (press)")}


class ProvinceRealisation(db.Model):
    """Banten's realised investment (whole rupiah) and jobs for a year, half-year or quarter, as one source
    published them on ``released_on`` (empty when the source gives no date)."""

    __tablename__ = "province_realisation"
    __table_args__ = (
        UniqueConstraint("period", "source", "released_on", name="uq_province_realisation_release"),
        CheckConstraint("investment_rp >= 0", name="investment_nonneg"),
        CheckConstraint("period_start <= period_end", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(8))  # 2025, 2025-S1, 2025-Q3
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date, index=True)
    investment_rp: Mapped[Decimal] = mapped_column(Money)
    pma_rp: Mapped[Decimal | None] = mapped_column(Money)
    pmdn_rp: Mapped[Decimal | None] = mapped_column(Money)
    jobs_total: Mapped[int | None]
    jobs_tki: Mapped[int | None]
    jobs_tka: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(300))
    source_kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind, 16))
    released_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
