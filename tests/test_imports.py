"""The one import path (app/imports.py, app/spreadsheets.py), with a toy importer of settings: files read as CSV or
XLSX, the header checked, every row checked before anything is written, the batch recorded, idempotence."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.imports import (
    Action,
    Actor,
    Columns,
    ImportRefused,
    Row,
    RowErrors,
    import_file,
    read_count,
    receive,
    template_csv,
    template_xlsx,
)
from app.models import ImportBatch, Setting

COLUMNS = Columns(required=("key", "value"), optional=("description",))


@dataclass(frozen=True)
class SettingPlan:
    action: Action
    key: str
    value: str
    description: str | None


class SettingImporter:
    """Settings as a toy: a row sets a key's value; a count (``jumlah``) must be a whole number."""

    kind = "settings-test"
    columns = COLUMNS

    def check(self, rows: Sequence[Row], errors: RowErrors) -> list[SettingPlan]:
        plans = []
        for row in rows:
            if not row.get("key").startswith("test."):
                errors.add(row, "key", "only test. keys")
                continue
            stored = db.session.get(Setting, row.get("key"))
            action = Action.CREATE if stored is None else Action.UNCHANGED
            if stored is not None and stored.value != row.get("value"):
                action = Action.UPDATE
            plans.append(SettingPlan(action, row.get("key"), row.get("value"), row.get("description") or None))
        return plans

    def apply(self, plans: Sequence[SettingPlan], batch: ImportBatch) -> None:
        for plan in plans:
            setting = db.session.get(Setting, plan.key) or Setting(key=plan.key, description=plan.description or "")
            setting.value = plan.value
            setting.source = f"import {batch.id}"
            db.session.add(setting)


def _source(content: bytes, name: str = "settings.csv"):
    return receive(name, io.BytesIO(content))


def _run(content: bytes, name: str = "settings.csv", dry_run: bool = False):
    return import_file(SettingImporter(), _source(content, name), actor=Actor("Uji", None), dry_run=dry_run)


def _test_settings() -> dict[str, str]:
    rows = db.session.execute(select(Setting.key, Setting.value).where(Setting.key.startswith("test.")))
    return dict(rows.tuples().all())


def test_a_good_file_is_applied_and_its_batch_records_the_source():
    report = _run(b"key,value\ntest.a,1\ntest.b,2\n")
    assert report.applied and (report.rows_checked, report.created) == (2, 2)
    batch = db.session.get(ImportBatch, report.batch_id)
    assert (batch.kind, batch.filename, batch.imported_by, batch.rows, batch.size_bytes) == (
        "settings-test", "settings.csv", "Uji", 2, 28
    )  # fmt: skip
    assert len(batch.sha256) == 64
    assert _test_settings() == {"test.a": "1", "test.b": "2"}


def test_one_bad_row_refuses_the_file_and_nothing_is_written():
    report = _run(b"key,value\ntest.a,1\nother,2\ntest.c,3\n")
    assert report.refused and not report.applied
    assert [(e.row, e.column, e.value) for e in report.errors] == [(3, "key", "other")]
    assert _test_settings() == {} and db.session.scalar(select(func.count(ImportBatch.id))) == 0


def test_the_same_file_twice_leaves_no_second_batch_and_a_changed_row_is_an_update():
    first = _run(b"key,value\ntest.a,1\n")
    second = _run(b"key,value\ntest.a,1\n")
    assert not second.applied and second.unchanged == 1 and second.previous.id == first.batch_id
    third = _run(b"key,value\ntest.a,5\n")
    assert third.applied and third.updated == 1 and _test_settings() == {"test.a": "5"}
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 2


def test_a_dry_run_counts_but_writes_nothing():
    report = _run(b"key,value\ntest.a,1\n", dry_run=True)
    assert report.dry_run and report.created == 1 and not report.applied and _test_settings() == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"key\ntest.a\n", "Missing columns: value."),
        (b"key,value,colour\ntest.a,1,red\n", "Unknown columns: colour."),
        (b"key,value,key\ntest.a,1,x\n", "Columns named twice: key."),
        (b"\n\n", "The file is empty."),
    ],
)
def test_a_wrong_header_is_refused_with_a_clear_message(content, message):
    with pytest.raises(ImportRefused, match=message):
        _run(content)


def test_blank_rows_are_skipped_and_extra_values_are_an_error():
    report = _run(b"key,value\n\ntest.a,1\n,\ntest.b,2,surplus\n")
    assert report.rows_checked == 2
    assert [(e.row, e.column) for e in report.errors] == [(5, None)]


def test_excel_files_and_semicolons_read_like_csv():
    xlsx = template_xlsx(COLUMNS, [("test.a", 1, "satu"), ("test.b", 2.0, "")], "Uji")
    report = _run(xlsx, "settings.xlsx")
    assert report.created == 2 and _test_settings() == {"test.a": "1", "test.b": "2"}
    report = _run("\ufeffkey;value\r\ntest.a;1\r\ntest.c;3\r\n".encode(), "semicolons.csv")
    assert (report.created, report.unchanged) == (1, 1)
    assert template_csv(COLUMNS, []).decode("utf-8-sig").strip() == "key,value,description"


def test_a_file_too_large_is_refused_before_it_is_read():
    with pytest.raises(ImportRefused, match="larger than 1 MB"):
        receive("big.csv", io.BytesIO(b"x" * (1024 * 1024 + 1)), max_bytes=1024 * 1024)


@pytest.mark.parametrize(("text", "value"), [("1500", 1500), ("1.500", 1500), ("1,500", 1500), ("0", 0)])
def test_counts_read_as_files_write_them(text, value):
    assert read_count(text) == value
