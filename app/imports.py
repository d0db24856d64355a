"""Importing rows from a CSV or XLSX file: one checked, all-or-nothing, idempotent path that records its source.

A package that imports something (LKPM reports, layoff records, later OSS permits or a live feed) describes its
columns and writes an ``Importer``: ``check`` reads every row, collects what is wrong with each and plans what it
would write, without writing; ``apply`` writes the plans. ``import_file`` runs them in that order:

1. the file is received (at most ``IMPORT_MAX_BYTES``, 20 MB by default) and read: CSV (UTF-8, comma, semicolon
   or tab) or XLSX (the first sheet), with a header row naming exactly the known columns;
2. every row is checked, and every error is kept with its row number, column and message (in the interface
   language: Indonesian by default);
3. only when no row is wrong, something would change and it is not a dry run: an ``ImportBatch`` records the
   file (name, SHA-256, size), who sent it and when, and the plans are applied. Nothing commits here: the caller
   (the request, or the command) commits once, so a good file is applied in one transaction and a refused one
   changes nothing. Each plan compares with what is stored, so the same file twice changes nothing the second
   time (and leaves no second batch).

Refusals of the file as a whole (too large, not CSV or XLSX, wrong columns) raise ``ImportRefused``.
"""

from __future__ import annotations

import enum
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import BinaryIO, Protocol, TypeVar

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.formatting import number, rupiah
from app.models import ImportBatch
from app.numbers import MAX_RUPIAH, NumberFormatError, parse_number
from app.spreadsheets import UnreadableFile, csv_bytes, lines, xlsx_bytes

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000  # far above a year of Banten's LKPM; a larger file is a mistake or should be split
MAX_LISTED_ERRORS = 500  # the report lists these and counts the rest


class ImportRefused(ValueError):
    """The file as a whole cannot be imported (too large, unreadable, wrong columns); ``str()`` says why."""


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Columns:
    """The header a file must have: every ``required`` column, any ``optional`` one, nothing else."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True)
class Row:
    """One data row: ``number`` is its line in the spreadsheet (the header is line 1)."""

    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()

    def has(self, column: str) -> bool:
        """Whether the file has this column: an optional column absent from the file leaves stored values alone."""
        return column in self.values


@dataclass(frozen=True)
class SourceFile:
    filename: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    value: str
    message: str


class RowErrors:
    """The errors found in a file, in row order as they are added; the first ``MAX_LISTED_ERRORS`` are kept."""

    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.count = 0

    def add(self, row: Row, column: str | None, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_LISTED_ERRORS:
            value = row.get(column) if column else ""
            self.items.append(RowError(row.number, column, value[:80], str(message)))

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass
class ImportReport:
    """What a check or an import found and did. ``applied``: the changes were written (not yet committed)."""

    kind: str
    filename: str
    rows_checked: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    applied: bool = False
    batch_id: int | None = None
    previous: ImportBatch | None = None  # the last batch of the same file, when this one changes nothing

    @property
    def refused(self) -> bool:
        return self.error_count > 0

    @property
    def changes(self) -> int:
        return self.created + self.updated

    @property
    def unlisted_errors(self) -> int:
        return self.error_count - len(self.errors)


@dataclass(frozen=True)
class Actor:
    """Who imports: a signed-in user, or the command line (``user_id`` None)."""

    name: str
    user_id: int | None = None


class Plan(Protocol):
    action: Action


P = TypeVar("P", bound=Plan)


class Importer(Protocol[P]):
    kind: str
    columns: Columns

    def check(self, rows: Sequence[Row], errors: RowErrors) -> list[P]:
        """Check every row (adding each problem to ``errors``) and plan the writes; write nothing."""
        ...

    def apply(self, plans: Sequence[P], batch: ImportBatch) -> None:
        """Write the plans that change something, marking the rows with ``batch``; flush, never commit."""
        ...


# --- receiving and reading ---------------------------------------------------------------------------------


def max_import_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def megabytes(num_bytes: int) -> str:
    return _("%(num)s MB", num=round(num_bytes / (1024 * 1024)))


def receive(filename: str | None, stream: BinaryIO, max_bytes: int | None = None) -> SourceFile:
    """Read an uploaded file (at most ``max_bytes``); raises ``ImportRefused`` when it is empty or too large."""
    limit = max_import_bytes() if max_bytes is None else max_bytes
    content = stream.read(limit + 1)
    if len(content) > limit:
        size = megabytes(limit)
        raise ImportRefused(
            _("The file is larger than %(max)s: nothing was imported. Split it into smaller files.", max=size)
        )
    if not content.strip():
        raise ImportRefused(_("The file is empty."))
    name = PurePath((filename or "").replace("\\", "/")).name.strip()[:255] or "upload"
    return SourceFile(name, content, hashlib.sha256(content).hexdigest())


def _column_name(value: object) -> str:
    return str(value or "").replace("\ufeff", "").strip().lower().replace(" ", "_").replace("-", "_")


def _header(cells: list[str], columns: Columns) -> list[str]:
    names = [_column_name(cell) for cell in cells]
    while names and not names[-1]:
        names.pop()
    expected = _("The file needs the columns %(required)s, and may have %(optional)s.", **_column_lists(columns))
    if not names:
        raise ImportRefused(_("The first row must name the columns.") + " " + expected)
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ImportRefused(_("Columns named twice: %(names)s.", names=", ".join(duplicated)) + " " + expected)
    unknown = [name or _("(blank)") for name in names if name not in columns.all]
    missing = [name for name in columns.required if name not in names]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("Missing columns: %(names)s.", names=", ".join(missing)))
        if unknown:
            parts.append(_("Unknown columns: %(names)s.", names=", ".join(unknown)))
        raise ImportRefused(" ".join([*parts, expected, _("Start from the template on the import page.")]))
    return names


def _column_lists(columns: Columns) -> dict[str, str]:
    return {"required": ", ".join(columns.required), "optional": ", ".join(columns.optional) or "—"}


def read_rows(source: SourceFile, columns: Columns, errors: RowErrors) -> list[Row]:
    """The data rows under the header (blank rows skipped); a row with values beyond the header is an error.

    Raises ``ImportRefused`` for a file that is not CSV or XLSX, a wrong header, or more than ``MAX_ROWS`` rows.
    """
    try:
        return _read_rows(source, columns, errors)
    except UnreadableFile as exc:
        raise ImportRefused(str(exc)) from None


def _read_rows(source: SourceFile, columns: Columns, errors: RowErrors) -> list[Row]:
    header: list[str] | None = None
    rows: list[Row] = []
    for line_number, cells in enumerate(lines(source.filename, source.content), start=1):
        if header is None:
            if any(str(cell).strip() for cell in cells):
                header = _header(cells, columns)
            continue
        if not any(str(cell).strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(
                _("The file has more than %(max)s rows: split it into smaller files.", max=number(MAX_ROWS))
            )
        row = Row(line_number, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)})
        if any(str(cell).strip() for cell in cells[len(header) :]):
            errors.add(row, None, _("This row has more values than the header has columns."))
        rows.append(row)
    if header is None:
        raise ImportRefused(_("The file is empty."))
    return rows


# --- the one import path -----------------------------------------------------------------------------------


def previous_batch(kind: str, sha256: str) -> ImportBatch | None:
    query = select(ImportBatch).where(ImportBatch.kind == kind, ImportBatch.sha256 == sha256)
    return db.session.scalars(query.order_by(ImportBatch.imported_at.desc(), ImportBatch.id.desc()).limit(1)).first()


def import_file(importer: Importer, source: SourceFile, *, actor: Actor, dry_run: bool = False) -> ImportReport:
    """Check the whole file, then (not a dry run, no error, something to change) record the batch and apply.

    Returns the report; raises ``ImportRefused`` for a file that cannot be read or has the wrong columns. Writes
    nothing unless the report says ``applied``; flushes, never commits.
    """
    errors = RowErrors()
    rows = read_rows(source, importer.columns, errors)
    plans = importer.check(rows, errors)
    report = ImportReport(importer.kind, source.filename, rows_checked=len(rows), dry_run=dry_run)
    report.errors, report.error_count = errors.items, errors.count
    if errors:
        return report
    counts = Counter(plan.action for plan in plans)
    report.created, report.updated = counts[Action.CREATE], counts[Action.UPDATE]
    report.unchanged = counts[Action.UNCHANGED]
    if dry_run:
        return report
    if not report.changes:
        report.previous = previous_batch(importer.kind, source.sha256)
        return report
    batch = ImportBatch(
        kind=importer.kind,
        filename=source.filename,
        sha256=source.sha256,
        size_bytes=source.size,
        rows=len(rows),
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        imported_by_id=actor.user_id,
        imported_by=actor.name[:120],
    )
    db.session.add(batch)
    db.session.flush()
    importer.apply([plan for plan in plans if plan.action is not Action.UNCHANGED], batch)
    db.session.flush()
    report.applied, report.batch_id = True, batch.id
    return report


def recent_batches(kind: str, limit: int = 10) -> list[ImportBatch]:
    query = select(ImportBatch).where(ImportBatch.kind == kind)
    return list(db.session.scalars(query.order_by(ImportBatch.imported_at.desc(), ImportBatch.id.desc()).limit(limit)))


# --- reading cells ---------------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; ``str()`` is the message for the report."""


def read_rupiah(text: str, maximum: int = MAX_RUPIAH) -> Decimal:
    """Whole rupiah: ``650000000000``, ``650.000.000.000``, ``Rp650.000.000.000`` or ``650 miliar``."""
    try:
        value = parse_number(text, ambiguous="thousands", currency=True)
    except NumberFormatError as exc:
        raise CellError(str(exc)) from None
    if value < 0:
        raise CellError(_("An amount cannot be negative."))
    if value != value.to_integral_value():
        raise CellError(_("Whole rupiah only: no fractions of a rupiah."))
    if value > maximum:
        raise CellError(_("At most %(max)s.", max=rupiah(maximum)))
    return Decimal(int(value))


def read_count(text: str, maximum: int = 10_000_000) -> int:
    """A whole number of people or things, 0 or more: ``1500``, ``1.500`` or ``1,500``."""
    try:
        value = parse_number(text, ambiguous="thousands")
    except NumberFormatError as exc:
        raise CellError(str(exc)) from None
    if value < 0:
        raise CellError(_("Cannot be negative."))
    if value != value.to_integral_value():
        raise CellError(_("Whole numbers only."))
    if value > maximum:
        raise CellError(_("At most %(max)s.", max=number(maximum)))
    return int(value)


def read_iso_date(text: str) -> date:
    """A date written ``YYYY-MM-DD`` (an Excel date cell reads so too)."""
    text = text.strip()
    if len(text) == 19 and text[10] == "T":  # an Excel date and time: the date is what counts
        text = text[:10]
    try:
        if len(text) != 10 or text[4] != "-":
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise CellError(_("Write the date as YYYY-MM-DD, for example 2026-07-14.")) from None


# --- templates ---------------------------------------------------------------------------------------------


def template_csv(columns: Columns, examples: Iterable[Sequence[object]]) -> bytes:
    """The columns and example rows as a CSV to fill in."""
    return csv_bytes(columns.all, examples)


def template_xlsx(columns: Columns, examples: Iterable[Sequence[object]], sheet_title: str) -> bytes:
    """The columns and example rows as an XLSX workbook to fill in."""
    return xlsx_bytes(columns.all, examples, sheet_title)
