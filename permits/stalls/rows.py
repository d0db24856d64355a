"""The stalled list's page of rows (issue 13): read as plain rows of ``permits.list_rows.ROW_COLUMNS`` in the
list's order (the estate and investor joined; the type or the agency only when the list is sorted by it), and
written by Python as ``stalls/list.html`` wrote them, with the cells the permit lists share
(``permits.list_rows.Cells``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import Select, select

from app.fragments import cached, scope_key
from app.html_rows import memo
from app.listing import plain_rows
from app.security import Scope
from app.urls import id_url
from permits.agencies.models import Agency
from permits.list_rows import ROW_COLUMNS, Cells, row_clocks, with_estate
from permits.models import Permit, PermitType
from permits.stalls import stats
from permits.stalls.stats import StallFilters, StallRow


def page(filters: StallFilters, scope: Scope, today: date, limit: int, offset: int) -> list[StallRow]:
    """A page of the stalled list: its permits as plain rows, with their clocks and open flags. The page's
    statement is built once per scope, filters and page until the next committed write (``app.fragments``) and run
    again as it is (SQLAlchemy keeps its cache key on it)."""
    query = cached(
        "stall-page-query", (*scope_key(scope), filters, limit, offset), lambda: _query(filters, scope, limit, offset)
    )
    rows = plain_rows(query)
    return stats.stall_rows(rows, today, row_clocks(rows, today))


def _query(filters: StallFilters, scope: Scope, limit: int, offset: int) -> Select:
    base = with_estate(select(*ROW_COLUMNS))
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
