"""The stalled list's page of rows (issue 13): read as plain rows of ``permits.list_rows.ROW_COLUMNS`` in the
list's order (the estate and investor joined; the type or the agency only when the list is sorted by it), and
written by Python as ``stalls/list.html`` wrote them, with the cells the permit lists share
(``permits.list_rows.Cells``). The same statement brings each permit's open flags (their kinds and days as one
text) and when the last stall scan finished: one round trip where there were three (branch ``tph``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from markupsafe import Markup, escape
from sqlalchemy import Select, String, cast, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.fragments import cached, scope_key
from app.html_rows import memo
from app.listing import plain_rows
from app.models import JobRun
from app.scheduler import successes
from app.security import Scope
from app.urls import id_url
from permits.agencies.models import Agency
from permits.list_rows import ROW_COLUMNS, Cells, row_clocks, with_estate
from permits.models import Permit, PermitType
from permits.stalls import stats
from permits.stalls.models import FlagKind, StallFlag
from permits.stalls.stats import StallFilters, StallRow

SCAN_JOB = "stall-scan"


class _IsoDay(FunctionElement):
    """A date as ISO text (``YYYY-MM-DD``): SQLite stores it so; PostgreSQL's text of a date follows ``DateStyle``."""

    type = String()
    inherit_cache = True


@compiles(_IsoDay)
def _iso_day(element, compiler, **kw) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_IsoDay, "postgresql")
def _iso_day_postgresql(element, compiler, **kw) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


def _extra_columns() -> tuple:
    """The permit's open flags as "kind day,kind day" (a probe of ``ix_stall_flag_open_permit`` per row), and when
    the last successful stall scan finished (the same for every row: computed once)."""
    flags = select(func.aggregate_strings(cast(StallFlag.kind, String) + " " + _IsoDay(StallFlag.raised_on), ","))
    flags = flags.where(StallFlag.permit_id == Permit.id, StallFlag.resolved_on.is_(None))
    runs = successes(SCAN_JOB)
    return (
        flags.scalar_subquery().label("open_flags"),
        runs.with_only_columns(JobRun.finished_at).limit(1).scalar_subquery().label("last_scan_at"),
        runs.with_only_columns(JobRun.id).order_by(None).exists().label("scan_ran"),
    )


def _open_flags(rows: Sequence[Any]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for row in rows:
        pairs = (text.split(" ") for text in (row.open_flags or "").split(",") if text)
        found[row.id] = [_Flag(FlagKind(kind), date.fromisoformat(day)) for kind, day in pairs]
    return found


class _Flag(NamedTuple):
    """An open flag as the list shows it."""

    kind: FlagKind
    raised_on: date


@dataclass(frozen=True)
class ScanDone:
    """The last successful stall scan, as ``stalls/_parts.html`` and ``app.monitoring.scan_overdue`` read it."""

    finished_at: datetime | None


def last_scan(rows: Sequence[StallRow]) -> ScanDone | bool | None:
    """When the last successful scan finished, as the page's rows say it (``None``: no scan has succeeded);
    ``False`` without rows (``app.scheduler.last_success`` reads it)."""
    if not rows:
        return False
    first = rows[0].permit
    return ScanDone(first.last_scan_at) if first.scan_ran else None


def page(filters: StallFilters, scope: Scope, today: date, limit: int, offset: int) -> list[StallRow]:
    """A page of the stalled list: its permits as plain rows, with their clocks and open flags. The page's
    statement is built once per scope, filters and page until the next committed write (``app.fragments``) and run
    again as it is (SQLAlchemy keeps its cache key on it)."""
    query = cached(
        "stall-page-query", (*scope_key(scope), filters, limit, offset), lambda: _query(filters, scope, limit, offset)
    )
    rows = plain_rows(query)
    return stats.stall_rows(rows, today, row_clocks(rows, today), _open_flags(rows))


def _query(filters: StallFilters, scope: Scope, limit: int, offset: int) -> Select:
    base = with_estate(select(*ROW_COLUMNS, *_extra_columns()))
    if filters.sort.key == "type":
        base = base.join(PermitType, PermitType.id == Permit.permit_type_id)
    elif filters.sort.key == "agency":
        base = base.outerjoin(Agency, Agency.id == Permit.agency_id)
    if stats.reads_from_flags(filters):  # the page's ids from the flags, then their 20 rows in the same order
        ids = stats.stalled_permits_query(filters, scope, select(Permit.id)).limit(limit).offset(offset)
        query = base.where(Permit.id.in_(ids)).order_by(*stats.flags_order())
    else:
        query = stats.stalled_permits_query(filters, scope, base).limit(limit).offset(offset)
    return query


def _days_late(cells: Cells, row: StallRow) -> str:
    t, clock = cells.t, row.clock
    if row.days_overdue:
        if row.late_party.value == "agency":
            css, party = "fw-bold text-danger", t("by the agency")
        else:
            css, party = "fw-bold text-warning-emphasis", t("by the investor")
        cell = f'<span class="{css}">{row.days_overdue}</span><div class="small text-body-secondary">{party}</div>'
    elif clock.running:
        left = t.plural("%(num)d day left", "%(num)d days left", clock.agency_days_left)
        cell = f'<span class="text-body-secondary">{left}</span>'
    else:
        cell = '<span class="text-body-secondary">—</span>'
    if clock.running:
        cell += f'<div class="small text-body-secondary">{t("due %(day)s", day=t.day(clock.due_on))}</div>'
    return cell


def stalled_list_rows(rows: Sequence[StallRow]) -> Markup:
    """The ``<tr>`` of the stalled list (``stalls/list.html``) for ``rows`` of ``page``."""
    cells = Cells()
    t = cells.t
    evidence_url = id_url("stalls.evidence", "permit_id")
    evidence = f'<i class="bi bi-file-earmark-text" aria-hidden="true"></i> {t("Evidence")}'
    flag_badge = memo(
        lambda flag: (
            f'<span class="badge flag-badge flag-{flag[0].value}" '
            f'title="{t("Raised on %(day)s", day=t.day(flag[1]))}">{t.label(flag[0])}</span> '
        )
    )
    out = []
    for row in rows:
        permit: Any = row.permit
        flags = "".join([flag_badge((flag.kind, flag.raised_on)) for flag in row.flags])
        out.append(
            f'<tr data-permit="{permit.id}"><td>{cells.permit_link(permit, "fw-semibold permit-link")}'
            f'<div class="small">{cells.status_badge(permit.status)}</div></td>'
            f"<td>{cells.estate_link(permit)}"
            f'<div class="small text-body-secondary">{escape(permit.investor_name)} {cells.demo_badge(permit)}</div>'
            f'<div class="small text-body-secondary">{cells.regions[permit.estate_region_id]}</div></td>'
            f'<td class="flags">{flags}</td><td class="num days-late">{_days_late(cells, row)}</td>'
            f'<td class="small">{cells.agency(permit)}</td>'
            f'<td class="small text-nowrap">{t.day(row.raised_on)}</td>'
            f'<td class="text-end"><a class="btn btn-sm btn-outline-secondary text-nowrap evidence-link" '
            f'href="{evidence_url(permit.id)}">{evidence}</a></td></tr>\n'
        )
    return Markup("".join(out))  # noqa: S704 - every value above escaped, every text a catalogue's
