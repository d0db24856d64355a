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
from app.models import Region
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
from permits.models import Permit, PermitStatus, PermitType

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


def make_permit(code: str = "KKPR", **kw) -> Permit:
    ptype = permit_type(code)
    values = {"permit_type": ptype, "issuing_authority": ptype.issuing_authority, "status": PermitStatus.NOT_STARTED}
    values.update(kw)
    if "estate" not in values and "estate_id" not in values:
        values["estate"] = make_estate()
    permit = Permit(**values)
    db.session.add(permit)
    db.session.flush()
    return permit


def minimal_pdf(pages: int = 1) -> bytes:
    """A small, well-formed PDF of blank A4 pages (pypdf writes it), such as an upload must be."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
