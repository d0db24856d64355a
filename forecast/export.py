"""Downloads of a stored run: the long CSV (``CSV_COLUMNS`` first) and an XLSX workbook with sheets for the
forecast (the same rows as the CSV), the jobs held back, the skills and the assumptions."""

from __future__ import annotations

import io
from collections.abc import Sequence

from app.security import Scope
from app.spreadsheets import cell_text, csv_bytes
from forecast import reading
from forecast.inputs import rows_from_json
from forecast.models import ForecastRun, ForecastZone

CSV_COLUMNS = (  # the long, tidy table's first columns: issue 10's, in its order
    "quarter",
    "kab_kota",
    "investor",
    "estate",
    "zone_kind",
    "phase",
    "low",
    "central",
    "high",
    "zone",
    "area_ha",
    "basis",
    "commitment_jobs",
    "prior_jobs",
    "claim_jobs_not_used",
    "operating_low",
    "operating_central",
    "operating_high",
    "waits_for",
    "capital_status",
    "as_of",
)


HELD_COLUMNS = ("agency", "permit_type", "job_quarters", "investment_rp", "permit_ids", "estates")
SKILL_COLUMNS = ("quarter", "phase", "skill", "central")
INPUT_COLUMNS = ("key", "group", "zone_kind", "phase", "skill", "kbli_section", "year", "low", "value", "high", "unit",
                 "source", "source_kind", "source_year")  # fmt: skip


def forecast_csv(run: ForecastRun, filters: reading.Filters, scope: Scope) -> bytes:
    return csv_bytes(CSV_COLUMNS, export_rows(run, filters, scope))


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
    _sheet(book, "forecast", CSV_COLUMNS, export_rows(run, filters, scope))
    _sheet(book, "held_back", HELD_COLUMNS, _held_rows(run, filters, scope))
    _sheet(book, "skills", SKILL_COLUMNS, _skill_rows(run, filters, scope))
    _sheet(book, "assumptions", INPUT_COLUMNS, _input_rows(run))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zone_columns(z: ForecastZone, phase: str, low: int, central: int, high: int) -> list[object]:
    return [
        z.kab_kota, z.investor_name, z.estate_name, z.zone_kind, phase, low, central, high, z.zone_name or "",
        z.area_ha, z.basis, z.commitment_jobs, z.prior_jobs, z.claim_jobs or "", z.operating_low,
        z.operating_central, z.operating_high, z.waits_for or "", z.capital_status,
    ]  # fmt: skip


def export_rows(run: ForecastRun, filters: reading.Filters, scope: Scope) -> list[list[object]]:
    """The long, tidy table: one row per quarter, zone and phase (zeros included),
    ``CSV_COLUMNS`` in order. Two queries: the zones, and the run's series."""
    rows = reading.zones(run, filters, scope)
    keys = reading.run_keys(run)
    figures = reading.series_figures(run, filters, scope)
    index = {(quarter, phase): 3 * i for i, (quarter, phase) in enumerate(keys)}
    out = []
    for quarter in reading.run_quarters(run):
        for z in rows:
            series = figures.get(z.series)
            for phase in reading.PHASES:
                at = index[quarter, phase]
                low, central, high = series[at : at + 3] if series is not None else (0, 0, 0)
                out.append([quarter, *_zone_columns(z, phase, low, central, high), run.as_of])
    return out
