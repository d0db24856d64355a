"""Plain factory functions: the one place tests build objects. Each flushes and returns the object (``minimal_pdf``
returns the bytes of a file to upload)."""

from __future__ import annotations

import io
import itertools
from datetime import date
from decimal import Decimal

from pypdf import PdfWriter
from sqlalchemy import select

from app.extensions import db
from app.models import ImportBatch, Region
from estates.models import (
    CapitalStatus,
    Claim,
    ClaimMetric,
    Estate,
    EstateStatus,
    Investor,
    LegalForm,
    Zone,
    ZoneKind,
)
from permits.agencies.models import Agency
from permits.agencies.services import resolve_agency
from permits.models import Permit, PermitStatus, PermitType
from realisation.layoffs.models import LayoffRecord
from realisation.models import LkpmEntry, LkpmStatus
from realisation.periods import Period

_seq = itertools.count(1)


def region(bps_code: str = "36.73") -> Region:
    return db.session.scalars(select(Region).where(Region.bps_code == bps_code)).one()


def permit_type(code: str) -> PermitType:
    return db.session.scalars(select(PermitType).where(PermitType.code == code)).one()


def make_investor(**kw) -> Investor:
    n = next(_seq)
    values = {
        "legal_name": f"PT Uji Coba {n}",
        "legal_form": LegalForm.PT,
        "capital_status": CapitalStatus.PMDN,
        "country_of_origin": "ID",
    }
    values.update(kw)
    investor = Investor(**values)
    db.session.add(investor)
    db.session.flush()
    return investor


def make_estate(**kw) -> Estate:
    n = next(_seq)
    values = {
        "name": f"Kawasan Uji {n}",
        "area_ha": Decimal("100"),
        "planned_investment_rp": Decimal("500000000000"),
        "status": EstateStatus.PLANNED,
    }
    values.update(kw)
    if "investor" not in values and "investor_id" not in values:
        values["investor"] = make_investor()
    if "region" not in values and "region_id" not in values:
        values["region"] = region()
    estate = Estate(**values)
    db.session.add(estate)
    db.session.flush()
    return estate


def make_zone(**kw) -> Zone:
    values = {"kind": ZoneKind.INDUSTRIAL, "area_ha": Decimal("10")}
    values.update(kw)
    if "estate" not in values and "estate_id" not in values:
        values["estate"] = make_estate()
    zone = Zone(**values)
    db.session.add(zone)
    db.session.flush()
    return zone


def make_claim(**kw) -> Claim:
    values = {
        "metric": ClaimMetric.JOBS,
        "value": Decimal("15000"),
        "unit": "jobs",
        "source": "Test source",
        "claimed_on": date(2025, 9, 1),
        "recorded_by": "test",
    }
    values.update(kw)
    if not any(k in values for k in ("estate", "estate_id", "investor", "investor_id")):
        values["estate"] = make_estate()
    claim = Claim(**values)
    db.session.add(claim)
    db.session.flush()
    return claim


def agency(code: str) -> Agency:
    """A seeded agency by its code (migrations/data/agencies.csv): "oss", "klh", "3673-dlh"..."""
    return db.session.scalars(select(Agency).where(Agency.code == code)).one()


def make_permit(code: str = "KKPR", **kw) -> Permit:
    """A permit written directly (no history); its agency is the one the catalogue's rule resolves for its estate
    unless ``agency`` is given."""
    ptype = permit_type(code)
    values = {"permit_type": ptype, "status": PermitStatus.NOT_STARTED}
    values.update(kw)
    if "estate" not in values and "estate_id" not in values:
        values["estate"] = make_estate()
    if "agency" not in values and "agency_id" not in values:
        estate = values.get("estate") or db.session.get(Estate, values["estate_id"])
        values["agency"] = resolve_agency(ptype.id, estate.investor.capital_status, estate.region_id)
    permit = Permit(**values)
    db.session.add(permit)
    db.session.flush()
    return permit


def file_permit(permit: Permit, on: date, actor: str = "officer") -> Permit:
    """Submit ``permit`` on ``on`` and, where its clock starts only when the file is declared complete (KKPR:
    the fee paid), declare it complete the same day, so that the agency's clock runs from ``on``."""
    from permits.rules import ClockStart
    from permits.workflow import advance_permit, rule_of

    advance_permit(permit, PermitStatus.SUBMITTED, actor=actor, on=on, today=on)
    if rule_of(permit, on).clock_starts_at is ClockStart.DECLARED_COMPLETE:
        advance_permit(permit, PermitStatus.DECLARED_COMPLETE, actor=actor, on=on, today=on)
    return permit


def make_lkpm_entry(estate: Estate | None = None, **kw) -> LkpmEntry:
    """An LKPM report (2026-Q2 unless ``period`` says otherwise), of ``estate``'s investor or of ``investor``."""
    values = {
        "period": "2026-Q2",
        "investment_rp": Decimal("12500000000"),
        "tki": 350,
        "tka": 4,
        "status": LkpmStatus.SENT,
        "reported_on": date(2026, 7, 14),
        "recorded_by": "test",
    }
    values.update(kw)
    if "investor" not in values and "investor_id" not in values:
        values["investor"] = estate.investor if estate is not None else make_investor(nib=_nib())
    values["period_end"] = Period.parse(values["period"]).end
    entry = LkpmEntry(estate=estate, **values)
    db.session.add(entry)
    db.session.flush()
    return entry


def _nib() -> str:
    return f"{9_120_000_000_000 + next(_seq)}"


def make_import_batch(**kw) -> ImportBatch:
    values = {
        "kind": "lkpm",
        "filename": "lkpm.csv",
        "sha256": "0" * 64,
        "size_bytes": 100,
        "rows": 1,
        "created": 1,
        "imported_by": "test",
    }
    values.update(kw)
    batch = ImportBatch(**values)
    db.session.add(batch)
    db.session.flush()
    return batch


def make_layoff(**kw) -> LayoffRecord:
    values = {
        "period": "2026-Q1",
        "kbli_section": "C",
        "workers": 120,
        "source": "Disnakertrans Banten",
        "source_date": date(2026, 4, 20),
        "recorded_by": "test",
    }
    values.update(kw)
    if "region" not in values and "region_id" not in values:
        values["region"] = region()
    values["period_end"] = Period.parse(values["period"]).end
    record = LayoffRecord(**values)
    db.session.add(record)
    db.session.flush()
    return record


def minimal_pdf(pages: int = 1) -> bytes:
    """A small, well-formed PDF of blank A4 pages (pypdf writes it), such as an upload must be."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
