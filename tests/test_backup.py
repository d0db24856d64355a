"""``flask backup`` and ``flask restore``: a round trip that compares every table and every document, on the
engine under test (SQLite, or the PostgreSQL of ``TEST_DATABASE_URL``), and the refusals that change nothing."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.backup import BackupError, backup_to, restore_from
from app.extensions import db
from devtools.demo import seed_demo
from tests.test_migrations import blank_url, new_database  # noqa: F401 - blank_url: a fixture


def _tables() -> dict[str, list[tuple]]:
    """Every row of every table, ordered, as plain tuples (the comparison of the round trip)."""
    rows = {}
    for table in db.metadata.sorted_tables:
        ordered = select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(r) for r in db.session.execute(ordered)]
    return rows


def _documents(app: Flask) -> dict[str, bytes]:
    folder = Path(app.instance_path) / "documents"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _app(url: str, instance: Path) -> Flask:
    return create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url}, instance_path=str(instance))


@pytest.fixture
def source(blank_url: str, tmp_path: Path) -> Iterator[Flask]:  # noqa: F811
    """A database with the demo data and two documents, its app context pushed."""
    application = _app(blank_url, tmp_path / "source")
    with application.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        folder = Path(application.instance_path) / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ("0" * 32 + ".pdf")).write_bytes(b"%PDF-1.4 surat")
        (folder / ("1" * 32 + ".png")).write_bytes(b"\x89PNG\r\n\x1a\n gambar")
        yield application
        db.session.remove()
        db.engine.dispose()


def test_a_backup_restored_into_an_empty_database_gives_back_every_row_and_document(source, tmp_path):
    archive = tmp_path / "pantau.tar.gz"
    summary = backup_to(archive)
    assert summary.documents == 2 and summary.revision
    before_rows, before_docs = _tables(), _documents(source)
    assert len(before_rows["permit_event"]) > 100
    with new_database(tmp_path) as target_url:
        target = _app(target_url, tmp_path / "target")
        with target.app_context():
            restore_from(archive)  # into an empty database: no --force needed
            db.session.remove()
            assert _tables() == before_rows
            assert _documents(target) == before_docs
            db.session.remove()
            db.engine.dispose()


def test_a_restore_over_data_is_refused_without_force_and_changes_nothing(source, tmp_path):
    archive = tmp_path / "pantau.tar.gz"
    backup_to(archive)
    before = _tables()
    with pytest.raises(BackupError, match="--force"):
        restore_from(archive)
    assert _tables() == before
    restore_from(archive, force=True)
    db.session.remove()
    assert _tables() == before


def test_a_damaged_archive_is_refused_before_anything_changes(source, tmp_path):
    archive = tmp_path / "pantau.tar.gz"
    backup_to(archive)
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    name = next(n for n in members if n.startswith("documents/"))
    members[name] = b"tampered"
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as tar:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    before = _tables()
    with pytest.raises(BackupError, match="checksum"):
        restore_from(damaged, force=True)
    assert _tables() == before
    manifest = json.loads(members["manifest.json"])
    assert manifest["engine"] == db.engine.dialect.name and manifest["format"] == "pantau-backup/1"


def test_the_commands_say_what_they_did(source, tmp_path):
    runner = source.test_cli_runner()
    archive = tmp_path / "cli.tar.gz"
    result = runner.invoke(args=["backup", "--out", str(archive)])
    assert result.exit_code == 0 and "2 document(s)" in result.output
    again = runner.invoke(args=["backup", "--out", str(archive)])
    assert again.exit_code != 0 and "exists already" in again.output
    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0 and "--force" in refused.output
