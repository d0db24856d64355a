"""Layoff records: entered and imported like LKPM reports, scoped to the officer's kab/kota, corrected in place."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.imports import Actor, import_file
from app.models import ImportBatch, Role
from app.security import SYSTEM_SCOPE, Scope
from devtools.factories import make_layoff, region
from realisation.layoffs import services
from realisation.layoffs.importing import LayoffImporter
from realisation.layoffs.models import LayoffRecord
from tests.realisation.conftest import source

HEADER = ("kabkota", "periode", "kbli", "jumlah_pekerja", "sumber", "tanggal_sumber")
ROWS = [
    ("36.03", "2026-Q1", "C", "1250", "Disnakertrans Banten", "2026-04-20"),
    ("Kabupaten Tangerang", "2026-Q1", "C", "1400", "Berita daring", "2026-04-02"),  # another source disagrees
    ("3673", "2026-Q2", "G", "80", "Disnakertrans Banten", "2026-07-20"),
]


def _import(rows, scope=SYSTEM_SCOPE):
    return import_file(LayoffImporter(scope), source(rows, HEADER, "phk.csv"), actor=Actor("Uji"))


def test_an_import_keeps_disagreeing_sources_and_the_same_file_twice_changes_nothing():
    report = _import(ROWS)
    assert report.applied and report.created == 3
    assert sorted(db.session.scalars(select(LayoffRecord.workers))) == [80, 1250, 1400]
    again = _import(ROWS)
    assert not again.applied and again.unchanged == 3
    corrected = _import([(*ROWS[0][:3], "1300", *ROWS[0][4:])])
    assert corrected.updated == 1
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 2


def test_one_bad_row_refuses_the_layoff_file():
    rows = [
        *ROWS,
        ("36.03", "2026-Q1", "Z", "10", "Berita", "2026-04-02"),
        ("36.03", "2026-S1", "C", "10", "B", "2026-07-02"),
    ]
    report = _import(rows)
    assert [(e.row, e.column) for e in report.errors] == [(5, "kbli"), (6, "periode")]
    assert db.session.scalar(select(func.count(LayoffRecord.id))) == 0


def test_a_kota_serang_officer_sees_and_records_kota_serang_only(login_as):
    serang, tangerang = make_layoff(region=region("36.73")), make_layoff(region=region("36.03"), workers=999)
    db.session.commit()
    scope = Scope(role=Role.OFFICER, region_id=region("36.73").id)
    assert db.session.scalars(services.search_layoffs(services.LayoffFilters(), scope=scope)).all() == [serang]
    report = _import(ROWS, scope=scope)
    assert [(e.row, e.column) for e in report.errors] == [(2, "kabkota"), (3, "kabkota")]
    client = login_as("officer", region="36.73")
    assert client.get(f"/realisation/layoffs/{tangerang.id}/edit").status_code == 404
    assert "999" not in client.get("/realisation/layoffs").get_data(as_text=True)


def test_an_officer_records_and_corrects_a_layoff_through_the_pages(client):
    form = {
        "region_id": region("36.04").id,
        "period": "2026-Q2",
        "kbli_section": "C",
        "workers": "2.300",
        "source": "Disnakertrans Banten",
        "source_date": "2026-07-21",
    }
    assert client.post("/realisation/layoffs/new", data=form).status_code == 302
    record = db.session.scalars(select(LayoffRecord)).one()
    assert (record.workers, record.period, record.period_end) == (2300, "2026-Q2", date(2026, 6, 30))
    assert client.post("/realisation/layoffs/new", data=form).status_code == 422  # the same source and date again
    assert client.post(f"/realisation/layoffs/{record.id}/edit", data={**form, "workers": "2400"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(LayoffRecord, record.id).workers == 2400


def test_the_import_page_shows_the_row_report_and_changes_nothing(client):
    bad = [*ROWS, ("36.99", "2026-Q1", "C", "10", "Berita", "2026-04-02")]
    import io

    response = client.post(
        "/realisation/layoffs/import", data={"file": (io.BytesIO(source(bad, HEADER, "phk.csv").content), "phk.csv")}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="import-refused"' in html and "4 rows checked" in html
    assert db.session.scalar(select(func.count(LayoffRecord.id))) == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_lists_the_columns(client, fmt):
    response = client.get(f"/realisation/layoffs/template.{fmt}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert client.get("/realisation/layoffs/template.pdf").status_code == 404
