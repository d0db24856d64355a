"""Importing LKPM reports from a CSV or XLSX file through ``app.imports`` (checked whole, all or nothing, idempotent).

Columns (the import page offers a template; the README documents them):

- required: ``nib`` (13 digits), ``periode`` (``2026-Q2`` or ``2026-S1``, as the investor files),
  ``investasi_rp`` (realised investment in the period, whole rupiah), ``tki`` and ``tka`` (Indonesian and foreign
  workers), ``status`` (the OSS word: Draf, Terkirim, Perlu Perbaikan, Sudah Diperbaiki, Disetujui),
  ``dilaporkan_pada`` (the date reported, ``YYYY-MM-DD``);
- optional: ``kawasan`` (the estate's name as recorded in Pantau; empty: the company-wide report),
  ``modal_tetap_rp`` and ``modal_kerja_rp`` (the fixed and working capital split), ``produksi`` (production notes),
  ``kendala`` (obstacles). An optional column left out of the file leaves what Pantau holds as it is.

A row is one report, keyed by NIB, kawasan and period: a new key is recorded, a known one with other values is
corrected (the replaced values go to the history, with the file as the reason), a known one with the same values
is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.imports import Action, CellError, Columns, Row, RowErrors, read_count, read_iso_date, read_rupiah
from app.models import ImportBatch
from app.security import Scope
from app.timezone import today_wib
from estates.models import Estate, Investor
from realisation.models import LkpmEntry, LkpmStatus
from realisation.periods import Period
from realisation.services import (
    EntryValues,
    correct_entry,
    create_entry,
    differs,
    estate_problems,
    period_problems,
    value_problems,
)

COLUMNS = Columns(
    required=("nib", "periode", "investasi_rp", "tki", "tka", "status", "dilaporkan_pada"),
    optional=("kawasan", "modal_tetap_rp", "modal_kerja_rp", "produksi", "kendala"),
)
FIELD_COLUMNS = {
    "period": "periode",
    "estate_id": "kawasan",
    "investment_rp": "investasi_rp",
    "fixed_capital_rp": "modal_tetap_rp",
    "working_capital_rp": "modal_kerja_rp",
    "tki": "tki",
    "tka": "tka",
    "status": "status",
    "reported_on": "dilaporkan_pada",
    "production_notes": "produksi",
    "obstacles": "kendala",
}
OPTIONAL_VALUES = {  # optional column -> the value it fills
    "modal_tetap_rp": "fixed_capital_rp",
    "modal_kerja_rp": "working_capital_rp",
    "produksi": "production_notes",
    "kendala": "obstacles",
}
EXAMPLES = (
    ("9120001234567", "2026-Q2", "12500000000", "350", "4", "Terkirim", "2026-07-14", "Kawasan Industri Contoh",
     "10000000000", "2500000000", "Pembangunan jalan kawasan", ""),
    ("9120007654321", "2026-S1", "850000000", "25", "0", "Disetujui", "2026-07-10", "", "", "", "", ""),
)  # fmt: skip
CHUNK = 500


def status_of(text: str) -> LkpmStatus:
    """The OSS status word in any case (``Perlu Perbaikan``, ``perlu_perbaikan``)."""
    key = "_".join(text.strip().lower().replace("_", " ").split())
    try:
        return LkpmStatus(key)
    except ValueError:
        words = "Draf, Terkirim, Perlu Perbaikan, Sudah Diperbaiki, Disetujui"
        raise CellError(_("Unknown status: write one of %(words)s.", words=words)) from None


@dataclass(frozen=True)
class LkpmPlan:
    action: Action
    row: int
    investor: Investor
    estate: Estate | None
    period: Period
    values: EntryValues
    entry: LkpmEntry | None


class LkpmImporter:
    """``app.imports.Importer`` for LKPM reports, on behalf of ``scope`` (an officer of one kab/kota may import the
    reports of estates in it only)."""

    kind = "lkpm"
    columns = COLUMNS

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    # --- checking --------------------------------------------------------------------------------------

    def check(self, rows: Sequence[Row], errors: RowErrors) -> list[LkpmPlan]:
        investors = self._investors({_digits(row.get("nib")) for row in rows})
        estates = self._estates([investor.id for investor in investors.values()])
        entries = self._entries([investor.id for investor in investors.values()])
        today = today_wib()
        seen: dict[tuple, int] = {}
        plans = []
        for row in rows:
            plan = self._check_row(row, errors, investors, estates, entries, today)
            if plan is None:
                continue
            key = (plan.investor.id, plan.estate.id if plan.estate else None, str(plan.period))
            if key in seen:
                errors.add(
                    row, "periode", _("The same report as row %(row)s (same NIB, kawasan and periode).", row=seen[key])
                )
                continue
            seen[key] = row.number
            plans.append(plan)
        return plans

    def _check_row(self, row, errors, investors, estates, entries, today) -> LkpmPlan | None:
        nib = _digits(row.get("nib"))
        investor = investors.get(nib)
        if investor is None:
            if len(nib) != 13:
                errors.add(row, "nib", _("A NIB has 13 digits."))
            else:
                errors.add(row, "nib", _("No investor with this NIB is recorded in Pantau."))
            return None
        estate = None
        if row.get("kawasan"):
            estate = estates.get((investor.id, row.get("kawasan").casefold()))
            if estate is None:
                errors.add(
                    row, "kawasan", _("%(name)s has no estate of this name in Pantau.", name=investor.legal_name)
                )
                return None
        period, problems = period_problems(investor, row.get("periode"), today)
        problems += estate_problems(investor, estate, self.scope)
        entry = entries.get((investor.id, estate.id if estate else None, str(period))) if period else None
        values = self._values(row, errors)
        if values is not None:
            values = _keep_absent(row, values, entry)
            problems += value_problems(values, period, today)
        for problem in problems:
            errors.add(row, FIELD_COLUMNS.get(problem.field or ""), problem.message)
        if problems or values is None or period is None:
            return None
        action = Action.CREATE if entry is None else Action.UPDATE if differs(entry, values) else Action.UNCHANGED
        return LkpmPlan(action, row.number, investor, estate, period, values, entry)

    def _values(self, row: Row, errors: RowErrors) -> EntryValues | None:
        readers = {
            "investasi_rp": read_rupiah,
            "modal_tetap_rp": read_rupiah,
            "modal_kerja_rp": read_rupiah,
            "tki": read_count,
            "tka": read_count,
            "status": status_of,
            "dilaporkan_pada": read_iso_date,
        }
        read: dict[str, object] = {}
        failed = False
        for column, reader in readers.items():
            text = row.get(column)
            if not text:
                if column in COLUMNS.required:
                    errors.add(row, column, _("This field is required."))
                    failed = True
                read[column] = None
                continue
            try:
                read[column] = reader(text)
            except CellError as exc:
                errors.add(row, column, str(exc))
                failed = True
        if failed:
            return None
        return EntryValues(
            investment_rp=read["investasi_rp"],
            tki=read["tki"],
            tka=read["tka"],
            status=read["status"],
            reported_on=read["dilaporkan_pada"],
            fixed_capital_rp=read["modal_tetap_rp"],
            working_capital_rp=read["modal_kerja_rp"],
            production_notes=row.get("produksi") or None,
            obstacles=row.get("kendala") or None,
        )

    # --- look-ups, a few queries for the whole file ---------------------------------------------------

    def _investors(self, nibs: set[str]) -> dict[str, Investor]:
        found: dict[str, Investor] = {}
        wanted = sorted(nib for nib in nibs if len(nib) == 13)
        for start in range(0, len(wanted), CHUNK):
            query = select(Investor).where(Investor.nib.in_(wanted[start : start + CHUNK]))
            found.update({investor.nib: investor for investor in db_scalars(query)})
        return found

    def _estates(self, investor_ids: list[int]) -> dict[tuple[int, str], Estate]:
        found = {}
        for start in range(0, len(investor_ids), CHUNK):
            query = select(Estate).where(Estate.investor_id.in_(investor_ids[start : start + CHUNK]))
            found.update({(estate.investor_id, estate.name.casefold()): estate for estate in db_scalars(query)})
        return found

    def _entries(self, investor_ids: list[int]) -> dict[tuple, LkpmEntry]:
        found = {}
        for start in range(0, len(investor_ids), CHUNK):
            query = select(LkpmEntry).where(LkpmEntry.investor_id.in_(investor_ids[start : start + CHUNK]))
            found.update({(e.investor_id, e.estate_id, e.period): e for e in db_scalars(query)})
        return found

    # --- applying --------------------------------------------------------------------------------------

    def apply(self, plans: Sequence[LkpmPlan], batch: ImportBatch) -> None:
        reason = _("Import of %(file)s", file=batch.filename)
        actor = batch.imported_by
        for plan in plans:
            if plan.entry is None:
                period = str(plan.period)
                create_entry(
                    plan.investor, plan.estate, period, plan.values, scope=self.scope, actor=actor, batch=batch
                )
            else:
                correct_entry(plan.entry, plan.values, scope=self.scope, actor=actor, reason=reason, batch=batch)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit()) if text else ""


def _keep_absent(row: Row, values: EntryValues, entry: LkpmEntry | None) -> EntryValues:
    """An optional column missing from the file keeps the stored value of a known report."""
    if entry is None:
        return values
    kept = {field: getattr(entry, field) for column, field in OPTIONAL_VALUES.items() if not row.has(column)}
    return replace(values, **kept) if kept else values


def db_scalars(query):
    return db.session.scalars(query)
