"""Importing layoff (PHK) records from a CSV or XLSX file through ``app.imports``, like the LKPM import.

Columns: required ``kabkota`` (the BPS code, ``36.73``, or the name, ``Kota Serang``), ``periode`` (a quarter,
``2026-Q1``), ``kbli`` (the KBLI 2020 section, one letter A to U), ``jumlah_pekerja`` (workers laid off),
``sumber`` (the source: the manpower office's release, a news report) and ``tanggal_sumber`` (its date,
``YYYY-MM-DD``); optional ``tautan_sumber`` (a link) and ``catatan`` (notes). A row is keyed by kab/kota, quarter,
section, source and source date: a new key is recorded, a known one with another count, link or note corrected,
a known one with the same values left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.imports import Action, CellError, Columns, Row, RowErrors, read_count, read_iso_date
from app.models import ImportBatch, Region
from app.security import Scope
from realisation.layoffs.models import LayoffRecord
from realisation.layoffs.services import VALUES, LayoffFields, create_layoff, layoff_problems, update_layoff
from realisation.periods import Period, PeriodKind

COLUMNS = Columns(
    required=("kabkota", "periode", "kbli", "jumlah_pekerja", "sumber", "tanggal_sumber"),
    optional=("tautan_sumber", "catatan"),
)
FIELD_COLUMNS = {
    "region_id": "kabkota",
    "period": "periode",
    "kbli_section": "kbli",
    "workers": "jumlah_pekerja",
    "source": "sumber",
    "source_date": "tanggal_sumber",
    "source_url": "tautan_sumber",
    "notes": "catatan",
}
EXAMPLES = (
    ("36.03", "2026-Q1", "C", "1250", "Disnakertrans Provinsi Banten, rilis PHK triwulan I", "2026-04-20", "", ""),
    ("Kota Serang", "2026-Q1", "G", "80", "Berita: contoh media daring", "2026-04-02", "https://contoh.id/berita", ""),
)


@dataclass(frozen=True)
class LayoffPlan:
    action: Action
    row: int
    data: LayoffFields
    record: LayoffRecord | None


def _region_key(text: str) -> str:
    return " ".join(text.replace(".", "").casefold().split())


class LayoffImporter:
    """``app.imports.Importer`` for layoff records, on behalf of ``scope``."""

    kind = "layoffs"
    columns = COLUMNS

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def check(self, rows: Sequence[Row], errors: RowErrors) -> list[LayoffPlan]:
        regions = {}
        for region in db.session.scalars(select(Region)):
            regions[_region_key(region.bps_code)] = region
            regions[_region_key(region.name)] = region
        records = {_key_of(r): r for r in db.session.scalars(select(LayoffRecord))}
        seen: dict[tuple, int] = {}
        plans = []
        for row in rows:
            data = self._fields(row, errors, regions)
            if data is None:
                continue
            problems = layoff_problems(data, self.scope)
            for problem in problems:
                errors.add(row, FIELD_COLUMNS.get(problem.field or ""), problem.message)
            if problems:
                continue
            key = _key_of(data)
            if key in seen:
                errors.add(
                    row,
                    "sumber",
                    _(
                        "The same record as row %(row)s (same kab/kota, quarter, sector, source and date).",
                        row=seen[key],
                    ),
                )
                continue
            seen[key] = row.number
            record = records.get(key)
            if record is not None:
                kept = {
                    name: getattr(record, name)
                    for name, column in (("source_url", "tautan_sumber"), ("notes", "catatan"))
                    if not row.has(column)
                }
                data = replace(data, **kept)
            action = _action(record, data)
            plans.append(LayoffPlan(action, row.number, data, record))
        return plans

    def _fields(self, row: Row, errors: RowErrors, regions: dict[str, Region]) -> LayoffFields | None:
        failed = False
        for column in COLUMNS.required:
            if not row.get(column):
                errors.add(row, column, _("This field is required."))
                failed = True
        if failed:
            return None
        region = regions.get(_region_key(row.get("kabkota")))
        if region is None:
            errors.add(row, "kabkota", _("Not a kabupaten/kota of Banten: write its BPS code (36.73) or its name."))
            failed = True
        values = {}
        for column, reader in (("jumlah_pekerja", read_count), ("tanggal_sumber", read_iso_date)):
            try:
                values[column] = reader(row.get(column))
            except CellError as exc:
                errors.add(row, column, str(exc))
                failed = True
        if failed:
            return None
        section = row.get("kbli").upper()
        return LayoffFields(
            region_id=region.id,
            period=row.get("periode"),
            kbli_section=section[0] if len(section) > 1 and not section[1].isalpha() else section,
            workers=values["jumlah_pekerja"],
            source=row.get("sumber"),
            source_date=values["tanggal_sumber"],
            source_url=row.get("tautan_sumber") or None,
            notes=row.get("catatan") or None,
        )

    def apply(self, plans: Sequence[LayoffPlan], batch: ImportBatch) -> None:
        for plan in plans:
            if plan.record is None:
                create_layoff(plan.data, scope=self.scope, actor=batch.imported_by, batch=batch)
            else:
                update_layoff(plan.record, plan.data, scope=self.scope, actor=batch.imported_by, batch=batch)


def _key_of(item: LayoffFields | LayoffRecord) -> tuple:
    period = (
        item.period if isinstance(item, LayoffRecord) else str(Period.parse(item.period, kinds=(PeriodKind.QUARTER,)))
    )
    return (item.region_id, period, item.kbli_section, item.source.strip(), item.source_date)


def _action(record: LayoffRecord | None, data: LayoffFields) -> Action:
    if record is None:
        return Action.CREATE
    if any(getattr(record, name) != getattr(data, name) for name in VALUES):
        return Action.UPDATE
    return Action.UNCHANGED
