"""The forecast's totals by kab/kota, without the investor (``forecast_region_total``): a refresh writes them equal
to its zones' series summed, zone by zone and investor by investor; every read not about one investor takes them,
with the same numbers; a read about one investor (its filter, or an investor's own scope) sums that investor's zones
only; the investor filter offers a bounded list, narrowed by kab/kota, with the chosen investor always in it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role
from app.security import SYSTEM_SCOPE, Scope
from devtools.factories import file_permit, make_estate, make_investor, make_permit, make_zone, region
from estates.models import CapitalStatus, ZoneKind
from forecast import choices, packed, reading
from forecast.models import Cell, ForecastRegionTotal, ForecastSeries, ForecastZone
from forecast.services import refresh_forecast
from permits.models import PermitStatus

AS_OF = date(2026, 11, 2)
ISSUED = date(2025, 6, 2)
REGIONS = ("36.73", "36.02", "36.04")
FIGURES = ("low", "central", "high", "zones")


@pytest.fixture
def province():
    """Four investors (PMA and PMDN), two estates each over three kab/kota, three zones an estate, AMDALs overdue
    for some; refreshed."""
    investors = [
        make_investor(legal_name=f"PT Pemodal {i}", capital_status=CapitalStatus.PMA if i % 2 else CapitalStatus.PMDN)
        for i in range(4)
    ]
    for n in range(8):
        estate = make_estate(
            name=f"Kawasan Jumlah {n}", investor=investors[n % 4], region=region(REGIONS[n % len(REGIONS)])
        )
        for kind in (ZoneKind.INDUSTRIAL, ZoneKind.HOUSING, ZoneKind.COMMERCIAL):
            make_zone(estate=estate, kind=kind, area_ha=Decimal(10 + n), planned_direct_jobs=100 * n or None)
        for code in ("NIB", "KKPR", "PERTEK"):
            make_permit(code, estate=estate, status=PermitStatus.ISSUED, submitted_on=ISSUED, decided_on=ISSUED)
        if n % 3:
            file_permit(make_permit("AMDAL", estate=estate), date(2026, 1, 5 + n))
    db.session.commit()
    with time_machine.travel("2026-11-02 03:00Z", tick=False):
        run = refresh_forecast(AS_OF)
        db.session.commit()
    return {"run": run, "investors": investors}


def _from_zones(run, investor_id=None, region_id=None, by_region=False) -> dict[tuple, tuple]:
    """(quarter, zone kind, phase) -> (low, central, high), or with the kab/kota and PMA/PMDN first when
    ``by_region``: every zone's series summed in Python, investor by investor (the ground truth)."""
    quarters = packed.run_quarters(run.as_of, run.horizon_quarters)
    cells: dict[int, list] = {}
    for row in db.session.scalars(select(ForecastSeries).where(ForecastSeries.run_id == run.id)):
        figures = packed.decode([row.cells], 3 * len(packed.keys(quarters)))[0]
        cells[row.series] = [Cell(q, p, *v) for (q, p), v in packed.as_cells(figures, quarters).items()]
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for zone in db.session.scalars(select(ForecastZone).where(ForecastZone.run_id == run.id)):
        if (investor_id is not None and zone.investor_id != investor_id) or (
            region_id is not None and zone.region_id != region_id
        ):
            continue
        for cell in cells[zone.series]:
            key = (cell.quarter, zone.zone_kind, cell.phase)
            acc = out[(zone.region_id, zone.capital_status, *key) if by_region else key]
            acc[0], acc[1], acc[2] = acc[0] + cell.low, acc[1] + cell.central, acc[2] + cell.high
    return {k: tuple(v) for k, v in out.items() if any(v)}


def test_the_region_totals_are_the_zones_summed(province):
    run = province["run"]
    t = ForecastRegionTotal
    keys = (t.region_id, t.capital_status, t.quarter, t.zone_kind, t.phase)
    query = select(*keys, func.sum(t.low), func.sum(t.central), func.sum(t.high)).where(t.run_id == run.id)
    stored = {tuple(row[:5]): tuple(int(v) for v in row[5:]) for row in db.session.execute(query.group_by(*keys))}
    truth = _from_zones(run, by_region=True)
    assert {k: v for k, v in stored.items() if any(v)} == truth and any(v[1] for v in truth.values())
    # one row a group, whatever the number of investors
    groups = db.session.scalar(select(func.count()).select_from(select(*keys).distinct().subquery()))
    assert db.session.scalar(select(func.count(t.id)).where(t.run_id == run.id)) == groups
    first = (t.run_id == run.id, t.quarter == "2026-Q4", t.phase == "operation")
    assert db.session.scalar(select(func.sum(t.zones)).where(*first)) == 24


def _sums(run, filters, scope) -> dict[tuple, tuple]:
    rows = reading.sums(run, filters, scope)
    return {(q, k, p): (lo, ce, hi) for q, k, p, lo, ce, hi in rows if (lo, ce, hi) != (0, 0, 0)}


def test_the_page_numbers_are_unchanged_and_one_investor_reads_its_own_rows(province):
    run, investors = province["run"], province["investors"]
    serang = region("36.73").id
    assert not reading.per_zone(reading.Filters(), SYSTEM_SCOPE)
    assert _sums(run, reading.Filters(), SYSTEM_SCOPE) == _from_zones(run)
    assert _sums(run, reading.Filters(region_id=serang), SYSTEM_SCOPE) == _from_zones(run, region_id=serang)
    officer = Scope(role=Role.OFFICER, region_id=serang)
    assert not reading.per_zone(reading.Filters(), officer)
    assert _sums(run, reading.Filters(), officer) == _from_zones(run, region_id=serang)
    first = investors[1].id
    own = Scope(role=Role.INVESTOR, investor_id=first)
    assert reading.per_zone(reading.Filters(), own) and reading.per_zone(reading.Filters(investor_id=first), officer)
    mine = _from_zones(run, investor_id=first)
    assert _sums(run, reading.Filters(), own) == mine != _from_zones(run)
    assert _sums(run, reading.Filters(investor_id=first), SYSTEM_SCOPE) == mine
    # another investor's filter inside an investor's scope: nothing
    assert _sums(run, reading.Filters(investor_id=investors[2].id), own) == {}
    zones = reading.zone_count(run, reading.Filters(), SYSTEM_SCOPE)
    assert (
        zones == 24 == sum(reading.zone_count(run, reading.Filters(investor_id=i.id), SYSTEM_SCOPE) for i in investors)
    )
    assert reading.zone_count(run, reading.Filters(), own) == 6


def test_the_investor_choices_are_bounded_narrowed_and_keep_the_chosen_one(province, monkeypatch):
    run, investors = province["run"], province["investors"]
    everyone = choices.choices(run, SYSTEM_SCOPE)
    assert {i for i, _ in everyone["investors"]} == {i.id for i in investors} and not everyone["investors_more"]
    assert len(everyone["regions"]) == 3
    monkeypatch.setattr(choices, "INVESTOR_CHOICES", 2)
    monkeypatch.setattr(choices, "ZONES_READ_PER_ESTATE", 3)
    bounded = choices.choices(run, SYSTEM_SCOPE)
    assert len(bounded["investors"]) <= 2 and bounded["investors_more"]
    listed = {i for i, _ in bounded["investors"]}
    chosen = next(i for i in investors if i.id not in listed)
    kept = choices.choices(run, SYSTEM_SCOPE, reading.Filters(investor_id=chosen.id))
    assert (chosen.id, chosen.legal_name) in kept["investors"]
    serang = region("36.73").id
    narrowed = choices.choices(run, SYSTEM_SCOPE, reading.Filters(region_id=serang))
    in_serang = {e.investor_id for e in investors[0].estates + investors[1].estates + investors[2].estates
                 + investors[3].estates if e.region_id == serang}  # fmt: skip
    assert {i for i, _ in narrowed["investors"]} <= in_serang
    own = choices.choices(run, Scope(role=Role.INVESTOR, investor_id=investors[3].id))
    assert own["investors"] == [(investors[3].id, "PT Pemodal 3")]
    # an investor's scope never lists another, even chosen
    other = choices.choices(
        run, Scope(role=Role.INVESTOR, investor_id=investors[3].id), reading.Filters(investor_id=investors[0].id)
    )
    assert [i for i, _ in other["investors"]] == [investors[3].id]


@pytest.mark.parametrize(("limit", "per_estate"), [(2, 6), (3, 3), (2, 9), (1, 24), (300, 10)])
def test_the_choices_are_the_first_met_in_the_zones_order(province, monkeypatch, limit, per_estate):
    """What the server groups (``choices._listed``) is what reading the first zones in order would list: the first
    ``limit`` investors and estates met among the first ``limit * per_estate`` zones, sorted by name, and whether
    there may be more."""
    run = province["run"]
    monkeypatch.setattr(choices, "INVESTOR_CHOICES", limit)
    monkeypatch.setattr(choices, "ESTATE_CHOICES", limit)
    monkeypatch.setattr(choices, "ZONES_READ_PER_ESTATE", per_estate)
    z = ForecastZone
    zones = db.session.execute(
        select(z.investor_id, z.investor_name, z.estate_id, z.estate_name)
        .where(z.run_id == run.id)
        .order_by(z.id)
        .limit(limit * per_estate)
    ).all()
    got = choices.choices(run, SYSTEM_SCOPE)
    for at, name in ((0, "investors"), (2, "estates")):
        met = list({row[at]: row[at + 1] for row in zones}.items())
        assert got[name] == sorted(met[:limit], key=lambda pair: pair[1])
        assert got[f"{name}_more"] == (len(met) > limit or len(zones) == limit * per_estate)


def test_the_dashboard_held_back_total_is_the_lines_summed(province):
    run, investors = province["run"], province["investors"]
    for filters, scope in (
        (reading.Filters(), SYSTEM_SCOPE),
        (reading.Filters(), Scope(role=Role.OFFICER, region_id=region("36.02").id)),
        (reading.Filters(), Scope(role=Role.INVESTOR, investor_id=investors[1].id)),
    ):
        lines = reading.held_lines(run, filters, scope)
        assert reading.held_total(run, filters, scope) == sum(line.job_quarters for line in lines)
    assert reading.held_total(run, reading.Filters(), SYSTEM_SCOPE) > 0
