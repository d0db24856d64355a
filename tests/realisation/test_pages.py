"""The import page (template, report, applied file), the missing-reports page, the province totals beside the
register, and the portal's LKPM panel."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import ImportBatch, Setting
from devtools.factories import make_lkpm_entry
from realisation.models import LkpmEntry, LkpmStatus
from realisation.province import services as province
from realisation.scan import scan_missing_reports
from tests.realisation.conftest import good_rows, upload


def test_the_templates_hold_the_columns_and_import_as_they_are(client):
    xlsx = client.get("/realisation/lkpm/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    header = next(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert header[:7] == ("nib", "periode", "investasi_rp", "tki", "tka", "status", "dilaporkan_pada")
    csv = client.get("/realisation/lkpm/template.csv")
    assert csv.data.startswith("\ufeffnib,periode".encode())


def test_a_bad_file_shows_the_row_report_a_good_one_is_applied(companies, client):
    rows = good_rows()
    bad = [*rows[:-1], (*rows[-1][:2], "banyak", *rows[-1][3:])]
    response = client.post("/realisation/lkpm/import", data=upload(bad))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "32 rows checked" in html and "<code>investasi_rp</code>" in html and 'id="import-refused"' in html
    assert db.session.scalar(select(func.count(LkpmEntry.id))) == 0

    checked = client.post("/realisation/lkpm/import", data={**upload(rows), "check_only": "y"})
    assert checked.status_code == 200 and 'id="import-checked"' in checked.get_data(as_text=True)
    assert db.session.scalar(select(func.count(LkpmEntry.id))) == 0

    applied = client.post("/realisation/lkpm/import", data=upload(rows))
    assert applied.status_code == 302
    batch = db.session.scalars(select(ImportBatch)).one()
    assert applied.headers["Location"] == f"/realisation/imports/{batch.id}"
    assert batch.imported_by == "Test officer" and batch.imported_by_id == client.user.id
    assert "32" in client.get(applied.headers["Location"]).get_data(as_text=True)

    again = client.post("/realisation/lkpm/import", data=upload(rows))
    assert again.status_code == 200 and 'id="import-nothing"' in again.get_data(as_text=True)


def test_a_file_over_the_limit_gets_a_clear_page(companies, app, client):
    app.config["IMPORT_MAX_BYTES"] = 1024
    try:
        response = client.post(
            "/realisation/lkpm/import", data={"file": (io.BytesIO(b"nib," + b"x" * 300_000), "a.csv")}
        )
    finally:
        app.config["IMPORT_MAX_BYTES"] = 20 * 1024 * 1024
    assert response.status_code == 413 and "larger than" in response.get_data(as_text=True)


def test_the_missing_reports_page_lists_open_flags(companies, client):
    db.session.get(Setting, "lkpm.first_period").value = "2026-Q1"
    scan_missing_reports(date(2026, 7, 16))
    db.session.commit()
    html = client.get("/realisation/missing-reports").get_data(as_text=True)
    assert html.count('class="lkpm-flag-row"') == 4 and "Sanction risk" in html
    only = client.get("/realisation/missing-reports?kind=sanction_risk").get_data(as_text=True)
    assert only.count('class="lkpm-flag-row"') == 1


def test_the_province_totals_stand_beside_the_sum_of_the_reports(companies, client):
    make_lkpm_entry(companies.serang, period="2025-Q3", investment_rp=Decimal("3085000000000"), tki=100, tka=0)
    make_lkpm_entry(None, investor=companies.pma, period="2025-Q3", investment_rp=Decimal("1000000000"), tki=0, tka=0,
                    status=LkpmStatus.DRAFT)  # fmt: skip
    make_lkpm_entry(None, investor=companies.small, period="2025-S2", investment_rp=Decimal("500"), tki=1, tka=0)
    db.session.commit()
    rows = {str(row.period): row for row in province.coverage(client_scope(client))}
    q3 = rows["2025-Q3"]
    assert q3.release.investment_rp == Decimal("30850000000000")  # Rp30,85 triliun (CNN Indonesia)
    assert (q3.pantau.entries, q3.pantau.investment_rp, q3.pantau.left_out) == (1, Decimal("3085000000000"), 1)
    assert q3.investment_share == Decimal("0.1")  # a draft does not count; the half-year cannot be split
    assert rows["2025"].pantau.entries == 2 and rows["2025"].release.source.startswith("dpmptsp")
    html = client.get("/realisation/province").get_data(as_text=True)
    assert 'id="coverage-2025-Q3"' in html and "10%" in html


def test_a_revised_release_takes_over_and_the_earlier_one_stays(client):
    form = {"period": "2025-Q3", "investment_rp": "31,2 triliun", "source": "dpmptsp.bantenprov.go.id",
            "source_kind": "primary", "released_on": "2025-11-20"}  # fmt: skip
    assert client.post("/realisation/province/new", data=form).status_code == 302
    row = next(r for r in province.coverage(client_scope(client)) if str(r.period) == "2025-Q3")
    assert row.release.investment_rp == Decimal("31200000000000")
    assert [other.source for other in row.others] == ["CNN Indonesia 2025-10-29"]
    assert client.post("/realisation/province/new", data=form).status_code == 422  # the same release twice


def test_a_kota_serang_officer_cannot_record_province_figures(login_as):
    assert login_as("officer", region="36.73").get("/realisation/province/new").status_code == 403


def test_the_portal_tells_the_investor_what_is_overdue_and_what_is_due_next(companies, login_as):
    db.session.get(Setting, "lkpm.first_period").value = "2026-Q1"
    make_lkpm_entry(companies.serang, period="2026-Q1")
    make_lkpm_entry(companies.serang, period="2026-Q3", reported_on=date(2026, 10, 14))
    db.session.commit()
    client = login_as("investor", investor=companies.pma)
    home = client.get("/portal").get_data(as_text=True)
    assert 'id="lkpm-overdue"' in home and "2026-Q2" in home  # 2026-Q2 was due 15 July: missing
    assert "Next report: Quarter IV 2026, due on 15 Jan 2027." in home
    page = client.get("/portal/lkpm").get_data(as_text=True)
    assert page.count('class="portal-lkpm-entry"') == 2


def client_scope(client):
    from app.security import scope_of

    return scope_of(client.user)
