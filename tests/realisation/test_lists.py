"""Issue 12, "Lists": the LKPM reports, the missing reports and the layoffs sort by their column headers and
download as CSV with the page's scope, filters and order (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import re
from datetime import date

from app.extensions import db
from devtools.factories import make_estate, make_investor, make_layoff, make_lkpm_entry, region
from realisation.models import LkpmFlag, LkpmFlagKind
from tests.listing import csv_table

SERANG, TANGERANG = "36.73", "36.03"


def _estate(name: str, investor: str, bps: str):
    return make_estate(name=name, investor=make_investor(legal_name=investor, nib=None), region=region(bps))


def test_lkpm_and_layoff_lists_sort_by_their_headers_and_export_in_that_order(client, login_as):
    alfa = _estate("Kawasan Alfa", "PT Zulu Serang", SERANG)
    beta = _estate("Kawasan Beta", "PT Alfa Serang", SERANG)
    gamma = _estate("Kawasan Gamma", "PT Mike Tangerang", TANGERANG)
    make_lkpm_entry(alfa, period="2026-Q1", tki=10)
    make_lkpm_entry(gamma, period="2026-Q2", tki=30)
    make_lkpm_entry(beta, period="2025-Q4", tki=20)
    make_layoff(region=region(SERANG), workers=50)
    make_layoff(region=region(TANGERANG), workers=700, period="2025-Q4")
    db.session.commit()

    def tki(query: str) -> list[str]:
        html = client.get(f"/realisation/lkpm?{query}").get_data(as_text=True)
        body = html[html.index('id="lkpm-entries"') : html.index("</table>", html.index('id="lkpm-entries"'))]
        return re.findall(r'<td class="num">(\d+)</td>\s*<td class="num">\d+</td>\s*<td>', body)

    assert tki("") == ["30", "10", "20"]  # the latest period first
    assert tki("sort=tki") == ["10", "20", "30"] and tki("sort=-tki") == ["30", "20", "10"]
    assert tki("sort=investor") == ["20", "30", "10"] and tki("sort=zzz") == tki("")
    default = client.get("/realisation/lkpm").get_data(as_text=True)
    assert 'aria-sort="descending"><a class="sort-link active" data-sort="period"' in default
    html = client.get("/realisation/lkpm?sort=-tki").get_data(as_text=True)
    assert 'aria-sort="descending"><a class="sort-link active" data-sort="tki"' in html
    assert re.search(r'id="csv-export" href="/realisation/lkpm.csv\?sort=-tki"', html)
    table = csv_table(client.get("/realisation/lkpm.csv?sort=-tki"))
    assert [row[6] for row in table[1:]] == ["30", "20", "10"]
    serang = csv_table(login_as("officer", region=SERANG).get("/realisation/lkpm.csv"))
    assert {row[4] for row in serang[1:]} == {"Kota Serang"} and len(serang) == 3

    layoffs = "/realisation/layoffs/export.csv"
    assert [row[3] for row in csv_table(client.get(f"{layoffs}?sort=-workers"))[1:]] == ["700", "50"]
    assert [row[3] for row in csv_table(client.get(f"{layoffs}?sort=workers"))[1:]] == ["50", "700"]
    html = client.get("/realisation/layoffs?sort=region").get_data(as_text=True)
    assert 'aria-sort="ascending"><a class="sort-link active" data-sort="region"' in html
    assert [row[1] for row in csv_table(login_as("officer", region=SERANG).get(layoffs))[1:]] == ["Kota Serang"]


def _flag(investor, period: str, due: date, missed: int, kind=LkpmFlagKind.MISSING) -> LkpmFlag:
    flag = LkpmFlag(investor=investor, kind=kind, period=period, due_on=due, periods_missed=missed)
    flag.raised_on = flag.last_confirmed_on = due
    db.session.add(flag)
    return flag


def test_the_missing_reports_sort_by_their_headers_and_export(client, login_as):
    serang = _estate("Kawasan Alfa", "PT Zulu Serang", SERANG).investor
    tangerang = _estate("Kawasan Gamma", "PT Mike Tangerang", TANGERANG).investor
    _flag(serang, "2026-Q1", date(2026, 4, 15), 1)
    _flag(tangerang, "2025-Q4", date(2026, 1, 15), 2, LkpmFlagKind.SANCTION_RISK)
    _flag(tangerang, "2026-Q1", date(2026, 4, 15), 1)
    db.session.commit()

    def investors(query: str) -> list[str]:
        table = csv_table(client.get(f"/realisation/missing-reports.csv?{query}"))
        return [(row[1], row[3]) for row in table[1:]]

    assert investors("") == [  # sanction risks first, then the oldest deadline
        ("PT Mike Tangerang", "2025-Q4"),
        ("PT Mike Tangerang", "2026-Q1"),
        ("PT Zulu Serang", "2026-Q1"),
    ]
    assert investors("sort=-investor") == [
        ("PT Zulu Serang", "2026-Q1"),
        ("PT Mike Tangerang", "2025-Q4"),
        ("PT Mike Tangerang", "2026-Q1"),
    ]
    assert investors("sort=-missed")[0] == ("PT Mike Tangerang", "2025-Q4")
    assert investors("kind=missing&sort=period") == [("PT Mike Tangerang", "2026-Q1"), ("PT Zulu Serang", "2026-Q1")]
    assert investors("sort=what") == investors("")
    html = client.get("/realisation/missing-reports?sort=-missed").get_data(as_text=True)
    assert 'aria-sort="descending"><a class="sort-link active" data-sort="missed"' in html
    only_serang = csv_table(login_as("officer", region=SERANG).get("/realisation/missing-reports.csv"))
    assert [row[1] for row in only_serang[1:]] == ["PT Zulu Serang"]
