"""The JDI case end to end: the arithmetic of each prior, the AMDAL going overdue, commitments and claims."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.models import Setting
from devtools.factories import make_estate
from forecast.engine import Engine
from forecast.model import add_months
from forecast.models import ForecastHeld, ForecastRun, ForecastZone
from forecast.services import refresh_forecast
from permits.calendar import add_working_days

ON_TRACK = date(2026, 11, 2)


def _zone(run, kind: str) -> ForecastZone:
    return db.session.scalars(
        select(ForecastZone).where(ForecastZone.run_id == run.id, ForecastZone.zone_kind == kind)
    ).one()


@time_machine.travel("2026-11-02 03:00Z", tick=False)
def test_each_prior_on_the_jdi_case(jdi):
    db.session.get(Setting, "forecast.horizon_years").value = "10"  # long enough for the low case to ramp up fully
    run = refresh_forecast(ON_TRACK)
    assert run.horizon_quarters == 40
    industrial = _zone(run, "industrial")
    assert industrial.basis == "prior"
    assert industrial.prior_jobs == 100 * 100  # 100 jobs/ha on 100 ha
    assert industrial.claim_jobs == "50,000-100,000"  # shown beside, never used
    housing = _zone(run, "housing")
    assert housing.prior_jobs is None and housing.basis == "none"  # no prior for housing until one is entered
    # full employment after the ramp-up: the last quarter's operation jobs are the prior exactly
    last = max((c for c in industrial.cells if c.phase == "operation"), key=lambda c: c.quarter)
    assert (last.low, last.central, last.high) == (10_000, 10_000, 10_000)
    # construction workers (asumsi 20/30/40 per ha) on 100 ha while building
    peak = max(c.central for c in industrial.cells if c.phase == "construction")
    assert peak == 3_000
    # an estate without zones: its planned investment times the jobs per Rp1 triliun of the latest year (2025: 1404)
    bare = make_estate(planned_investment_rp=Decimal("650000000000"))
    run = refresh_forecast(ON_TRACK)
    query = select(ForecastZone).where(ForecastZone.run_id == run.id, ForecastZone.estate_id == bare.id)
    row = db.session.scalars(query).one()
    assert row.basis == "investment" and row.prior_jobs == round(Decimal("0.65") * 1404)


@time_machine.travel("2026-11-02 03:00Z", tick=False)
def test_the_operating_date_follows_the_amdal_and_moves_when_it_goes_overdue(jdi):
    amdal = jdi["amdal"]
    run = refresh_forecast(ON_TRACK)
    industrial = _zone(run, "industrial")
    assert industrial.waits_for == "IUKI"  # not filed: it follows the AMDAL (which also lifts the stop order)
    iuki_on_track = add_working_days(amdal.due_on, 5)  # IUKI's statutory 5 working days after the AMDAL
    assert industrial.clear_central == iuki_on_track
    assert industrial.operating_central == add_months(iuki_on_track, 24)
    assert not db.session.scalars(select(ForecastHeld).where(ForecastHeld.run_id == run.id)).all()

    later = add_working_days(amdal.overdue_on, 20)  # 20 working days past the AMDAL's limit
    with time_machine.travel(later, tick=False):
        run = refresh_forecast(later)
        industrial = _zone(run, "industrial")
        # fewer than 10 decided AMDALs: today plus the statutory limit (63 working days), then the IUKI
        expected = add_working_days(add_working_days(later, 63), 5)
        assert industrial.clear_central == expected
        assert industrial.clear_central > iuki_on_track
        assert "statutory:AMDAL" in industrial.notes
        held = list(db.session.scalars(select(ForecastHeld).where(ForecastHeld.run_id == run.id)))
        assert [(h.permit_type, h.permit_id) for h in held] == [("AMDAL", amdal.id)]
        assert held[0].job_quarters > 0
        assert held[0].investment_rp == Decimal("650000000000")


@time_machine.travel("2026-11-02 03:00Z", tick=False)
def test_a_commitment_is_the_central_case_and_the_claim_is_never_used(jdi):
    jdi["zones"]["industrial"].planned_direct_jobs = 8_000
    jdi["zones"]["housing"].planned_direct_jobs = 500
    db.session.get(Setting, "forecast.horizon_years").value = "10"
    db.session.flush()
    run = refresh_forecast(ON_TRACK)
    industrial = _zone(run, "industrial")
    assert industrial.basis == "commitment" and industrial.commitment_jobs == 8_000 and industrial.prior_jobs == 10_000
    last = max((c for c in industrial.cells if c.phase == "operation"), key=lambda c: c.quarter)
    assert (last.low, last.central, last.high) == (8_000, 8_000, 10_000)
    assert _zone(run, "housing").basis == "commitment"
    total = sum(c.central for z in run.zones for c in z.cells if c.phase == "operation" and c.quarter == last.quarter)
    assert total == 8_500  # never the claimed 50,000-100,000


@time_machine.travel("2026-11-02 03:00Z", tick=False)
def test_a_committed_target_date_is_the_central_date_unless_the_permits_forbid_it(jdi):
    industrial = jdi["zones"]["industrial"]
    industrial.target_operating_on = date(2031, 6, 30)  # later than the permits allow: the commitment holds
    jdi["zones"]["housing"].target_operating_on = date(2027, 1, 1)  # before the PBG could be decided: ignored
    db.session.flush()
    run = refresh_forecast(ON_TRACK)
    assert _zone(run, "industrial").operating_central == date(2031, 6, 30)
    housing = _zone(run, "housing")
    assert housing.operating_central > date(2027, 1, 1) and housing.waits_for == "PBG"


@time_machine.travel("2026-11-02 03:00Z", tick=False)
def test_a_refresh_failing_while_its_rows_are_copied_changes_nothing(jdi, monkeypatch):
    """The zones are computed as their rows are written (``COPY`` on PostgreSQL): a failure after the first estate's
    rows went out raises, and once rolled back the previous run is the current one, whole."""
    make_estate(investor=jdi["investor"])
    before = refresh_forecast(ON_TRACK)
    db.session.commit()
    before_id, zones = before.id, db.session.scalar(select(func.count(ForecastZone.id)))
    computed = []
    real = Engine.rows

    def failing(self, facts, shapes):
        if computed:
            raise RuntimeError("computing failed")
        computed.append(shapes)
        return real(self, facts, shapes)

    monkeypatch.setattr(Engine, "rows", failing)
    with pytest.raises(RuntimeError, match="computing failed"):
        refresh_forecast(ON_TRACK)
    db.session.rollback()
    assert computed
    assert db.session.scalars(select(ForecastRun.id)).all() == [before_id]
    assert db.session.scalar(select(func.count(ForecastZone.id))) == zones
    assert db.session.scalar(select(func.count(ForecastZone.id)).where(ForecastZone.run_id != before_id)) == 0


@time_machine.travel("2026-11-02 03:00Z", tick=False)
def test_a_refresh_deletes_the_previous_run_whole_and_keeps_the_snapshots(jdi):
    """The previous run goes while the new one's series are computed (pipelined on PostgreSQL): none of its rows is
    left in any table, and a snapshot's rows are all kept."""
    from forecast.models import ForecastRegionTotal, ForecastSeries

    tables = ((ForecastZone, ForecastZone.run_id), (ForecastSeries, ForecastSeries.run_id),
              (ForecastHeld, ForecastHeld.run_id), (ForecastRegionTotal, ForecastRegionTotal.run_id))  # fmt: skip

    def rows_of(run_id: int) -> list[int]:
        return [db.session.scalar(select(func.count()).select_from(t).where(c == run_id)) for t, c in tables]

    previous = refresh_forecast(ON_TRACK)
    snapshot = refresh_forecast(ON_TRACK, snapshot=True, label="November")
    db.session.commit()
    previous_id, snapshot_id, kept = previous.id, snapshot.id, rows_of(snapshot.id)
    assert all(rows_of(previous_id)[:2]) and all(kept[:2])
    latest = refresh_forecast(ON_TRACK)
    db.session.commit()
    assert sorted(db.session.scalars(select(ForecastRun.id))) == [snapshot_id, latest.id]
    assert rows_of(previous_id) == [0, 0, 0, 0]
    assert rows_of(snapshot_id) == kept and rows_of(latest.id) == kept
