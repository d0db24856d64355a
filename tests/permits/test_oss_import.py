"""The OSS permit import: the whole file checked first, one bad row refusing it with nothing changed, a good file
applied in one go with events attributed to the importing user and citing its batch, the same file twice changing
nothing, wrong columns and empty files refused, a 50 MB file refused by size, the page and the command."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from app.extensions import db
from app.imports import Actor, ImportRefused, import_file, receive
from app.models import ImportBatch, User
from app.security import SYSTEM_SCOPE
from app.spreadsheets import csv_bytes, xlsx_bytes
from devtools.factories import make_estate, make_investor, region
from permits.importing import COLUMNS, PermitImporter
from permits.models import Permit, PermitEvent, PermitStatus

HEADER = COLUMNS.all


def _companies(count: int) -> list[str]:
    nibs = []
    for n in range(count):
        nib = f"91200{n:08d}"
        investor = make_investor(legal_name=f"PT Impor {n}", nib=nib)
        make_estate(investor=investor, region=region("36.73"), name=f"Kawasan Impor {n}")
        nibs.append(nib)
    db.session.commit()
    return nibs


def _rows(nibs: list[str]) -> list[tuple]:
    rows = []
    for nib in nibs:
        rows.append((nib, "NIB", f"NIB-{nib}", "Diterbitkan", "2026-01-05", "2026-01-05"))
        rows.append((nib, "KKPR", f"KKPR-{nib}", "Diajukan", "2026-02-02", ""))
    return rows


def _import(rows, *, actor: Actor, dry_run: bool = False, header=HEADER, name: str = "oss.csv"):
    source = receive(name, io.BytesIO(csv_bytes(header, rows)))
    return import_file(PermitImporter(SYSTEM_SCOPE), source, actor=actor, dry_run=dry_run)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _officer(password_hash: str) -> User:
    user = User(email="impor@pantau.test", name="Petugas Impor", role="officer", password_hash=password_hash)
    db.session.add(user)
    db.session.commit()
    return user


def test_a_good_file_is_applied_with_events_attributed_to_the_user_and_the_file(password_hash):
    nibs = _companies(3)
    user = _officer(password_hash)
    report = _import(_rows(nibs), actor=Actor(user.name, user.id))
    assert not report.refused and report.applied, report.errors
    assert (report.rows_checked, report.created, report.updated) == (6, 6, 0)
    db.session.commit()
    assert _count(Permit) == 6
    kkpr = db.session.scalars(select(Permit).where(Permit.reference_number == f"KKPR-{nibs[0]}")).one()
    assert kkpr.status is PermitStatus.SUBMITTED
    events = db.session.scalars(select(PermitEvent)).all()
    assert events and all(e.import_batch_id == report.batch_id and e.actor_id == user.id for e in events)
    batch = db.session.get(ImportBatch, report.batch_id)
    assert (batch.kind, batch.filename, batch.imported_by_id) == ("oss_permits", "oss.csv", user.id)

    again = _import(_rows(nibs), actor=Actor(user.name, user.id))  # the same file twice: nothing changes
    assert not again.applied and (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert again.previous.id == batch.id
    assert _count(PermitEvent) == len(events) and _count(ImportBatch) == 1

    moved = [(nibs[0], "KKPR", f"KKPR-{nibs[0]}", "Dinyatakan Lengkap", "2026-02-02", "")]
    report = _import(moved, actor=Actor(user.name, user.id), name="oss-2.csv")
    assert report.applied and report.updated == 1, report.errors
    db.session.commit()
    last = db.session.scalars(
        select(PermitEvent).where(PermitEvent.permit_id == kkpr.id).order_by(PermitEvent.seq.desc())
    ).first()
    assert last.to_status is PermitStatus.DECLARED_COMPLETE and last.actor_id == user.id
    assert last.import_batch_id == report.batch_id and "oss-2.csv" in last.note


def test_one_bad_row_among_many_refuses_the_file_and_changes_nothing():
    nibs = _companies(25)
    rows = _rows(nibs)
    rows[37] = (nibs[18], "KKPR", f"KKPR-{nibs[18]}", "Sedang Dimasak", "2026-02-02", "")
    rows.append(("9999999999999", "NIB", "NIB-X", "Diterbitkan", "2026-01-05", "2026-01-05"))
    report = _import(rows, actor=Actor("Petugas", None))
    assert report.refused and not report.applied
    assert [(e.row, e.column) for e in report.errors] == [(39, "status"), (52, "nib")]
    db.session.rollback()
    assert _count(Permit) == 0 and _count(ImportBatch) == 0 and _count(PermitEvent) == 0


def test_moves_the_stage_machine_refuses_are_row_errors():
    nibs = _companies(1)
    assert _import(_rows(nibs), actor=Actor("Petugas", None)).applied
    db.session.commit()
    skipping = [(nibs[0], "KKPR", f"KKPR-{nibs[0]}", "Dibekukan", "2026-02-02", "")]  # only an issued one freezes
    report = _import(skipping, actor=Actor("Petugas", None))
    assert report.refused and report.errors[0].column == "status"
    db.session.rollback()
    assert db.session.scalars(select(Permit.status).where(Permit.reference_number == f"KKPR-{nibs[0]}")).one() is (
        PermitStatus.SUBMITTED
    )


def test_wrong_columns_and_empty_files_are_refused_with_a_reason():
    for header, rows, expected in (
        (("nib", "kode"), [("1", "2")], "Missing columns"),
        ((*HEADER, "lain"), [], "Unknown columns"),
    ):
        try:
            _import(rows, actor=Actor("Petugas", None), header=header)
        except ImportRefused as refused:
            assert expected in str(refused)
        else:
            raise AssertionError(header)
    for empty in (b"", b"  \n"):
        try:
            import_file(PermitImporter(SYSTEM_SCOPE), receive("a.csv", io.BytesIO(empty)), actor=Actor("P", None))
        except ImportRefused as refused:
            assert "empty" in str(refused)
        else:
            raise AssertionError(empty)


def test_the_page_imports_xlsx_and_refuses_a_50_mb_file_by_size(client):
    nibs = _companies(2)
    content = xlsx_bytes(HEADER, _rows(nibs), "izin")
    page = client.get("/permits/import")
    assert page.status_code == 200 and "nomor_referensi" in page.get_data(as_text=True)
    checked = client.post("/permits/import", data={"file": (io.BytesIO(content), "oss.xlsx"), "check_only": "y"})
    assert checked.status_code == 200 and 'id="import-checked"' in checked.get_data(as_text=True)
    assert _count(Permit) == 0
    applied = client.post("/permits/import", data={"file": (io.BytesIO(content), "oss.xlsx")})
    assert applied.status_code == 302 and _count(Permit) == 4
    huge = b"nib,kode_izin\n" + b"9" * (50 * 1024 * 1024)
    part = b'--B\r\nContent-Disposition: form-data; name="file"; filename="besar.csv"\r\n\r\n'
    body = part + huge + b"\r\n--B--\r\n"  # built here: the test client would spool it to a temporary file
    refused = client.post("/permits/import", data=body, content_type="multipart/form-data; boundary=B")
    assert refused.status_code == 413
    assert "larger than 20 MB" in refused.get_data(as_text=True)
    assert _count(Permit) == 4


def test_the_governors_office_cannot_import(login_as):
    governor = login_as("governor")
    assert governor.get("/permits/import").status_code == 403
    assert governor.get("/permits/import/template.csv").status_code == 200


def test_the_command_exits_0_when_applied_and_1_when_refused(runner, tmp_path):
    nibs = _companies(1)
    good = tmp_path / "oss.csv"
    good.write_bytes(csv_bytes(HEADER, _rows(nibs)))
    dry = runner.invoke(args=["permits", "import", str(good), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert _count(Permit) == 0
    real = runner.invoke(args=["permits", "import", str(good)])
    assert real.exit_code == 0, real.output
    assert _count(Permit) == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(HEADER, [("123", "XYZ", "R-1", "Diajukan", "2026-02-02", "")]))
    refused = runner.invoke(args=["permits", "import", str(bad)])
    assert refused.exit_code == 1
    assert _count(Permit) == 2
