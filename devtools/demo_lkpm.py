"""The demo's LKPM reports and layoff records: for the fictional investors only (never the reference case, whose
reports nobody has published), so that the realisation pages, the missing-report scan and the portal show something.

Idempotent: an investor that already has a report is left alone, and a layoff record is added once. Flushes.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Region
from estates.models import Estate, EstateStatus, Investor
from realisation.layoffs.models import LayoffRecord
from realisation.models import LkpmEntry, LkpmStatus
from realisation.periods import Period

RECORDED_BY = "Data demo"
PERIODS = ("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")
REPORTING = (EstateStatus.UNDER_CONSTRUCTION, EstateStatus.OPERATING)
LAYOFFS = (  # (kab/kota, quarter, KBLI section, workers)
    ("36.03", "2026-Q1", "C", 1_250),
    ("36.71", "2026-Q2", "C", 640),
)


def seed_demo_lkpm() -> dict[str, int]:
    """Reports of the fictional investors' estates that are being built or operate; a few left missing."""
    has_reports = set(db.session.scalars(select(LkpmEntry.investor_id).distinct()))
    estates = db.session.scalars(
        select(Estate).join(Estate.investor).where(Investor.is_demo.is_(True)).order_by(Estate.name)
    ).all()
    added = {"lkpm": 0, "layoffs": 0}
    for index, estate in enumerate(estates):
        if estate.investor_id in has_reports or estate.status not in REPORTING:
            continue
        periods = PERIODS[:-2] if index % 3 == 1 else PERIODS[:-1] if index % 3 == 2 else PERIODS
        for step, text in enumerate(periods):
            period = Period.parse(text)
            planned = estate.planned_investment_rp or Decimal(0)
            db.session.add(
                LkpmEntry(
                    investor_id=estate.investor_id,
                    estate=estate,
                    period=text,
                    period_end=period.end,
                    investment_rp=(planned / 40 * (step + 1)).quantize(Decimal(1)),
                    tki=int(estate.area_ha * 3) * (step + 1),
                    tka=index % 4,
                    status=LkpmStatus.APPROVED if step < len(periods) - 1 else LkpmStatus.SENT,
                    reported_on=period.end + timedelta(days=10),
                    obstacles="Pembebasan lahan warga belum selesai (fiktif)." if step == 0 else None,
                    recorded_by=RECORDED_BY,
                )
            )
            added["lkpm"] += 1
    regions = {r.bps_code: r.id for r in db.session.scalars(select(Region))}
    source = "Contoh data demo (fiktif)"
    for code, quarter, section, workers in LAYOFFS:
        exists = select(LayoffRecord.id).where(
            LayoffRecord.region_id == regions[code], LayoffRecord.period == quarter, LayoffRecord.source == source
        )
        if db.session.scalar(exists) is None:
            db.session.add(
                LayoffRecord(
                    region_id=regions[code],
                    period=quarter,
                    period_end=Period.parse(quarter).end,
                    kbli_section=section,
                    workers=workers,
                    source=source,
                    source_date=Period.parse(quarter).end + timedelta(days=20),
                    recorded_by=RECORDED_BY,
                )
            )
            added["layoffs"] += 1
    db.session.flush()
    return added
