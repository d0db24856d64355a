"""Agencies and the rules that say which one issues a permit.

An ``Agency`` is a central body, one of Banten's provincial offices or an office of one of its eight kab/kota
(``region``), of one ``kind``; at most one agency of a kind per level (and per kab/kota). An ``AgencyRule`` of
the catalogue maps a permit type and a capital status (PMA, PMDN, or any when empty) to a kind and a level;
``permits.agencies.services.AgencyResolver`` turns that into the agency, taking the estate's kab/kota for the
kab/kota level. Both tables are seeded from migrations/data/ and edited by an administrator; contacts stay empty
where no public source gives them.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import str_enum, utcnow
from app.enums import LabelledEnum
from app.extensions import db
from app.models import Region
from estates.models import CapitalStatus


class AgencyLevel(LabelledEnum):
    """The level of government an agency belongs to."""

    CENTRAL = "central"
    PROVINCE = "province"
    KAB_KOTA = "kab_kota"

    @classmethod
    def _labels(cls) -> dict:
        return {
            "central": _l("Central government"),
            "province": _l("Province of Banten"),
            "kab_kota": _l("Kab/kota"),
        }


class AgencyKind(LabelledEnum):
    """What an agency does, as far as the permits of an industrial estate go."""

    INVESTMENT = "investment"  # Lembaga OSS, the DPMPTSP one-stop offices
    SPATIAL = "spatial"  # spatial planning (KKPR)
    ENVIRONMENT = "environment"  # environmental approval and technical approvals (AMDAL, PERTEK)
    TRANSPORT = "transport"  # traffic impact (Andalalin)
    PUBLIC_WORKS = "public_works"  # building approval and fitness (PBG, SLF), public works
    INDUSTRY = "industry"  # industrial estates policy

    @classmethod
    def _labels(cls) -> dict:
        return {
            "investment": _l("Investment and licensing (OSS, DPMPTSP)"),
            "spatial": _l("Spatial planning"),
            "environment": _l("Environment"),
            "transport": _l("Transport"),
            "public_works": _l("Buildings and public works"),
            "industry": _l("Industry"),
        }


NO_REGION = "region_id IS NULL"
HAS_REGION = "region_id IS NOT NULL"


class Agency(db.Model):
    """A body that issues (or handles) permits; ``code`` is a stable key for the seed data and the demo."""

    __tablename__ = "agency"
    __table_args__ = (
        CheckConstraint(
            "(level = 'kab_kota' AND region_id IS NOT NULL) OR (level <> 'kab_kota' AND region_id IS NULL)",
            name="region_iff_kab_kota",
        ),
        CheckConstraint("name_id <> '' AND name_en <> ''", name="names_not_empty"),
        # One agency of a kind per level; for kab/kota, one per kab/kota.
        Index(
            "uq_agency_kind_level",
            "kind",
            "level",
            unique=True,
            sqlite_where=text(NO_REGION),
            postgresql_where=text(NO_REGION),
        ),
        Index(
            "uq_agency_kind_region",
            "kind",
            "region_id",
            unique=True,
            sqlite_where=text(HAS_REGION),
            postgresql_where=text(HAS_REGION),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    level: Mapped[AgencyLevel] = mapped_column(str_enum(AgencyLevel, 16))
    kind: Mapped[AgencyKind] = mapped_column(str_enum(AgencyKind, 16))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"))
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str | None] = mapped_column(Text)  # where the name and contact come from
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, server_default=func.now())

    region: Mapped[Region | None] = relationship()

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id

    @property
    def has_contact(self) -> bool:
        return any((self.address, self.phone, self.email, self.website))

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class AgencyRule(db.Model):
    """Which kind and level of agency issues a permit type, for one capital status or (empty) for any.

    A rule for the investor's capital status wins over a rule for any.
    """

    __tablename__ = "agency_rule"
    __table_args__ = (
        Index(
            "uq_agency_rule_type_capital",
            "permit_type_id",
            "capital_status",
            unique=True,
            sqlite_where=text("capital_status IS NOT NULL"),
            postgresql_where=text("capital_status IS NOT NULL"),
        ),
        Index(
            "uq_agency_rule_type_any",
            "permit_type_id",
            unique=True,
            sqlite_where=text("capital_status IS NULL"),
            postgresql_where=text("capital_status IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The permit type, by its table only: this package sits under the permit core (see __init__).
    permit_type_id: Mapped[int] = mapped_column(ForeignKey("permit_type.id", ondelete="CASCADE"), index=True)
    capital_status: Mapped[CapitalStatus | None] = mapped_column(str_enum(CapitalStatus, 8))
    agency_kind: Mapped[AgencyKind] = mapped_column(str_enum(AgencyKind, 16))
    agency_level: Mapped[AgencyLevel] = mapped_column(str_enum(AgencyLevel, 16))
    source: Mapped[str | None] = mapped_column(Text)  # the legal basis of the rule
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, server_default=func.now())

    def __repr__(self) -> str:
        return f"<AgencyRule type={self.permit_type_id} {self.capital_status or 'any'} -> {self.agency_kind}>"
