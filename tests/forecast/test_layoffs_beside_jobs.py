"""Layoffs beside the jobs coming on /forecast, on a hand-computed case, in the caller's scope.

A run of 20 November 2026: the current quarter is 2026-Q4, the jobs are counted to the end of 2027-Q4 and the
layoffs from 2026-Q1 to 2026-Q4. Kota Serang's industrial estate: 20 construction jobs now (low 10), 60 lasting
jobs at the end of 2027-Q4 (low 30): 40 jobs coming (low 20), of which lasting 60 (low 30). Its layoffs: 120 and
100 in manufacturing (C) for 2026-Q1 from two sources (the higher, 120, counts), 50 more in Q3, 30 in logistics
(H), 15 in agriculture (A: family not known), and 999 in 2025-Q4 (too old): 215, a balance of 30 - 215 = -185.
With the industrial shares (operation: manufacturing 0.65, logistics 0.2, trade and services 0.1, heavy equipment
0.05; construction: heavy equipment 0.2, trades 0.6, logistics 0.1, trade and services 0.1) the jobs coming are
manufacturing 39, logistics 12 - 2 = 10, trade and services 6 - 2 = 4 (heavy equipment and trades fall).
Only trade and services has jobs beyond its own laid-off workers (4): 4 manufacturing workers to train for it.
Kabupaten Tangerang: no layoffs, 500 lasting jobs coming (low 400).
"""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import Role
from app.security import SYSTEM_SCOPE, Scope
from devtools.factories import make_estate, make_layoff, region
from forecast.layoffs import beside_jobs


@pytest.fixture
def case(store_run):
    serang = make_estate(name="Kawasan Serang Uji", region=region("36.73"))
    tangerang = make_estate(name="Kawasan Tangerang Uji", region=region("36.03"))
    run = store_run(
        date(2026, 11, 20),
        [
            (serang, "2026-Q4", "construction", 10, 20, 30),
            (serang, "2026-Q4", "operation", 0, 0, 0),
            (serang, "2027-Q4", "operation", 30, 60, 90),
            (serang, "2027-Q4", "construction", 0, 0, 0),
            (serang, "2027-Q2", "operation", 999, 999, 999),  # between: not counted
            (tangerang, "2027-Q4", "operation", 400, 500, 600),
        ],
        snapshot=False,
    )
    kota_serang = region("36.73")
    for period, section, workers, source in (
        ("2026-Q1", "C", 120, "Disnakertrans Banten"),
        ("2026-Q1", "C", 100, "Berita daerah"),
        ("2026-Q3", "C", 50, "Disnakertrans Banten"),
        ("2026-Q2", "H", 30, "Disnakertrans Banten"),
        ("2026-Q4", "A", 15, "Disnakertrans Banten"),
        ("2025-Q4", "C", 999, "Disnakertrans Banten"),
    ):
        make_layoff(region=kota_serang, period=period, kbli_section=section, workers=workers, source=source)
    db.session.commit()
    return {"run": run, "serang": kota_serang, "tangerang": region("36.03")}


def test_layoffs_beside_the_jobs_coming_on_a_hand_computed_case(case):
    balances = beside_jobs(case["run"], None, SYSTEM_SCOPE)
    assert balances.layoff_quarters == ("2026-Q1", "2026-Q4") and balances.jobs_quarters == ("2026-Q4", "2027-Q4")
    serang, tangerang = balances.regions  # the largest shortfall first
    assert serang.region_id == case["serang"].id
    assert (serang.laid_off, serang.jobs_central, serang.jobs_low) == (215, 40, 20)
    assert (serang.lasting_central, serang.lasting_low, serang.balance) == (60, 30, -185)
    assert serang.laid_off_skills == {"manufacturing": 170, "logistics": 30, "": 15}
    assert serang.coming_skills == {"manufacturing": 39, "logistics": 10, "trade_services": 4}
    assert serang.training == [("manufacturing", "trade_services", 4)]
    assert (tangerang.laid_off, tangerang.lasting_low, tangerang.balance, tangerang.training) == (0, 400, 400, [])


def test_a_kota_serang_officer_sees_kota_serang_only(case, login_as):
    scope = Scope(role=Role.OFFICER, region_id=case["serang"].id)
    assert [b.region_id for b in beside_jobs(case["run"], None, scope).regions] == [case["serang"].id]
    page = login_as("officer", region="36.73").get("/forecast").get_data(as_text=True)
    assert 'id="layoffs-table"' in page and page.count('class="layoff-row"') == 1
    assert f'data-region="{case["tangerang"].id}"' not in page
    page = login_as("governor").get("/forecast").get_data(as_text=True)
    assert page.count('class="layoff-row"') == 2 and 'id="low-case-in-force"' in page
