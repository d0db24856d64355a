"""Investors, estates, zones and claims.

This package knows nothing of permits (imports run ``app`` <- ``estates`` <- ``permits``).
Money is whole rupiah (``Numeric(20, 0)``); areas are hectares in ``Numeric(12, 4)``; never floats.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Hectares, Money, TimestampMixin, str_enum, utcnow
from app.enums import LabelledEnum
from app.extensions import db
from app.models import Region


class LegalForm(LabelledEnum):
    """Only these may hold an industrial estate licence (PP 28/2025 Pasal 154)."""

    PT = "pt"
    BUMN = "bumn"
    BUMD = "bumd"
    COOPERATIVE = "koperasi"

    @classmethod
    def _labels(cls) -> dict:
        return {
            "pt": _l("PT (limited company)"),
            "bumn": _l("BUMN (state-owned)"),
            "bumd": _l("BUMD (region-owned)"),
            "koperasi": _l("Cooperative"),
        }


class CapitalStatus(LabelledEnum):
    PMA = "pma"  # foreign direct investment
    PMDN = "pmdn"  # domestic investment

    @classmethod
    def _labels(cls) -> dict:
        return {"pma": _l("PMA (foreign)"), "pmdn": _l("PMDN (domestic)")}


class BusinessSize(LabelledEnum):
    """The size class of a business (PP 7/2021): it decides how often a PMDN files its LKPM (DOMAIN.md section 6)."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM_LARGE = "medium_large"

    @classmethod
    def _labels(cls) -> dict:
        return {"micro": _l("Micro"), "small": _l("Small"), "medium_large": _l("Medium or large")}


class EstateStatus(LabelledEnum):
    PLANNED = "planned"
    PERMITTING = "permitting"
    UNDER_CONSTRUCTION = "under_construction"
    OPERATING = "operating"
    STOPPED = "stopped"

    @classmethod
    def _labels(cls) -> dict:
        return {
            "planned": _l("Planned"),
            "permitting": _l("Permitting"),
            "under_construction": _l("Under construction"),
            "operating": _l("Operating"),
            "stopped": _l("Stopped"),
        }


class ZoneKind(LabelledEnum):
    INDUSTRIAL = "industrial"
    HOUSING = "housing"
    COMMERCIAL = "commercial"
    LEISURE = "leisure"
    UTILITIES_GREEN = "utilities_green"

    @classmethod
    def _labels(cls) -> dict:
        return {
            "industrial": _l("Industrial"),
            "housing": _l("Housing"),
            "commercial": _l("Commercial"),
            "leisure": _l("Leisure"),
            "utilities_green": _l("Utilities and green space"),
        }


class ClaimMetric(LabelledEnum):
    AREA = "area_ha"
    INVESTMENT = "investment_rp"
    JOBS = "jobs"

    @classmethod
    def _labels(cls) -> dict:
        return {"area_ha": _l("Area (ha)"), "investment_rp": _l("Investment value (Rp)"), "jobs": _l("Jobs")}


class Investor(TimestampMixin, db.Model):
    __tablename__ = "investor"
    __table_args__ = (
        CheckConstraint("nib IS NULL OR length(nib) = 13", name="nib_13_digits"),
        CheckConstraint("npwp IS NULL OR length(npwp) IN (15, 16)", name="npwp_length"),
        CheckConstraint("main_kbli IS NULL OR length(main_kbli) = 5", name="kbli_5_digits"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200), unique=True)
    legal_form: Mapped[LegalForm] = mapped_column(str_enum(LegalForm, 16))
    # active_history (here and on the estate's figures): the value before a change is always known
    # (``estates.tally`` moves the dashboard's figures by it)
    capital_status: Mapped[CapitalStatus] = mapped_column(str_enum(CapitalStatus, 8), index=True, active_history=True)
    business_size: Mapped[BusinessSize] = mapped_column(
        str_enum(BusinessSize, 16), default=BusinessSize.MEDIUM_LARGE, server_default=BusinessSize.MEDIUM_LARGE.value
    )
    country_of_origin: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    nib: Mapped[str | None] = mapped_column(String(13), unique=True)
    npwp: Mapped[str | None] = mapped_column(String(16))  # digits only; shown formatted
    main_kbli: Mapped[str | None] = mapped_column(String(5))
    contact_person: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    notes: Mapped[str | None] = mapped_column(Text)
    # Fictional records of the demo scenario carry this flag and a visible badge.
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=db.false())

    estates: Mapped[list[Estate]] = relationship(back_populates="investor", order_by="Estate.name")
    claims: Mapped[list[Claim]] = relationship(back_populates="investor", order_by="Claim.claimed_on")

    def __repr__(self) -> str:
        return f"<Investor {self.id} {self.legal_name}>"


class Estate(TimestampMixin, db.Model):
    """An industrial estate (kawasan industri) of one investor in one kab/kota of Banten."""

    __tablename__ = "estate"
    __table_args__ = (
        CheckConstraint("area_ha > 0", name="area_positive"),
        CheckConstraint("planned_investment_rp IS NULL OR planned_investment_rp >= 0", name="investment_nonneg"),
        CheckConstraint("status <> 'stopped' OR stop_order_on IS NOT NULL", name="stop_has_date"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates_pair"),
        Index("ix_estate_region_status", "region_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    investor_id: Mapped[int] = mapped_column(
        ForeignKey("investor.id", ondelete="RESTRICT"), index=True, active_history=True
    )
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # active_history: the kab/kota before a move is always known (``permits.tally`` and ``estates.tally`` move the
    # counts by it)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"), active_history=True)
    kecamatan: Mapped[str | None] = mapped_column(String(120))
    kelurahan: Mapped[str | None] = mapped_column(String(120))
    area_ha: Mapped[Decimal] = mapped_column(Hectares, active_history=True)
    planned_investment_rp: Mapped[Decimal | None] = mapped_column(Money, active_history=True)
    kbli: Mapped[str] = mapped_column(String(5), default="68130", server_default="68130")
    status: Mapped[EstateStatus] = mapped_column(
        str_enum(EstateStatus, 24), default=EstateStatus.PLANNED, active_history=True
    )
    stop_order_on: Mapped[date | None] = mapped_column(Date)
    stop_order_reason: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[Decimal | None] = mapped_column(db.Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(db.Numeric(9, 6))
    notes: Mapped[str | None] = mapped_column(Text)

    investor: Mapped[Investor] = relationship(back_populates="estates")
    region: Mapped[Region] = relationship()
    zones: Mapped[list[Zone]] = relationship(back_populates="estate", order_by="Zone.id", cascade="all, delete-orphan")
    claims: Mapped[list[Claim]] = relationship(back_populates="estate", order_by="Claim.claimed_on")

    @property
    def zoned_area_ha(self) -> Decimal:
        return sum((z.area_ha for z in self.zones), Decimal(0))

    def __repr__(self) -> str:
        return f"<Estate {self.id} {self.name}>"


class Zone(TimestampMixin, db.Model):
    """A part of an estate by use; the zones' total area may not exceed the estate's (checked in services)."""

    __tablename__ = "zone"
    __table_args__ = (
        CheckConstraint("area_ha > 0", name="area_positive"),
        CheckConstraint("planned_direct_jobs IS NULL OR planned_direct_jobs >= 0", name="jobs_nonneg"),
        CheckConstraint("housing_units IS NULL OR (housing_units >= 0 AND kind = 'housing')", name="units_housing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ZoneKind] = mapped_column(str_enum(ZoneKind, 24), index=True)
    name: Mapped[str | None] = mapped_column(String(120))
    area_ha: Mapped[Decimal] = mapped_column(Hectares)
    planned_direct_jobs: Mapped[int | None]
    housing_units: Mapped[int | None]
    # The investor's commitment of when the zone operates (with planned_direct_jobs: the forecast's central case).
    target_operating_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    estate: Mapped[Estate] = relationship(back_populates="zones")


class Claim(db.Model):
    """A figure someone reported about an investor or an estate; claims that disagree are all kept."""

    __tablename__ = "claim"
    __table_args__ = (
        CheckConstraint("investor_id IS NOT NULL OR estate_id IS NOT NULL", name="has_subject"),
        CheckConstraint("value >= 0", name="value_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    investor_id: Mapped[int | None] = mapped_column(ForeignKey("investor.id", ondelete="CASCADE"), index=True)
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estate.id", ondelete="CASCADE"), index=True)
    metric: Mapped[ClaimMetric] = mapped_column(str_enum(ClaimMetric, 16))
    value: Mapped[Decimal] = mapped_column(db.Numeric(20, 4))
    value_high: Mapped[Decimal | None] = mapped_column(db.Numeric(20, 4))  # for a range, e.g. 50,000-100,000 jobs
    unit: Mapped[str] = mapped_column(String(40))
    claimant: Mapped[str | None] = mapped_column(String(200))  # who made the claim (company, official...)
    source: Mapped[str] = mapped_column(Text)  # publication or document
    source_url: Mapped[str | None] = mapped_column(String(500))
    claimed_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=db.func.now())
    notes: Mapped[str | None] = mapped_column(Text)

    investor: Mapped[Investor | None] = relationship(back_populates="claims")
    estate: Mapped[Estate | None] = relationship(back_populates="claims")
