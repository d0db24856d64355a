"""The stalled list's page of rows (issue 13): read as plain rows of ``permits.list_rows.ROW_COLUMNS`` in the
list's order (the estate and investor joined; the type or the agency only when the list is sorted by it), and
written by Python as ``stalls/list.html`` wrote them, with the cells the permit lists share
(``permits.list_rows.Cells``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy import select

from app.html_rows import tag
from app.listing import plain_rows
from app.security import Scope
from app.urls import id_url
from permits.agencies.models import Agency
from permits.list_rows import ROW_COLUMNS, Cells, row_clocks, with_estate
from permits.models import Permit, PermitType
from permits.stalls import stats
from permits.stalls.stats import StallFilters, StallRow


def page(filters: StallFilters, scope: Scope, today: date, limit: int, offset: int) -> list[StallRow]:
    """A page of the stalled list: its permits as plain rows, with their clocks and open flags."""
    base = with_estate(select(*ROW_COLUMNS))
    if filters.sort.key == "type":
        base = base.join(PermitType, PermitType.id == Permit.permit_type_id)
    elif filters.sort.key == "agency":
        base = base.outerjoin(Agency, Agency.id == Permit.agency_id)
    rows = plain_rows(stats.stalled_permits_query(filters, scope, base).limit(limit).offset(offset))
    return stats.stall_rows(rows, today, row_clocks(rows, today))


def _days_late(cells: Cells, row: StallRow) -> Markup:
    t, clock = cells.t, row.clock
    if row.days_overdue:
        by_agency = row.late_party.value == "agency"
        css = "fw-bold text-danger" if by_agency else "fw-bold text-warning-emphasis"
        party = t("by the agency") if by_agency else t("by the investor")
        cell = tag("span", row.days_overdue, class_=css) + tag("div", party, class_="small text-body-secondary")
    elif clock.running:
        left = t.plural("%(num)d day left", "%(num)d days left", clock.agency_days_left)
        cell = tag("span", left, class_="text-body-secondary")
    else:
        cell = tag("span", "—", class_="text-body-secondary")
    if clock.running:
        cell += tag("div", t("due %(day)s", day=t.day(clock.due_on)), class_="small text-body-secondary")
    return cell


def stalled_list_rows(rows: Sequence[StallRow]) -> Markup:
    """The ``<tr>`` of the stalled list (``stalls/list.html``) for ``rows`` of ``page``."""
    cells = Cells()
    t = cells.t
    evidence_url = id_url("stalls.evidence", "permit_id")
    evidence = Markup('<i class="bi bi-file-earmark-text" aria-hidden="true"></i> ') + t("Evidence")
    out = []
    for row in rows:
        permit: Any = row.permit
        investor = Markup("%s %s") % (permit.investor_name, cells.demo_badge(permit))
        flags = Markup("").join(
            tag(
                "span",
                t.label(flag.kind),
                class_=f"badge flag-badge flag-{flag.kind.value}",
                title=t("Raised on %(day)s", day=t.day(flag.raised_on)),
            )
            + Markup(" ")
            for flag in row.flags
        )
        css = "btn btn-sm btn-outline-secondary text-nowrap evidence-link"
        link = tag("a", evidence, class_=css, href=evidence_url(permit.id))
        out.append(
            Markup('<tr data-permit="%s"><td>%s%s</td><td>%s%s%s</td>%s%s%s%s%s</tr>\n')
            % (
                permit.id,
                cells.permit_link(permit, "fw-semibold permit-link"),
                tag("div", cells.status_badge(permit.status), class_="small"),
                cells.estate_link(permit),
                tag("div", investor, class_="small text-body-secondary"),
                tag("div", cells.known.regions[permit.estate_region_id], class_="small text-body-secondary"),
                tag("td", flags, class_="flags"),
                tag("td", _days_late(cells, row), class_="num days-late"),
                tag("td", cells.agency(permit), class_="small"),
                tag("td", t.day(row.raised_on), class_="small text-nowrap"),
                tag("td", link, class_="text-end"),
            )
        )
    return Markup("").join(out)
