"""Downloads of a stored run: the long CSV (``reading.CSV_COLUMNS`` first) and an XLSX workbook with sheets for the
forecast (the same rows as the CSV), the jobs held back, the skills and the assumptions."""

from __future__ import annotations

import io
from collections.abc import Sequence

from app.security import Scope
from app.spreadsheets import cell_text, csv_bytes
from forecast import reading
from forecast.inputs import rows_from_json
from forecast.models import ForecastRun

HELD_COLUMNS = ("agency", "permit_type", "job_quarters", "investment_rp", "permit_ids", "estates")
SKILL_COLUMNS = ("quarter", "phase", "skill", "central")
INPUT_COLUMNS = ("key", "group", "zone_kind", "phase", "skill", "kbli_section", "year", "low", "value", "high", "unit",
                 "source", "source_kind", "source_year")  # fmt: skip


def forecast_csv(run: ForecastRun, filters: reading.Filters, scope: Scope) -> bytes:
    return csv_bytes(reading.CSV_COLUMNS, reading.export_rows(run, filters, scope))


def _held_rows(run: ForecastRun, filters: reading.Filters, scope: Scope) -> list[list[object]]:
    return [
        [
            line.agency_name,
            line.permit_type,
            line.job_quarters,
            line.investment_rp,
            " ".join(str(i) for i in line.permit_ids),
            "; ".join(sorted(set(line.estates))),
        ]
        for line in reading.held_lines(run, filters, scope, every_permit=True)
    ]


def _skill_rows(run: ForecastRun, filters: reading.Filters, scope: Scope) -> list[list[object]]:
    demand = reading.skills(run, filters, scope)
    return [[q, p, s, int(v.to_integral_value())] for (q, p, s), v in sorted(demand.items())]


def _input_rows(run: ForecastRun) -> list[list[object]]:
    return [[getattr(r, c) for c in INPUT_COLUMNS] for r in rows_from_json(run.inputs)]


def _sheet(book, title: str, header: Sequence[str], rows: list[list[object]]) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:  # whole numbers stay numbers; everything else is text as in the CSV
        sheet.append([v if isinstance(v, int) and not isinstance(v, bool) else cell_text(v) for v in row])


def forecast_xlsx(run: ForecastRun, filters: reading.Filters, scope: Scope) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    _sheet(book, "forecast", reading.CSV_COLUMNS, reading.export_rows(run, filters, scope))
    _sheet(book, "held_back", HELD_COLUMNS, _held_rows(run, filters, scope))
    _sheet(book, "skills", SKILL_COLUMNS, _skill_rows(run, filters, scope))
    _sheet(book, "assumptions", INPUT_COLUMNS, _input_rows(run))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
