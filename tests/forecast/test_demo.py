"""The demo's reference case as the governor's office reads it after ``seed-demo``."""

from __future__ import annotations

from datetime import date

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.security import SYSTEM_SCOPE
from devtools.demo_data import JDI_ESTATE
from forecast import variance
from forecast.models import ForecastZone
from forecast.reading import current_run, snapshots


@time_machine.travel("2026-11-30 03:00Z", tick=False)
def test_seed_demo_leaves_a_forecast_with_jdi_waiting_for_its_permits(runner, login_as):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    run = current_run()
    assert run is not None
    z = ForecastZone
    query = select(z).where(z.run_id == run.id, z.estate_name == JDI_ESTATE, z.zone_kind == "industrial")
    industrial = db.session.scalars(query).one()
    assert industrial.prior_jobs == 10_000 and industrial.basis == "prior"  # 100 ha x 100 jobs/ha
    assert industrial.claim_jobs == "50,000-100,000"
    assert industrial.waits_for in {"IUKI", "AMDAL"} and industrial.operating_central > run.as_of
    page = login_as("governor").get("/forecast?region=" + str(industrial.region_id))
    assert page.status_code == 200 and JDI_ESTATE in page.get_data(as_text=True)


@time_machine.travel("2026-11-30 03:00Z", tick=False)
def test_seed_demo_leaves_a_snapshot_to_hold_the_reports_against(runner, login_as):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # once
    assert len(snapshots()) == 1
    lines = variance.lines(SYSTEM_SCOPE, date(2026, 11, 30), "Banten")
    reported = [x for x in lines if x.level == "province" and x.realised is not None]
    assert reported and all(x.snapshot is not None and x.central is not None for x in reported)
    assert login_as("governor").get("/forecast/realisation").status_code == 200
