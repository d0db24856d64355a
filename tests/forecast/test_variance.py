"""The forecast against realisation on a hand-computed case, its scope, the CSV, and the low case's calibration.

Two snapshots: one taken 15 March 2026 (before Q2), one 10 April 2026 (inside Q2, so not "before" it). Q2 2026 is
compared with the March snapshot: Kota Serang's estate forecast 200 (low 100, high 300) in operation plus 50 in
construction (low 40, high 60); Kabupaten Tangerang's estate 100 (low 50, high 150). The investor reported 180 TKI
+ 2 TKA for the Serang estate and 90 + 0 for the Tangerang one: per estate 182 - 250 = -68 (ratio 0.728) and 90 -
100 = -10 (0.9); the investor and the total 272 - 350 = -78, ratio 272 / 350 = 0.7771.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, AuditLog, Setting
from app.security import SYSTEM_SCOPE
from devtools.factories import make_estate, make_investor, make_lkpm_entry, region
from estates.models import CapitalStatus
from forecast import calibration, variance
from forecast.services import refresh_forecast

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 11, 20, 3, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def case(store_run):
    investor = make_investor(legal_name="PT Asing Uji", nib="9120000000001", capital_status=CapitalStatus.PMA)
    serang = make_estate(investor=investor, name="Kawasan Serang Uji", region=region("36.73"))
    tangerang = make_estate(investor=investor, name="Kawasan Tangerang Uji", region=region("36.03"))
    march = store_run(
        date(2026, 3, 15),
        [
            (serang, "2026-Q2", "operation", 100, 200, 300),
            (serang, "2026-Q2", "construction", 40, 50, 60),
            (tangerang, "2026-Q2", "operation", 50, 100, 150),
        ],
    )
    store_run(date(2026, 4, 10), [(serang, "2026-Q2", "operation", 1, 999, 1000)])  # taken inside Q2: not used
    make_lkpm_entry(serang, period="2026-Q2", tki=180, tka=2)
    make_lkpm_entry(tangerang, period="2026-Q2", tki=90, tka=0)
    db.session.commit()
    return {"investor": investor, "serang": serang, "tangerang": tangerang, "march": march}


def _q2(lines, level, key=None):
    return next(x for x in lines if x.quarter == "2026-Q2" and x.level == level and x.key == key)


def test_the_variance_table_on_a_hand_computed_case(case):
    lines = variance.lines(SYSTEM_SCOPE, TODAY, "Banten")
    total = _q2(lines, "province")
    assert total.snapshot.id == case["march"].id  # the latest one taken before the quarter began
    assert (total.low, total.central, total.high) == (190, 350, 510)
    assert (total.tki, total.tka, total.realised, total.variance) == (270, 2, 272, -78)
    assert total.ratio.quantize(Decimal("0.0001")) == Decimal("0.7771")
    serang = _q2(lines, "estate", case["serang"].id)
    assert (serang.central, serang.realised, serang.variance, serang.ratio) == (250, 182, -68, Decimal("0.728"))
    region = _q2(lines, "region", case["tangerang"].region_id)
    assert (region.central, region.realised, region.variance, region.ratio) == (100, 90, -10, Decimal("0.9"))
    investor = _q2(lines, "investor", case["investor"].id)
    assert (investor.central, investor.realised, investor.reports) == (350, 272, 2)
    q3 = [x for x in lines if x.quarter == "2026-Q3"]  # the April snapshot's quarter, without a report
    assert q3 and all(x.realised is None and x.variance is None and x.ratio is None for x in q3)
    assert "2026-Q4" not in {x.quarter for x in lines}  # not ended yet
    observed = variance.observed(lines)
    assert (observed.cases, observed.realised, observed.forecast, observed.ratio) == (1, 272, 350, Decimal("0.7771"))


def test_what_did_not_report_is_shown_but_not_held_against_the_reports(case, store_run):
    silent = make_estate(name="Kawasan Diam Uji", region=region("36.73"))  # another investor, no report
    store_run(case["march"].as_of, [(silent, "2026-Q2", "operation", 500, 1000, 1500)], run=case["march"])
    db.session.commit()
    lines = variance.lines(SYSTEM_SCOPE, TODAY, "Banten")
    total = _q2(lines, "province")
    assert (total.central, total.matched, total.realised, total.variance) == (1350, 350, 272, -78)
    serang = _q2(lines, "region", silent.region_id)
    assert (serang.central, serang.matched, serang.variance, serang.ratio) == (1250, 250, -68, Decimal("0.728"))
    quiet = _q2(lines, "investor", silent.investor_id)
    assert (quiet.central, quiet.realised, quiet.matched, quiet.variance, quiet.ratio) == (1000, None, None, None, None)
    assert variance.observed(lines).forecast == 350  # the silent investor is no case of the calibration


def test_a_company_wide_report_counts_for_the_investor_once_and_for_no_kab_kota(case):
    make_lkpm_entry(None, investor=case["investor"], period="2026-Q2", tki=300, tka=5)
    db.session.commit()
    lines = variance.lines(SYSTEM_SCOPE, TODAY, "Banten")
    assert _q2(lines, "investor", case["investor"].id).realised == 305  # not 305 + 272
    assert _q2(lines, "province").realised == 305
    assert _q2(lines, "region", case["serang"].region_id).realised == 182


def test_a_kota_serang_officer_sees_kota_serang_only(case, login_as):
    client = login_as("officer", region="36.73")
    page = client.get("/forecast/realisation?level=estate").get_data(as_text=True)
    assert "Kawasan Serang Uji" in page and "Kawasan Tangerang Uji" not in page
    assert 'id="coverage-line"' in page  # the province's published totals beside the reports
    body = client.get("/forecast/realisation.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == list(variance.CSV_COLUMNS)
    q2_total = next(r for r in rows if r[0] == "2026-Q2" and r[1] == "province")
    assert q2_total[7] == "250" and q2_total[9] == "250" and q2_total[13] == "182" and q2_total[14] == "-68"
    assert not any("Tangerang" in cell for row in rows for cell in row)
    assert db.session.scalar(select(AuditLog).where(AuditLog.event == AuditEvent.EXPORTED)) is not None


def test_the_investors_and_anonymous_are_kept_out(case, login_as, app):
    assert login_as("investor", investor=case["investor"]).get("/forecast/realisation").status_code == 403
    assert login_as("investor", investor=case["investor"]).get("/forecast/realisation.csv").status_code == 403
    assert app.test_client().get("/forecast/realisation").status_code == 302


def test_an_administrator_adopts_the_ratio_and_the_low_case_follows_it(case, login_as):
    admin = login_as("administrator")
    page = admin.get("/forecast/realisation").get_data(as_text=True)
    assert 'id="use-calibration"' in page and 'id="stop-calibration"' not in page
    assert login_as("officer").post("/forecast/calibration", data={"use": "observed"}).status_code == 403
    assert admin.post("/forecast/calibration", data={"use": "0.1"}).status_code == 302  # neither: nothing changes
    assert db.session.get(Setting, calibration.SETTING).value == "off"
    assert admin.post("/forecast/calibration", data={"use": "observed"}).status_code == 302
    assert db.session.get(Setting, calibration.SETTING).value == "0.7771"
    audit = db.session.scalars(select(AuditLog).where(AuditLog.event == AuditEvent.SETTING_CHANGED)).all()
    assert audit and "forecast.low_calibration" in audit[-1].detail
    assert calibration.ratio_in_force() == Decimal("0.7771")

    run = refresh_forecast(date(2026, 11, 20))
    assert calibration.of_run(run.inputs) == Decimal("0.7771")
    page = admin.get("/forecast/realisation").get_data(as_text=True)
    assert 'id="stop-calibration"' in page
    admin.post("/forecast/calibration", data={"use": "off"})
    assert db.session.get(Setting, calibration.SETTING).value == "off" and calibration.ratio_in_force() is None


def test_the_calibrated_low_case_is_the_central_case_times_the_ratio():
    cells = {("2027-Q1", "operation"): (10, 101, 150), ("2027-Q1", "construction"): (0, 0, 0)}
    assert calibration.apply(cells, None) is cells
    assert calibration.apply(cells, Decimal("0.5")) == {("2027-Q1", "operation"): (51, 101, 150),
                                                        ("2027-Q1", "construction"): (0, 0, 0)}  # fmt: skip
    assert calibration.apply(cells, Decimal("1.4"))[("2027-Q1", "operation")] == (101, 101, 150)
    assert [calibration.parse_ratio(t) for t in ("off", "", "0.62", "abc", "-1", "9", "NaN")] == [
        None, None, Decimal("0.62"), None, None, None, None,
    ]  # fmt: skip
