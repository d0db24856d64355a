"""The JDI-like case: a 150 ha estate of a PMA in Kota Serang (100 ha industrial, 25 ha housing, 10 ha commercial),
under Kota Serang's stop order until its AMDAL is issued; NIB, KKPR and PERTEK issued, the AMDAL filed and with
the agency, IUKI, PBG and SLF not filed; the company's claim of 50,000-100,000 jobs recorded beside."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from app.extensions import db
from devtools.factories import file_permit, make_claim, make_estate, make_investor, make_permit, make_zone, region
from estates.models import CapitalStatus, EstateStatus, ZoneKind
from forecast import packed
from forecast.inputs import input_rows, inputs_json
from forecast.models import ForecastRegionTotal, ForecastRun, ForecastSeries, ForecastZone
from permits.models import PermitStatus

AMDAL_FILED = date(2026, 10, 1)


@pytest.fixture
def jdi():
    investor = make_investor(legal_name="PT Jaya Dinasti Uji", capital_status=CapitalStatus.PMA, country_of_origin="CN")
    estate = make_estate(
        name="Kawasan Industri Sawah Luhur Uji",
        investor=investor,
        region=region("36.73"),
        area_ha=Decimal("150"),
        planned_investment_rp=Decimal("650000000000"),
        status=EstateStatus.STOPPED,
        stop_order_on=date(2025, 9, 16),
        stop_order_reason="Diperintahkan Pemerintah Kota Serang selama persetujuan lingkungan (AMDAL) belum terbit.",
    )
    zones = {
        "industrial": make_zone(estate=estate, kind=ZoneKind.INDUSTRIAL, area_ha=Decimal("100")),
        "housing": make_zone(estate=estate, kind=ZoneKind.HOUSING, area_ha=Decimal("25")),
        "commercial": make_zone(estate=estate, kind=ZoneKind.COMMERCIAL, area_ha=Decimal("10")),
    }
    for code, on in (("NIB", date(2025, 1, 10)), ("KKPR", date(2025, 3, 1)), ("PERTEK", date(2025, 6, 1))):
        make_permit(code, estate=estate, status=PermitStatus.ISSUED, submitted_on=on, decided_on=on)
    amdal = file_permit(make_permit("AMDAL", estate=estate), AMDAL_FILED)
    make_claim(estate=estate, value=Decimal("50000"), value_high=Decimal("100000"), claimed_on=date(2025, 3, 14))
    return {"investor": investor, "estate": estate, "zones": zones, "amdal": amdal}


@pytest.fixture
def store_run():
    """``store_run(as_of, cells)``: a stored run (a snapshot unless ``snapshot=False``) with the inputs in the
    database and one zone per estate (each its own series, summed in the totals), built from (estate, quarter,
    phase, low, central, high) cells, so that a test knows every figure by hand."""

    def store(as_of: date, cells: list[tuple], snapshot: bool = True, run: ForecastRun | None = None) -> ForecastRun:
        if run is None:  # else the zones join ``run``
            run = ForecastRun(
                as_of=as_of, horizon_quarters=8, inputs=inputs_json(input_rows()), is_snapshot=snapshot, label="uji"
            )
            db.session.add(run)
            db.session.flush()
        zones: dict[int, ForecastZone] = {}
        keys = packed.keys(packed.run_quarters(run.as_of, run.horizon_quarters))
        figures: dict[int, list[int]] = {}  # series -> its figures, as a refresh packs them
        for estate, quarter, phase, low, central, high in cells:
            zone = zones.get(estate.id)
            if zone is None:
                zone = zones[estate.id] = ForecastZone(
                    run_id=run.id, zone_kind="industrial", estate_id=estate.id, estate_name=estate.name,
                    investor_id=estate.investor_id, investor_name=estate.investor.legal_name, capital_status="pma",
                    region_id=estate.region_id, kab_kota=estate.region.name, basis="prior", notes=[],
                )  # fmt: skip
                db.session.add(zone)
                db.session.flush()
                zone.series = zone.id  # a series of its own, unique in any run it joins
            at = 3 * keys.index((quarter, phase))  # the run's quarters only: a test's cell outside is a mistake
            figures.setdefault(zone.series, [0] * (3 * len(keys)))[at : at + 3] = [low, central, high]
            db.session.add(  # the run's totals, as a refresh sums them (one zone a row here)
                ForecastRegionTotal(
                    run_id=run.id, region_id=zone.region_id, kab_kota=zone.kab_kota, zone_kind=zone.zone_kind,
                    capital_status=zone.capital_status, zones=1, quarter=quarter, phase=phase, low=low,
                    central=central, high=high,
                )
            )  # fmt: skip
        for number, values in figures.items():
            row = np.array([values], dtype=np.int64)
            db.session.add(
                ForecastSeries(
                    run_id=run.id, series=number, job_quarters=int(packed.operation_central(row)[0]),
                    cells=packed.encode(row)[0],
                )
            )  # fmt: skip
        db.session.flush()
        return run

    return store
