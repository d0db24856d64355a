"""Fixtures of the realisation tests: a few investors with NIBs and estates in two kab/kota, files to import,
and the clock frozen on a known day (the rules compare periods and report dates with today)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.imports import SourceFile
from app.spreadsheets import csv_bytes, xlsx_bytes
from devtools.factories import make_estate, make_investor, region
from estates.models import BusinessSize, CapitalStatus, Estate, Investor
from realisation.periods import Period

TODAY = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # Friday 20 November 2026, 10.00 WIB
HEADER = ("nib", "periode", "investasi_rp", "tki", "tka", "status", "dilaporkan_pada", "kawasan")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


@dataclass
class Companies:
    pma: Investor  # files quarterly
    small: Investor  # a small PMDN: files half-yearly
    serang: Estate  # the PMA's estate in Kota Serang
    tangerang: Estate  # the PMA's estate in Kabupaten Tangerang


@pytest.fixture
def companies() -> Companies:
    pma = make_investor(
        legal_name="PT Asing Kawasan", nib="9120000000001", capital_status=CapitalStatus.PMA, country_of_origin="CN"
    )
    small = make_investor(legal_name="PT Kecil Lokal", nib="9120000000002", business_size=BusinessSize.SMALL)
    serang = make_estate(investor=pma, name="Kawasan Sawah Luhur", region=region("36.73"))
    tangerang = make_estate(investor=pma, name="Kawasan Pasar Kemis", region=region("36.03"))
    return Companies(pma, small, serang, tangerang)


def source(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER, name: str = "lkpm.csv") -> SourceFile:
    """A CSV file (or an XLSX one when ``name`` ends so) as the import receives it."""
    content = xlsx_bytes(header, rows, "LKPM") if name.endswith(".xlsx") else csv_bytes(header, rows)
    return SourceFile(name, content, hashlib.sha256(content).hexdigest())


def upload(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER, name: str = "lkpm.csv") -> dict:
    """Form data posting the file to an import page."""
    return {"file": (io.BytesIO(source(rows, header, name).content), name)}


def good_rows() -> list[tuple]:
    """32 correct reports: the PMA's two estates and the company as a whole over nine quarters, and the small
    company's five half-years, each reported ten days after its period."""
    rows: list[tuple] = []
    quarters = [f"{year}-Q{n}" for year in (2024, 2025) for n in (1, 2, 3, 4)] + ["2026-Q1"]
    for quarter in quarters:
        reported = (Period.parse(quarter).end + timedelta(days=10)).isoformat()
        for estate in ("Kawasan Sawah Luhur", "Kawasan Pasar Kemis", ""):
            n = len(rows)
            rows.append(("9120000000001", quarter, 1_000_000_000 + n, 100 + n, 2, "Terkirim", reported, estate))
    for half in ("2024-S1", "2024-S2", "2025-S1", "2025-S2", "2026-S1"):
        reported = (Period.parse(half).end + timedelta(days=10)).isoformat()
        rows.append(("9120000000002", half, 250_000_000, 12, 0, "Disetujui", reported, ""))
    return rows
