"""The LKPM import: the whole file checked first, one bad row refusing it with nothing changed, a good file applied
in one go and recorded with its source, the same file twice changing nothing, XLSX like CSV, wrong files refused."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.extensions import db
from app.imports import Actor, ImportRefused, import_file, receive
from app.models import ImportBatch, Role
from app.security import SYSTEM_SCOPE, Scope
from devtools.factories import region
from realisation.importing import LkpmImporter
from realisation.models import LkpmEntry, LkpmEntryRevision, LkpmStatus
from tests.realisation.conftest import HEADER, good_rows, source

ACTOR = Actor("Petugas Uji", None)


def _import(rows, *, scope: Scope = SYSTEM_SCOPE, dry_run: bool = False, name: str = "lkpm.csv", header=HEADER):
    return import_file(LkpmImporter(scope), source(rows, header, name), actor=ACTOR, dry_run=dry_run)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _snapshot() -> list[tuple]:
    rows = db.session.execute(
        select(LkpmEntry.id, LkpmEntry.period, LkpmEntry.investment_rp, LkpmEntry.tki, LkpmEntry.version,
               LkpmEntry.updated_at).order_by(LkpmEntry.id)
    )  # fmt: skip
    return [tuple(row) for row in rows]


def test_a_good_file_is_applied_in_one_go_and_recorded_with_its_source(companies):
    rows = good_rows()
    report = _import(rows)
    assert not report.refused and report.applied
    assert (report.rows_checked, report.created, report.updated, report.unchanged) == (32, 32, 0, 0)
    assert _count(LkpmEntry) == 32
    batch = db.session.get(ImportBatch, report.batch_id)
    assert (batch.kind, batch.filename, batch.imported_by, batch.rows, batch.created) == (
        "lkpm", "lkpm.csv", "Petugas Uji", 32, 32
    )  # fmt: skip
    entry = db.session.scalars(
        select(LkpmEntry).where(LkpmEntry.estate_id == companies.serang.id, LkpmEntry.period == "2026-Q1")
    ).one()
    assert (entry.investment_rp, entry.tki, entry.tka, entry.status) == (
        Decimal(1_000_000_024),
        124,
        2,
        LkpmStatus.SENT,
    )
    assert entry.import_batch_id == batch.id and entry.recorded_by == "Petugas Uji"
    company_wide = db.session.scalars(
        select(LkpmEntry).where(LkpmEntry.investor_id == companies.pma.id, LkpmEntry.estate_id.is_(None))
    ).all()
    assert len(company_wide) == 9


def test_one_bad_row_among_many_refuses_the_whole_file_and_changes_nothing(companies):
    _import(good_rows()[:10])  # what Pantau holds before
    before, batches = _snapshot(), _count(ImportBatch)
    rows = good_rows()
    rows[20] = (*rows[20][:3], "tiga ratus", *rows[20][4:])  # row 22 of the sheet: TKI is not a number
    report = _import(rows)
    assert report.refused and not report.applied
    assert report.rows_checked == 32
    assert [(e.row, e.column) for e in report.errors] == [(22, "tki")]
    assert _snapshot() == before  # the ten known rows not updated, the 21 new ones not added
    assert _count(ImportBatch) == batches
    assert _count(LkpmEntryRevision) == 0


def test_every_bad_row_is_reported_with_its_column(companies):
    rows = good_rows()[:5]
    rows.append(("9120000000999", "2026-Q1", "5", "1", "0", "Terkirim", "2026-04-10", ""))  # unknown NIB
    rows.append(("9120000000001", "2026-S1", "5", "1", "0", "Terkirim", "2026-07-10", ""))  # the PMA files quarterly
    rows.append(("9120000000002", "2026-Q1", "5", "1", "0", "Terkirim", "2026-04-10", ""))  # the small one half-yearly
    rows.append(("9120000000001", "2026-Q4", "5", "1", "0", "Terkirim", "2026-11-19", ""))  # not begun... it has
    rows.append(("9120000000001", "2027-Q1", "5", "1", "0", "Terkirim", "2026-11-19", ""))  # not begun yet
    rows.append(("9120000000001", "2026-Q2", "5", "1", "0", "Dikirim", "2026-07-10", "Kawasan Lain"))
    rows.append(("9120000000001", "2026-Q3", "-5", "1", "0", "Terkirim", "2026-13-01", ""))
    rows.append(rows[0])  # the same report twice
    report = _import(rows)
    found = [(e.row, e.column) for e in report.errors]
    assert found == [
        (7, "nib"),
        (8, "periode"),
        (9, "periode"),
        (11, "periode"),
        (12, "kawasan"),
        (13, "investasi_rp"),
        (13, "dilaporkan_pada"),
        (14, "periode"),
    ]
    assert report.error_count == 8 and _count(LkpmEntry) == 0


def test_the_report_reads_in_indonesian(companies):
    rows = [("9120000000001", "2026-S1", "5", "1", "0", "Terkirim", "2026-07-10", "")]
    with force_locale("id"):
        report = _import(rows)
    assert report.errors[0].message == "PT Asing Kawasan melapor per triwulan: tulis periodenya sebagai 2026-Q2."


def test_the_same_file_twice_changes_nothing_the_second_time(companies):
    first = _import(good_rows())
    assert first.applied
    before = _snapshot()
    second = _import(good_rows())
    assert not second.refused and not second.applied
    assert (second.created, second.updated, second.unchanged) == (0, 0, 32)
    assert second.previous is not None and second.previous.id == first.batch_id
    assert _snapshot() == before
    assert _count(ImportBatch) == 1 and _count(LkpmEntryRevision) == 0


def test_a_file_with_changed_rows_corrects_them_and_keeps_the_earlier_values(companies):
    _import(good_rows())
    rows = good_rows()
    rows[0] = (*rows[0][:3], 999, *rows[0][4:])  # TKI of the first report corrected
    report = _import(rows, name="lkpm-revisi.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 31)
    revision = db.session.scalars(select(LkpmEntryRevision)).one()
    assert (revision.tki, revision.version, revision.replaced_by) == (100, 1, "Petugas Uji")
    assert revision.reason == "Import of lkpm-revisi.csv"
    entry = revision.entry
    assert (entry.tki, entry.version, entry.import_batch_id) == (999, 2, report.batch_id)


def test_an_optional_column_left_out_keeps_what_pantau_holds(companies):
    header = (*HEADER, "kendala")
    rows = [("9120000000001", "2026-Q1", "10", "1", "0", "Terkirim", "2026-04-10", "", "Lahan belum dibebaskan")]
    _import(rows, header=header)
    again = _import([row[:-1] for row in rows])  # the same report, without the obstacles column
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert db.session.scalars(select(LkpmEntry.obstacles)).one() == "Lahan belum dibebaskan"


def test_the_capital_split_must_add_up(companies):
    header = (*HEADER, "modal_tetap_rp", "modal_kerja_rp")
    rows = [
        ("9120000000001", "2026-Q1", "10.000.000", "1", "0", "Terkirim", "2026-04-10", "", "6.000.000", "4.000.000"),
        ("9120000000001", "2025-Q4", "Rp10.000.000", "1", "0", "Terkirim", "2026-01-10", "", "6.000.000", "3.000.000"),
    ]
    report = _import(rows, header=header)
    assert [(e.row, e.column) for e in report.errors] == [(3, "modal_kerja_rp")]
    report = _import(rows[:1], header=header)
    entry = db.session.scalars(select(LkpmEntry)).one()
    assert (entry.investment_rp, entry.fixed_capital_rp, entry.working_capital_rp) == (10_000_000, 6_000_000, 4_000_000)


def test_an_xlsx_file_imports_like_a_csv(companies):
    report = _import(good_rows(), name="lkpm.xlsx")
    assert report.applied and report.created == 32
    again = _import(good_rows())  # the same reports as CSV: nothing to change
    assert (again.created, again.updated) == (0, 0)


def test_a_dry_run_checks_and_counts_but_writes_nothing(companies):
    report = _import(good_rows(), dry_run=True)
    assert not report.refused and not report.applied and report.created == 32
    assert _count(LkpmEntry) == 0 and _count(ImportBatch) == 0


def test_wrong_columns_are_refused_with_a_clear_message(companies):
    header = ("nib", "periode", "investasi", "tki", "tka", "status", "dilaporkan_pada")
    with pytest.raises(ImportRefused) as refused:
        _import([("9120000000001", "2026-Q1", "1", "1", "0", "Terkirim", "2026-04-10")], header=header)
    message = str(refused.value)
    assert "Missing columns: investasi_rp." in message and "Unknown columns: investasi." in message
    assert _count(LkpmEntry) == 0


def test_a_file_over_the_limit_or_not_a_spreadsheet_is_refused():
    with pytest.raises(ImportRefused, match="larger than 20 MB"):
        receive("big.csv", io.BytesIO(b"x" * (20 * 1024 * 1024 + 1)))
    not_a_sheet = receive("scan.xlsx", io.BytesIO(b"PK\x03\x04 not really a workbook"))
    with pytest.raises(ImportRefused, match="Excel workbook"):
        import_file(LkpmImporter(SYSTEM_SCOPE), not_a_sheet, actor=ACTOR)
    latin = receive("lkpm.csv", io.BytesIO(",".join(HEADER).encode() + b"\n\xe9\n"))
    with pytest.raises(ImportRefused, match="UTF-8"):
        import_file(LkpmImporter(SYSTEM_SCOPE), latin, actor=ACTOR)


def test_a_semicolon_csv_from_excel_reads_too(companies):
    content = ";".join(HEADER) + "\r\n9120000000001;2026-Q1;1.500.000.000;120;3;Perlu Perbaikan;2026-04-12;\r\n"
    report = import_file(
        LkpmImporter(SYSTEM_SCOPE), receive("lkpm.csv", io.BytesIO(content.encode("utf-8-sig"))), actor=ACTOR
    )
    assert report.applied
    entry = db.session.scalars(select(LkpmEntry)).one()
    assert (entry.investment_rp, entry.status) == (1_500_000_000, LkpmStatus.NEEDS_CORRECTION)


def test_an_officer_of_one_kab_kota_imports_the_reports_of_its_estates_only(companies):
    serang = Scope(role=Role.OFFICER, region_id=region("36.73").id)
    rows = [
        ("9120000000001", "2026-Q1", "10", "1", "0", "Terkirim", "2026-04-10", "Kawasan Sawah Luhur"),
        ("9120000000001", "2026-Q1", "10", "1", "0", "Terkirim", "2026-04-10", "Kawasan Pasar Kemis"),
        ("9120000000001", "2026-Q1", "10", "1", "0", "Terkirim", "2026-04-10", ""),
    ]
    report = _import(rows, scope=serang)
    assert [(e.row, e.column) for e in report.errors] == [(3, "kawasan"), (4, "kawasan")]
    assert _import(rows[:1], scope=serang).applied
