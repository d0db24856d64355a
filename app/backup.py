"""Backups: the database and the uploaded documents in one archive, with a manifest of checksums.

``backup_to(path)`` writes a gzipped tar holding ``manifest.json``, the database (SQLite: a consistent copy
made with SQLite's online backup API, safe while the app runs; PostgreSQL: ``pg_dump`` in its custom format)
and every file under ``instance/documents``. The manifest names the engine, the schema revision, when the
archive was made, and the size and SHA-256 of every member.

``restore_from(path, force=False)`` checks every checksum before touching anything, refuses an archive of
another engine, and refuses to restore over a database that holds data unless ``force`` is given; then it
replaces the database (SQLite's backup API again, or ``pg_restore --clean``) and the documents folder.
Neither function is a Flask view: the commands ``flask backup`` and ``flask restore`` call them.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from app.extensions import db

FORMAT = "pantau-backup/1"
MANIFEST = "manifest.json"
DATA_TABLES = ("user_account", "investor", "estate", "permit")  # any row here: the database holds data


class BackupError(RuntimeError):
    """A backup or a restore refused or failed; ``str()`` says why. A refused restore changed nothing."""


@dataclass(frozen=True)
class Summary:
    engine: str
    revision: str | None
    documents: int
    size_bytes: int


def _engine() -> str:
    return db.engine.dialect.name


def _documents_dir() -> Path:
    return Path(current_app.instance_path) / "documents"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _libpq_url() -> str:
    """The database URL as ``pg_dump`` and ``pg_restore`` read it (no SQLAlchemy driver name)."""
    return (
        make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def _revision() -> str | None:
    with db.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.scalar(text("SELECT version_num FROM alembic_version"))


def _dump_database() -> tuple[str, bytes]:
    if _engine() == "sqlite":
        source = sqlite3.connect(make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database)
        with tempfile.TemporaryDirectory() as tmp:
            copy_path = Path(tmp) / "database.sqlite3"
            target = sqlite3.connect(copy_path)
            try:
                source.backup(target)  # a consistent copy, even while others write
            finally:
                target.close()
                source.close()
            return "database.sqlite3", copy_path.read_bytes()
    result = subprocess.run(  # noqa: S603 - fixed program, URL from the app's own configuration
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--dbname={_libpq_url()}"],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.decode(errors='replace').strip()}")
    return "database.pgdump", result.stdout


def backup_to(out: Path) -> Summary:
    """Write the archive to ``out`` (a new file); returns what it holds. Raises ``BackupError``."""
    db.session.remove()  # nothing of this process stays open inside the copy
    db_name, db_bytes = _dump_database()
    members: list[tuple[str, bytes]] = [(db_name, db_bytes)]
    folder = _documents_dir()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            members.append((f"documents/{path.relative_to(folder).as_posix()}", path.read_bytes()))
    manifest = {
        "format": FORMAT,
        "engine": _engine(),
        "revision": _revision(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {name: {"size": len(data), "sha256": _sha256(data)} for name, data in members},
    }
    partial = out.with_name(out.name + ".partial")
    with tarfile.open(partial, "w:gz") as archive:
        for name, data in [(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode()), *members]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(data))
    partial.replace(out)  # a crash mid-write leaves no archive that looks complete
    return Summary(_engine(), manifest["revision"], len(members) - 1, out.stat().st_size)


def _read_archive(path: Path) -> tuple[dict, dict[str, bytes]]:
    """The manifest and the members of a checked archive. Raises ``BackupError`` on any mismatch."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}
    except (OSError, tarfile.TarError, EOFError) as error:
        raise BackupError(f"not a readable backup archive: {error}") from error
    try:
        manifest = json.loads(members.pop(MANIFEST))
    except (KeyError, ValueError) as error:
        raise BackupError("the archive has no readable manifest") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    files = manifest.get("files", {})
    if set(files) != set(members):
        raise BackupError("the archive's files do not match its manifest")
    for name, data in members.items():
        if files[name].get("sha256") != _sha256(data) or files[name].get("size") != len(data):
            raise BackupError(f"checksum mismatch for {name}: the archive is damaged")
    for name in members:
        if name.startswith("/") or ".." in Path(name).parts:
            raise BackupError(f"unsafe path in the archive: {name}")
    return manifest, members


def holds_data() -> bool:
    """Whether the target database already holds records (a restore over it needs ``force``)."""
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        return any(conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in DATA_TABLES if t in tables)  # noqa: S608


def restore_from(path: Path, *, force: bool = False) -> Summary:
    """Replace the database and the documents with the archive's. Raises ``BackupError`` (nothing changed)."""
    manifest, members = _read_archive(path)
    if manifest["engine"] != _engine():
        raise BackupError(f"this archive is of a {manifest['engine']} database; this app runs on {_engine()}")
    db.session.remove()
    if holds_data() and not force:
        raise BackupError("the database already holds data: restore over it only with --force")
    db.engine.dispose()
    if _engine() == "sqlite":
        _restore_sqlite(members["database.sqlite3"])
    else:
        _restore_postgres(members["database.pgdump"])
    _restore_documents({n.removeprefix("documents/"): d for n, d in members.items() if n.startswith("documents/")})
    return Summary(manifest["engine"], manifest.get("revision"), len(members) - 1, path.stat().st_size)


def _restore_sqlite(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy_path = Path(tmp) / "restore.sqlite3"
        copy_path.write_bytes(data)
        source = sqlite3.connect(copy_path)
        target = sqlite3.connect(make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database)
        try:
            source.backup(target)  # page by page, in one transaction of the target
        finally:
            target.close()
            source.close()


def _restore_postgres(data: bytes) -> None:
    with tempfile.NamedTemporaryFile(suffix=".pgdump") as dump:
        dump.write(data)
        dump.flush()
        result = subprocess.run(  # noqa: S603 - fixed program, URL from the app's own configuration
            [  # noqa: S607
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={_libpq_url()}",
                dump.name,
            ],
            capture_output=True,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.decode(errors='replace').strip()}")


def _restore_documents(files: dict[str, bytes]) -> None:
    """Put the archive's documents in place of the folder's, through a sibling folder swapped in at the end."""
    folder = _documents_dir()
    staging = folder.with_name("documents.restoring")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, data in files.items():
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    old = folder.with_name("documents.replaced")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
