"""The commands: ``lkpm import`` exits 0 when the file is applied and 1 when it is refused (nothing written then),
``--dry-run`` writes nothing, ``lkpm scan`` runs the job; ``layoffs import`` the same way."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models import ImportBatch, JobRun, Setting
from realisation.layoffs.models import LayoffRecord
from realisation.models import LkpmEntry, LkpmFlag
from tests.realisation.conftest import good_rows, source


def _file(tmp_path: Path, rows, name: str = "lkpm.csv", **kw) -> str:
    path = tmp_path / name
    path.write_bytes(source(rows, name=name, **kw).content)
    return str(path)


def _entries() -> int:
    return db.session.scalar(select(func.count(LkpmEntry.id)))


def test_import_exits_0_when_applied_and_the_second_time_changes_nothing(companies, runner, tmp_path):
    db.session.commit()
    path = _file(tmp_path, good_rows())
    result = runner.invoke(args=["lkpm", "import", path, "--by", "Petugas CLI"])
    assert result.exit_code == 0, result.output
    assert "32 rows checked" in result.output and "32 new, 0 corrected, 0 unchanged" in result.output
    db.session.expire_all()
    assert _entries() == 32
    assert db.session.scalars(select(ImportBatch.imported_by)).one() == "Petugas CLI"

    again = runner.invoke(args=["lkpm", "import", path])
    assert again.exit_code == 0 and "Nothing to change" in again.output
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 1


def test_import_exits_1_when_a_row_is_bad_and_writes_nothing(companies, runner, tmp_path):
    db.session.commit()
    rows = good_rows()
    rows[5] = (rows[5][0], "2026-Q9", *rows[5][2:])
    result = runner.invoke(args=["lkpm", "import", _file(tmp_path, rows)])
    assert result.exit_code == 1
    assert "row 7, column periode" in result.output
    db.session.expire_all()
    assert _entries() == 0 and db.session.scalar(select(func.count(ImportBatch.id))) == 0


def test_import_exits_1_for_wrong_columns(companies, runner, tmp_path):
    path = _file(tmp_path, [("9120000000001", "2026-Q1")], header=("nib", "periode"))
    result = runner.invoke(args=["lkpm", "import", path])
    assert (
        result.exit_code == 1 and "Missing columns: investasi_rp, tki, tka, status, dilaporkan_pada." in result.output
    )


def test_a_dry_run_exits_0_and_writes_nothing(companies, runner, tmp_path):
    db.session.commit()
    result = runner.invoke(args=["lkpm", "import", _file(tmp_path, good_rows(), "lkpm.xlsx"), "--dry-run"])
    assert result.exit_code == 0 and "Dry run" in result.output
    db.session.expire_all()
    assert _entries() == 0


def test_scan_runs_the_job_and_records_its_run(companies, runner):
    db.session.get(Setting, "lkpm.first_period").value = "2026-Q1"
    db.session.commit()
    result = runner.invoke(args=["lkpm", "scan", "--as-of", "2026-07-16"])
    assert result.exit_code == 0, result.output
    assert "investors expected to report: 2" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(LkpmFlag.id))) == 4  # PMA Q1, Q2 and their run; the small one's S1
    assert db.session.scalars(select(JobRun.job)).one() == "lkpm-scan"


def test_scan_dry_run_writes_nothing(companies, runner):
    db.session.get(Setting, "lkpm.first_period").value = "2026-Q1"
    db.session.commit()
    result = runner.invoke(args=["lkpm", "scan", "--as-of", "2026-07-16", "--dry-run"])
    assert result.exit_code == 0 and "dry run" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(LkpmFlag.id))) == 0


LAYOFF_HEADER = ("kabkota", "periode", "kbli", "jumlah_pekerja", "sumber", "tanggal_sumber")


def test_layoffs_import_exits_0_or_1_like_the_lkpm_import(runner, tmp_path):
    rows = [
        ("36.03", "2026-Q1", "C", "1.250", "Disnakertrans Banten", "2026-04-20"),
        ("Kota Serang", "2026-Q1", "G", "80", "Berita daring", "2026-04-02"),
    ]
    bad = [*rows, ("Kota Bandung", "2026-Q1", "C", "10", "Berita", "2026-04-02")]
    refused = runner.invoke(args=["layoffs", "import", _file(tmp_path, bad, "phk.csv", header=LAYOFF_HEADER)])
    assert refused.exit_code == 1 and "row 4, column kabkota" in refused.output
    applied = runner.invoke(args=["layoffs", "import", _file(tmp_path, rows, "phk.csv", header=LAYOFF_HEADER)])
    assert applied.exit_code == 0, applied.output
    db.session.expire_all()
    assert sorted(db.session.scalars(select(LayoffRecord.workers))) == [80, 1250]
