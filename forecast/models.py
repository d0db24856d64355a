"""The forecast's inputs (priors, assumptions, skill shares: each with its source and year) and its stored runs.

A run keeps everything it showed: the inputs as JSON and one row per zone (with the names of its estate, investor
and kab/kota as they were), one cell per zone, quarter and phase, and the job-quarters held back by each overdue
permit. A snapshot is a run that the nightly refresh never replaces, so later changes to the data leave it as it
was. Rows carry ids without foreign keys for the same reason: deleting a zone must not change a snapshot.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Hectares, Money, UTCDateTime, utcnow
from app.enums import LabelledEnum
from app.extensions import db
from forecast import packed


class InputGroup(LabelledEnum):
    JOBS_PER_HA = "jobs_per_ha"  # prior: direct jobs per hectare by zone kind
    JOBS_PER_TRILLION = "jobs_per_trillion"  # prior: jobs per Rp1 triliun realised, by year
    CONSTRUCTION_MONTHS = "construction_months"  # asumsi
    RAMP_UP_MONTHS = "ramp_up_months"  # asumsi
    CONSTRUCTION_WORKERS_PER_HA = "construction_workers_per_ha"  # asumsi, by zone kind
    MIN_DECIDED_CASES = "min_decided_cases"  # the method: fewer decided cases -> the statutory limit
    SKILL_SHARE = "skill_share"  # share of a zone kind's jobs in a phase that fall in a skill family
    INDIRECT_MULTIPLIER = "indirect_multiplier"  # type I employment multiplier of a KBLI section (input-output)

    @classmethod
    def _labels(cls) -> dict:
        return {
            "jobs_per_ha": _l("Direct jobs per hectare"),
            "jobs_per_trillion": _l("Jobs per Rp1 trillion invested"),
            "construction_months": _l("Construction duration (months)"),
            "ramp_up_months": _l("Ramp-up to full employment (months)"),
            "construction_workers_per_ha": _l("Construction workers per hectare"),
            "min_decided_cases": _l("Decided cases needed to use observed delays"),
            "skill_share": _l("Skill share"),
            "indirect_multiplier": _l("Employment multiplier (type I)"),
        }


class Phase(LabelledEnum):
    CONSTRUCTION = "construction"
    OPERATION = "operation"

    @classmethod
    def _labels(cls) -> dict:
        return {"construction": _l("Construction"), "operation": _l("Operation")}


class Skill(LabelledEnum):
    HEAVY_EQUIPMENT = "heavy_equipment"
    CONSTRUCTION_TRADES = "construction_trades"
    MANUFACTURING = "manufacturing"
    LOGISTICS = "logistics"
    TRADE_SERVICES = "trade_services"
    ENTREPRENEURSHIP = "entrepreneurship"

    @classmethod
    def _labels(cls) -> dict:
        return {
            "heavy_equipment": _l("Heavy-equipment operation"),
            "construction_trades": _l("Construction trades"),
            "manufacturing": _l("Manufacturing operators and technicians"),
            "logistics": _l("Logistics"),
            "trade_services": _l("Trade and services"),
            "entrepreneurship": _l("Entrepreneurship"),
        }


class ForecastInput(db.Model):
    """One editable figure of the forecast: a prior (with its published source) or an assumption ("asumsi").

    ``value`` is the central figure; ``low`` and ``high`` give the range where the forecast uses one (durations:
    the low-jobs case takes the longer one). An empty ``value`` means "not known": the prior is not used.
    """

    __tablename__ = "forecast_input"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    group: Mapped[str] = mapped_column(String(40), index=True)
    zone_kind: Mapped[str | None] = mapped_column(String(24))
    phase: Mapped[str | None] = mapped_column(String(16))
    skill: Mapped[str | None] = mapped_column(String(24))
    kbli_section: Mapped[str | None] = mapped_column(String(1))  # A-U, for a multiplier
    year: Mapped[int | None]
    low: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    high: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    unit: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(16))  # primary, secondary or asumsi
    source_year: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(120))

    @property
    def is_assumption(self) -> bool:
        return self.source_kind == "asumsi"


class ForecastRun(db.Model):
    __tablename__ = "forecast_run"
    __table_args__ = (Index("ix_forecast_run_snapshot_as_of", "is_snapshot", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    as_of: Mapped[date] = mapped_column(Date)
    horizon_quarters: Mapped[int]
    inputs: Mapped[dict] = mapped_column(JSON)
    is_snapshot: Mapped[bool] = mapped_column(default=False)
    label: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(String(120))

    zones: Mapped[list[ForecastZone]] = relationship(
        primaryjoin="ForecastRun.id == foreign(ForecastZone.run_id)", viewonly=True, order_by="ForecastZone.id"
    )


class ForecastZone(db.Model):
    """One zone (or a whole estate without zones: ``zone_id`` empty) in one run, with why it is timed as it is.

    ``run_id`` and ``ForecastSeries.run_id`` carry no foreign key: a refresh writes 100,000 zone rows and their
    series by ``COPY``, and a foreign key checks every row (``forecast.store.delete_runs`` deletes them with
    their run)."""

    __tablename__ = "forecast_zone"
    # the order the page lists zones (and estates) in: the first rows of a run without sorting 100,000; and one
    # investor's zones (the page filtered to an investor, an investor's own figures: ``reading.per_zone``)
    __table_args__ = (
        Index("ix_forecast_zone_run_order", "run_id", "id"),  # written in that order (0022: was by the names)
        Index("ix_forecast_zone_run_investor", "run_id", "investor_id"),
        Index("ix_forecast_zone_estate_run", "estate_id", "run_id"),  # one estate's (never a whole run's) zones
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int]
    zone_id: Mapped[int | None]
    zone_kind: Mapped[str] = mapped_column(String(24))
    zone_name: Mapped[str | None] = mapped_column(String(120))
    area_ha: Mapped[Decimal | None] = mapped_column(Hectares)
    estate_id: Mapped[int]  # indexed by ix_forecast_zone_estate_run (0022 dropped its own: one more to write)
    estate_name: Mapped[str] = mapped_column(String(200))
    investor_id: Mapped[int]
    investor_name: Mapped[str] = mapped_column(String(200))
    capital_status: Mapped[str] = mapped_column(String(8))
    region_id: Mapped[int]
    kab_kota: Mapped[str] = mapped_column(String(120))
    investment_rp: Mapped[Decimal | None] = mapped_column(Money)
    commitment_jobs: Mapped[int | None]
    prior_jobs: Mapped[int | None]
    claim_jobs: Mapped[str | None] = mapped_column(String(80))  # shown beside, never used
    basis: Mapped[str] = mapped_column(String(16))  # commitment, prior, investment or none
    clear_central: Mapped[date | None] = mapped_column(Date)  # permits and stop order cleared
    operating_low: Mapped[date | None] = mapped_column(Date)
    operating_central: Mapped[date | None] = mapped_column(Date)
    operating_high: Mapped[date | None] = mapped_column(Date)
    waits_for: Mapped[str | None] = mapped_column(String(16))  # the permit type the timing hangs on
    notes: Mapped[list] = mapped_column(JSON, default=list)
    series: Mapped[int] = mapped_column(default=0)  # its run's series (ForecastSeries.series): shared by like zones

    @property
    def cells(self) -> list[Cell]:
        """Its series' cells with jobs in some case (a cell of none is not listed), in quarter order."""
        row = db.session.scalar(
            select(ForecastSeries).where(ForecastSeries.run_id == self.run_id, ForecastSeries.series == self.series)
        )
        if row is None:
            return []
        run = db.session.get(ForecastRun, self.run_id)
        quarters = packed.run_quarters(run.as_of, run.horizon_quarters)
        cells = packed.as_cells(packed.decode([row.cells], 3 * len(packed.keys(quarters)))[0], quarters)
        return [Cell(quarter, phase, *values) for (quarter, phase), values in cells.items() if any(values)]


class Cell(NamedTuple):
    """Direct jobs at the end of a quarter, in one phase (a stored series' figures, decoded)."""

    quarter: str  # 2027-Q3
    phase: str
    low: int
    central: int
    high: int


class ForecastSeries(db.Model):
    """The direct jobs of every quarter, phase and case for every zone of a run with that ``series``: zones with the
    same sizes and dates have the same jobs, stored once, packed in one row (``forecast.packed``: a province's
    90,000 series were 1.4 million rows of one cell each until 0022)."""

    __tablename__ = "forecast_series"

    # keyed by what every reader looks a series up by: a surrogate id was one more index per row (0028)
    run_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    series: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    job_quarters: Mapped[int] = mapped_column(BigInteger)  # central operation jobs summed over the horizon
    cells: Mapped[bytes] = mapped_column(LargeBinary)  # ``packed.keys`` order, low/central/high, int32 LE


class ForecastRegionTotal(db.Model):
    """A run's jobs summed by kab/kota, zone kind and PMA/PMDN, per quarter and phase: what the governor's page, the
    dashboards and the layoffs table read. A few thousand rows a run, whatever the number of investors and zones
    (with the investor in the grain, as ``forecast_total`` had it until 0019, a province's 10,000 investors made
    millions). A read about one investor sums its zones' series instead (``reading.per_zone``)."""

    __tablename__ = "forecast_region_total"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int]
    kab_kota: Mapped[str] = mapped_column(String(120))
    zone_kind: Mapped[str] = mapped_column(String(24))
    capital_status: Mapped[str] = mapped_column(String(8))
    zones: Mapped[int]  # how many zones (or estates without zones) the row sums
    quarter: Mapped[str] = mapped_column(String(7))
    phase: Mapped[str] = mapped_column(String(16))
    low: Mapped[int] = mapped_column(BigInteger)
    central: Mapped[int] = mapped_column(BigInteger)
    high: Mapped[int] = mapped_column(BigInteger)


class ForecastHeld(db.Model):
    """Job-quarters one overdue permit holds back, against its being decided on the run's day."""

    __tablename__ = "forecast_held"
    __table_args__ = (
        Index("ix_forecast_held_estate_run", "estate_id", "run_id"),  # one estate's (the estate page, migration 0029)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"), index=True)
    permit_id: Mapped[int]
    permit_type: Mapped[str] = mapped_column(String(16))
    agency_id: Mapped[int | None]
    agency_name: Mapped[str] = mapped_column(String(255))
    estate_id: Mapped[int]
    estate_name: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int]
    investor_id: Mapped[int]
    job_quarters: Mapped[int]
    investment_rp: Mapped[Decimal | None] = mapped_column(Money)


# The forecast page's held-back permits per agency and permit type, most first (``reading.held_lines``): read in that
# order from the index, with the columns the query reads (migration 0023).
Index(
    "ix_forecast_held_run_lines",
    ForecastHeld.run_id,
    ForecastHeld.agency_id,
    ForecastHeld.permit_type,
    ForecastHeld.job_quarters.desc(),
    ForecastHeld.id,
    ForecastHeld.permit_id,
    ForecastHeld.estate_name,
)
