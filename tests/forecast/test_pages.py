"""The pages, downloads and commands: scoped to the user, rendered from the stored run, XLSX equal to the CSV,
snapshots unchanged by later data and compared with their reasons."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.security import SYSTEM_SCOPE
from app.spreadsheets import cell_text
from devtools.factories import make_estate, make_investor, make_zone, region
from forecast.compare import compare_runs
from forecast.export import CSV_COLUMNS
from forecast.models import ForecastRun
from forecast.services import refresh_forecast

AS_OF = date(2026, 11, 2)
NOW = "2026-11-02 03:00Z"


def _lebak_estate():
    estate = make_estate(name="Kawasan Lebak Uji", region=region("36.02"))
    make_zone(estate=estate, area_ha=Decimal("20"), planned_direct_jobs=1234)
    return estate


@time_machine.travel(NOW, tick=False)
def test_the_governor_reads_the_stored_forecast_and_the_kota_serang_officer_only_kota_serang(jdi, login_as):
    lebak = _lebak_estate()
    refresh_forecast(AS_OF)
    db.session.commit()
    page = login_as("governor").get("/forecast")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kawasan Industri Sawah Luhur Uji" in html and "Kawasan Lebak Uji" in html
    assert 'id="forecast-chart"' in html and "<svg" in html and "asumsi" in html
    serang = login_as("officer", region="36.73")
    html = serang.get("/forecast").get_data(as_text=True)
    assert "Kawasan Industri Sawah Luhur Uji" in html and "Kawasan Lebak Uji" not in html
    # a filter cannot widen the scope
    html = serang.get(f"/forecast?region={lebak.region_id}").get_data(as_text=True)
    assert "Kawasan Lebak Uji" not in html
    rows = list(csv.reader(io.StringIO(serang.get("/forecast/download.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert {r[3] for r in rows[1:]} == {"Kawasan Industri Sawah Luhur Uji"}
    # the dashboard card
    assert 'id="forecast-card"' in login_as("governor").get("/").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_an_investor_reaches_no_forecast_page_or_download(jdi, login_as):
    refresh_forecast(AS_OF)
    db.session.commit()
    other = login_as("investor", investor=make_investor())
    for url in ("/forecast", "/forecast/download.csv", "/forecast/download.xlsx", "/forecast/snapshots"):
        assert other.get(url).status_code == 403, url
    owner = login_as("investor", investor=jdi["investor"])
    assert owner.get("/forecast/download.xlsx").status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_workbook_read_back_equals_the_csv(jdi, login_as, runner, tmp_path):
    _lebak_estate()
    db.session.commit()
    result = runner.invoke(args=["forecast", "export", "--format", "csv", "--out", str(tmp_path / "f.csv"),
                                 "--as-of", "2026-11-02"])  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["forecast", "export", "--format", "xlsx", "--out", str(tmp_path / "f.xlsx")])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO((tmp_path / "f.csv").read_text(encoding="utf-8-sig"))))
    assert tuple(rows[0][: len(CSV_COLUMNS)]) == CSV_COLUMNS and rows[0][:9] == [
        "quarter", "kab_kota", "investor", "estate", "zone_kind", "phase", "low", "central", "high",
    ]  # fmt: skip
    assert rows[1][0] == "2026-Q4" and len(rows) > 1 + 20
    book = load_workbook(tmp_path / "f.xlsx", read_only=True)
    assert book.sheetnames == ["forecast", "held_back", "skills", "assumptions"]
    sheet_rows = [[cell_text(v) for v in row] for row in book["forecast"].iter_rows(values_only=True)]
    assert sheet_rows == rows


def _content(run: ForecastRun) -> list:
    return sorted(
        (z.zone_kind, z.commitment_jobs, z.prior_jobs, tuple((c.quarter, c.phase, c.central) for c in z.cells))
        for z in run.zones
    )


@time_machine.travel(NOW, tick=False)
def test_a_snapshot_stays_as_it_was_and_the_comparison_names_the_reasons(jdi, login_as, runner):
    snap = refresh_forecast(AS_OF, snapshot=True, label="sebelum")
    db.session.commit()
    before = _content(snap)
    # the data change: a commitment on the industrial zone, a new estate, and a refresh
    jdi["zones"]["industrial"].planned_direct_jobs = 5_000
    newcomer = make_estate(name="Kawasan Baru Uji")
    make_zone(estate=newcomer, area_ha=Decimal("10"))
    result = runner.invoke(args=["forecast", "refresh"])
    assert result.exit_code == 0, result.output
    later = refresh_forecast(AS_OF, snapshot=True, label="sesudah")
    db.session.commit()
    db.session.expire_all()
    snap = db.session.get(ForecastRun, snap.id)
    assert _content(snap) == before
    assert len(db.session.scalars(select(ForecastRun).where(ForecastRun.is_snapshot.is_(False))).all()) == 1
    changes = {c.estate_name: c for c in compare_runs(snap, later, SYSTEM_SCOPE)["changes"]}
    assert "commitment changed" in changes["Kawasan Industri Sawah Luhur Uji"].reasons
    assert changes["Kawasan Industri Sawah Luhur Uji"].delta < 0
    assert changes["Kawasan Baru Uji"].reasons == ["new estate"]
    page = login_as("governor").get(f"/forecast/snapshots?a={snap.id}&b={later.id}")
    assert "commitment changed" in page.get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_an_administrator_edits_a_prior_with_its_source_and_a_bad_range_is_refused(login_as):
    from forecast.models import ForecastInput

    row = db.session.scalars(select(ForecastInput).where(ForecastInput.key == "jobs_per_ha:housing")).one()
    admin = login_as("administrator")
    assert admin.get("/forecast/assumptions").status_code == 200
    bad = {"low": "50", "value": "40", "high": "", "source": "Survei", "source_kind": "primary", "source_year": "2026"}
    assert admin.post(f"/forecast/assumptions/{row.id}", data=bad).status_code == 200
    db.session.expire_all()
    assert db.session.get(ForecastInput, row.id).value is None
    good = dict(bad, low="", value="40")
    assert admin.post(f"/forecast/assumptions/{row.id}", data=good).status_code == 302
    db.session.expire_all()
    saved = db.session.get(ForecastInput, row.id)
    assert saved.value == Decimal(40) and saved.source == "Survei" and saved.source_year == 2026
    assert login_as("officer").get(f"/forecast/assumptions/{row.id}").status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_estate_page_and_the_portal_show_the_estates_expected_jobs(jdi, login_as):
    refresh_forecast(AS_OF)
    db.session.commit()
    estate_id = jdi["estate"].id
    office = login_as("governor").get(f"/estates/{estate_id}").get_data(as_text=True)
    assert 'id="forecast-panel"' in office and "IUKI" in office
    owner = login_as("investor", investor=jdi["investor"])
    assert 'id="forecast-panel"' in owner.get(f"/portal/estates/{estate_id}").get_data(as_text=True)
    assert login_as("investor", investor=make_investor()).get(f"/portal/estates/{estate_id}").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_indirect_jobs_are_a_separate_series_only_once_a_multiplier_is_entered(jdi, login_as):
    from forecast.models import ForecastInput
    from forecast.reading import Filters, indirect, series

    run = refresh_forecast(AS_OF)
    assert indirect(run, Filters(), SYSTEM_SCOPE) == []
    assert 'id="indirect-table"' not in login_as("governor").get("/forecast").get_data(as_text=True)
    row = db.session.scalars(select(ForecastInput).where(ForecastInput.key == "indirect_multiplier:industrial")).one()
    row.value, row.source = Decimal("1.5"), "Tabel I-O uji"
    run = refresh_forecast(AS_OF)
    direct = series(run, Filters(zone_kind="industrial"), SYSTEM_SCOPE)["operation"]
    for quarter, jobs in indirect(run, Filters(), SYSTEM_SCOPE):
        assert jobs == round(direct[quarter][1] * Decimal("0.5"))
    db.session.commit()
    html = login_as("governor").get("/forecast").get_data(as_text=True)
    assert 'id="indirect-table"' in html


@time_machine.travel(NOW, tick=False)
def test_an_officer_recomputes_and_freezes_a_snapshot_and_the_governor_may_not(jdi, login_as):
    assert login_as("governor").post("/forecast/refresh").status_code == 403
    officer = login_as("officer")
    assert "no-forecast" in officer.get("/forecast").get_data(as_text=True)
    assert officer.post("/forecast/refresh").status_code == 302
    assert officer.post("/forecast/snapshots", data={"label": "Rapat gubernur"}).status_code == 302
    runs = db.session.scalars(select(ForecastRun).order_by(ForecastRun.id)).all()
    assert [(r.is_snapshot, r.label, r.as_of) for r in runs] == [(False, None, AS_OF), (True, "Rapat gubernur", AS_OF)]
    assert "Rapat gubernur" in login_as("governor").get("/forecast/snapshots").get_data(as_text=True)
    snapshot_page = login_as("governor").get(f"/forecast?run={runs[1].id}").get_data(as_text=True)
    assert "Snapshot: Rapat gubernur" in snapshot_page
