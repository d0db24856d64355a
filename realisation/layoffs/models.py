"""Layoff (PHK) records per kab/kota, quarter and KBLI section, each with its source and date, and the KBLI 2020
sections (reference data loaded by a migration)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import TimestampMixin
from app.extensions import db
from app.models import ImportBatch, Region


class KbliSection(db.Model):
    """A section (A to U) of the Indonesian standard industrial classification, KBLI 2020 (BPS)."""

    __tablename__ = "kbli_section"

    code: Mapped[str] = mapped_column(String(1), primary_key=True)
    name_id: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id


class LayoffRecord(TimestampMixin, db.Model):
    """Workers laid off in one kab/kota, quarter and sector, as one source reported on one date.

    Sources that disagree are all kept (one row each); the same source and date for the same place, quarter and
    sector is one row, corrected in place.
    """

    __tablename__ = "layoff_record"
    __table_args__ = (
        CheckConstraint("workers >= 0", name="workers_nonneg"),
        UniqueConstraint(
            "region_id", "period", "kbli_section", "source", "source_date", name="uq_layoff_record_source"
        ),
        Index("ix_layoff_record_period_end", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"), index=True)
    period: Mapped[str] = mapped_column(String(8))  # a quarter: 2026-Q1
    period_end: Mapped[date] = mapped_column(Date)
    kbli_section: Mapped[str] = mapped_column(ForeignKey("kbli_section.code", ondelete="RESTRICT"))
    workers: Mapped[int]
    source: Mapped[str] = mapped_column(String(300))  # the manpower office's release, a news report...
    source_date: Mapped[date] = mapped_column(Date)
    source_url: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))

    region: Mapped[Region] = relationship()
    section: Mapped[KbliSection] = relationship()
    import_batch: Mapped[ImportBatch | None] = relationship()
