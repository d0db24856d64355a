"""The facts a form or an API hands to the estates services: plain dataclasses, one per record kind."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from estates.lists import search_estates as search_estates
from estates.lists import search_investors as search_investors
from estates.models import (
    BusinessSize,
    CapitalStatus,
    ClaimMetric,
    EstateStatus,
    LegalForm,
    ZoneKind,
)


@dataclass(frozen=True, kw_only=True)
class InvestorFields:
    legal_name: str
    legal_form: LegalForm
    capital_status: CapitalStatus
    country_of_origin: str
    business_size: BusinessSize = BusinessSize.MEDIUM_LARGE
    nib: str | None = None
    npwp: str | None = None
    main_kbli: str | None = None
    contact_person: str | None = None
    phone: str | None = None
    email: str | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class EstateFields:
    investor_id: int
    name: str
    region_id: int
    area_ha: Decimal
    kecamatan: str | None = None
    kelurahan: str | None = None
    planned_investment_rp: Decimal | None = None
    kbli: str = "68130"
    status: EstateStatus = EstateStatus.PLANNED
    stop_order_on: date | None = None
    stop_order_reason: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class ZoneFields:
    kind: ZoneKind
    area_ha: Decimal
    name: str | None = None
    planned_direct_jobs: int | None = None
    target_operating_on: date | None = None
    housing_units: int | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class ClaimFields:
    metric: ClaimMetric
    value: Decimal
    unit: str
    source: str
    claimed_on: date
    value_high: Decimal | None = None
    claimant: str | None = None
    source_url: str | None = None
    notes: str | None = None
    recorded_by: str = ""  # the signed-in user's name, filled in by the form


def _assign(obj: object, data: object) -> None:
    for f in fields(data):  # type: ignore[arg-type]
        setattr(obj, f.name, getattr(data, f.name))
