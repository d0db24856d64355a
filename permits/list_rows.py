"""The rows of the permit lists (the permits list, its bands, the stalled list), read as plain rows and written
by Python (issue 13): one query of the columns the rows show instead of permits with their estate, investor,
kab/kota, type and agency loaded as objects, and the cells of ``permits/list.html`` (the type, the estate, the
status, the clock, the agency) without a macro call, a Flask-Babel lookup and a ``url_for`` per cell. The rows
read and look as the templates wrote them (``tests/permits/test_list_rows.py`` compares them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from flask_babel import get_locale
from markupsafe import Markup, escape
from sqlalchemy import Select, select

from app.extensions import db
from app.fragments import cached, scope_key
from app.html_rows import Texts, memo
from app.listing import plain_rows
from app.models import Region
from app.security import Scope
from app.urls import id_url
from estates.models import Estate, Investor
from permits.agencies.models import Agency
from permits.calendar import site_calendar
from permits.catalogue import catalogue
from permits.clock import ClockFields, ClockState, Limits, clock_state
from permits.forms import FilterChoices
from permits.models import Permit
from permits.queries import OWN_SORTS, SORTS, PermitFilters, agencies_in_scope, in_list_order, permit_page_ids
from permits.rules import PermitRule
from permits.services import regions
from permits.workflow import at_risk_share, clock_fields, due_is_estimated, limits_of, regime_for, today_wib

# What the rows show and what their clocks need, by the names ``permit_clocks`` reads; the type, the kab/kota and
# the agency by id (``Lookups``).
ROW_COLUMNS = (
    Permit.id,
    Permit.status,
    Permit.permit_type_id,
    Permit.regime_id,
    *(getattr(Permit, f.name) for f in fields(ClockFields)),
    Permit.reference_number,
    Permit.decided_on,
    Permit.submitted_on,
    Permit.issuing_authority,
    Permit.agency_id,
    Estate.id.label("estate_id"),
    Estate.name.label("estate_name"),
    Estate.region_id.label("estate_region_id"),
    Investor.legal_name.label("investor_name"),
    Investor.is_demo.label("investor_is_demo"),
)


@dataclass(frozen=True)
class Lookups:
    """The small tables a row names by id: joined to every page's rows they made its statement dear to plan
    (1.2-3.4 ms of planning for 0.2 ms of execution on PostgreSQL); read once until the next committed write."""

    types: dict[int, tuple[str, str, str]]  # id → code, Indonesian name, English name
    regions: dict[int, str]  # id → name
    agencies: dict[int, tuple[str, str]]  # id → Indonesian name, English name


def _read_lookups() -> Lookups:
    run = db.session.execute
    types = {t.id: (t.code, t.name_id, t.name_en) for t in catalogue()}
    regions = {i: name for i, name in run(select(Region.id, Region.name))}
    agencies = {i: (id_, en) for i, id_, en in run(select(Agency.id, Agency.name_id, Agency.name_en))}
    return Lookups(types, regions, agencies)


def lookups() -> Lookups:
    """The ``Lookups``, kept until the next committed write (``app.fragments``)."""
    return cached("permit-lookups", (), _read_lookups)


def _choices(scope: Scope) -> FilterChoices:
    locale = str(get_locale() or "id")
    return FilterChoices(
        types=tuple((t.code, t.code) for t in catalogue()),
        regions=tuple((r.bps_code, r.name) for r in regions(scope)),
        agencies=tuple((str(a.id), a.name(locale)) for a in agencies_in_scope(scope)),
    )


def filter_choices(scope: Scope) -> FilterChoices:
    """The choices of the permit lists' filters (types, kab/kota and agencies of the scope), the same for the
    permits list and the stalled list, kept per scope and language until the next committed write."""
    return cached("permit-filters", scope_key(scope), lambda: _choices(scope))


def with_estate(query: Select) -> Select:
    """``query`` over permits joined to their estate and its investor."""
    return query.join(Estate, Estate.id == Permit.estate_id).join(Investor, Investor.id == Estate.investor_id)


def page_rows(filters: PermitFilters, scope: Scope, today: date, limit: int, offset: int) -> Sequence[Any]:
    """A page of the permits list as plain rows of ``ROW_COLUMNS``, in the list's order, in one statement: the
    page's ids (``permit_page_ids``: a ``Limit`` over a permit index) as a subquery, the rows of those 20
    permits joined to their records and put in the same order (by a related record's column: two statements)."""
    by_ids, query = cached(
        "permit-page-query",
        (*scope_key(scope), filters, today, limit, offset),
        lambda: _page_query(filters, scope, today, limit, offset),
    )
    if by_ids:  # ordered by a related record's column
        return rows_by_ids(db.session.scalars(query).all())  # the ids in their order, then their rows
    return plain_rows(query)


def _page_query(filters: PermitFilters, scope: Scope, today: date, limit: int, offset: int) -> tuple[bool, Select]:
    """``page_rows``' statement: its rows, or (``True``) the page's ids when the list is sorted by a related
    record's column. Built once per scope, filters, day and page until the next committed write (the type's and
    the kab/kota's ids are the register's), and run again as it is: SQLAlchemy keeps its cache key on the
    statement, so neither the statement nor its key is built again (about 0.4 ms a page)."""
    ids = permit_page_ids(filters, scope, today).limit(limit).offset(offset)
    if filters.sort.key in SORTS and filters.sort.key not in OWN_SORTS:
        return True, ids
    return False, in_list_order(with_estate(select(*ROW_COLUMNS)).where(Permit.id.in_(ids)), filters)


def rows_by_ids(ids: Sequence[int]) -> list[Any]:
    """The permits ``ids`` as plain rows of ``ROW_COLUMNS``, in that order: one statement."""
    if not ids:
        return []
    found = {row.id: row for row in plain_rows(with_estate(select(*ROW_COLUMNS)).where(Permit.id.in_(list(ids))))}
    return [found[i] for i in ids if i in found]


@dataclass(frozen=True)
class _Rules:
    limits: dict[tuple[int, int], Limits]  # by (permit type, regime), with the at-risk share in force
    current_regime: int  # the regime of a file not yet filed


def _rules(today: date) -> _Rules:
    share = at_risk_share()
    limits = {(r.permit_type_id, r.regime_id): limits_of(r, share) for r in db.session.scalars(select(PermitRule))}
    return _Rules(limits, regime_for(today).id)


def row_clocks(rows: Sequence[Any], today: date) -> dict[int, ClockState]:
    """The clocks of ``rows`` (``permit_clocks`` on plain rows), the catalogue's limits and the at-risk share kept
    until the next committed write (``app.fragments``) instead of read for every page."""
    if not rows:
        return {}
    rules = cached("permit-limits", today, lambda: _rules(today))
    cal = site_calendar()
    return {
        row.id: clock_state(
            row.status,
            clock_fields(row),
            rules.limits[row.permit_type_id, row.regime_id or rules.current_regime],
            today,
            cal,
        )
        for row in rows
    }


def _names(english: bool) -> tuple[dict[int, tuple[str, str]], dict[int, str], dict[int, str]]:
    """The ``Lookups`` escaped in a language: the types (code, name), the agencies and the kab/kota by id."""
    known = lookups()
    types = {i: (escape(code), escape(en if english else id_)) for i, (code, id_, en) in known.types.items()}
    agencies = {i: escape(en if english else id_) for i, (id_, en) in known.agencies.items()}
    return types, agencies, {i: escape(name) for i, name in known.regions.items()}


class Cells:
    """The cells the permit lists share, for one rendering, as escaped HTML text (``Markup`` once, for the whole
    page of rows): texts, links, names and badges looked up or escaped once per rendering."""

    def __init__(self, today: date | None = None) -> None:
        self.t = t = Texts()
        self.permit_url = id_url("permits.permit_detail", "permit_id")
        self.estate_url = id_url("estates.estate_detail", "estate_id")
        today = today or today_wib()
        self.estimated: Callable[[date | None], bool] = memo(lambda due: due_is_estimated(due, today))
        self.types, self.agencies, self.regions = cached("permit-cells", t.locale, lambda: _names(t.locale == "en"))
        self.status_badge: Callable[[Any], str] = memo(
            lambda status: f'<span class="badge text-bg-{status.css} status-badge">{t.label(status)}</span>'
        )
        self.demo = (
            f'<span class="badge rounded-pill text-bg-light border demo-badge" '
            f'title="{t("Fictional record of the demo scenario")}">{t("Fictional demo")}</span>'
        )
        self.no_agency = f'<span class="text-body-secondary">{t("Agency not recorded")}</span>'

    def permit_link(self, row: Any, class_: str) -> str:
        """The type's code linking to the permit, its name as the title; the reference number under it."""
        code, name = self.types[row.permit_type_id]
        link = f'<a class="{class_}" href="{self.permit_url(row.id)}" title="{name}">{code}</a>'
        if row.reference_number:
            link += f'<div class="small text-body-secondary ref-number">{escape(row.reference_number)}</div>'
        return link

    def estate_link(self, row: Any) -> str:
        return f'<a class="fw-medium" href="{self.estate_url(row.estate_id)}">{escape(row.estate_name)}</a>'

    def demo_badge(self, row: Any) -> str:
        """``demo_badge`` of ``_macros.html``: a fictional investor's badge, else nothing."""
        return self.demo if row.investor_is_demo else ""

    def agency(self, row: Any) -> str:
        """``permit_agency`` of ``agencies/_agency.html``: the agency's name, else the text once recorded."""
        if row.agency_id is not None:
            return self.agencies[row.agency_id]
        if row.issuing_authority:
            return escape(row.issuing_authority)
        return self.no_agency

    def clock(self, clock: ClockState) -> str:
        """``clock_cell`` of ``permits/_clock.html``."""
        t, band = self.t, clock.band.value
        if band in ("on_track", "at_risk", "overdue"):
            if clock.agency_days_left >= 0:
                days = t.plural("%(num)d working day left", "%(num)d working days left", clock.agency_days_left)
            else:
                days = t.plural("%(num)d working day overdue", "%(num)d working days overdue", clock.days_overdue)
            due = t("due %(day)s", day=t.day(clock.due_on))
            if self.estimated(clock.due_on):
                due += Markup(' <abbr title="%s">(%s)</abbr>') % (
                    t("This date rests on holidays the calendar only estimates."),
                    t("estimated"),
                )
            return (
                f'<span class="badge text-bg-{clock.band.css}">{t.label(clock.band)}</span>'
                f'<div class="small text-nowrap">{days}</div>'
                f'<div class="small text-body-secondary text-nowrap">{due}</div>'
            )
        if band == "stopped":
            used = t("%(used)d of %(sla)d days used", used=clock.agency_days_used, sla=clock.sla_working_days)
            cell = f'<span class="badge text-bg-info">{t("Clock stopped")}</span>'
            cell += f'<div class="small text-nowrap">{used}</div>'
            if clock.investor_overdue:
                cell += f'<div class="small text-danger">{t("investor late")}</div>'
            return cell
        return '<span class="text-body-secondary">—</span>'


def permit_list_rows(rows: Sequence[Any], clocks: dict[int, ClockState]) -> Markup:
    """The ``<tr>`` of the permits list (``permits/list.html``) for ``rows`` of ``page_rows``."""
    cells = Cells()
    t = cells.t
    out = []
    for row in rows:
        if row.decided_on:
            when = t("decided %(day)s", day=t.day(row.decided_on))
        elif row.submitted_on:
            when = t("filed %(day)s", day=t.day(row.submitted_on))
        else:
            when = ""
        out.append(
            f"<tr><td>{cells.permit_link(row, 'fw-semibold')}</td>"
            f'<td>{cells.estate_link(row)}<div class="small text-body-secondary">{escape(row.investor_name)}</div></td>'
            f'<td class="small">{cells.regions[row.estate_region_id]}</td>'
            f"<td>{cells.status_badge(row.status)}"
            f'<div class="small text-body-secondary text-nowrap">{when}</div></td>'
            f"<td>{cells.clock(clocks[row.id])}</td>"
            f'<td class="small">{cells.agency(row)}</td></tr>\n'
        )
    return Markup("".join(out))  # noqa: S704 - every value above escaped, every text a catalogue's


def estate_panel_rows(permits: Sequence[Any], clocks: dict[int, ClockState]) -> Markup:
    """The ``<tr>`` of the estate page's permits panel (``permits/_estate_panel.html``) for an estate's permits:
    the type's code linking to the permit and its name under it, the status, the clock, whose move, the days."""
    cells = Cells()
    t = cells.t
    investor = f'<i class="bi bi-person-fill" aria-hidden="true"></i> {t("Investor")}'
    nobody = '<span class="text-body-secondary">—</span>'
    out = []
    for permit in permits:
        clock = clocks[permit.id]
        code, name = cells.types[permit.permit_type_id]
        ref = permit.reference_number
        if clock.holder == "agency":
            move = f'<i class="bi bi-building" aria-hidden="true"></i> {cells.agency(permit)}'
        else:
            move = investor if clock.holder == "investor" else nobody
        out.append(
            f'<tr><td><a class="fw-semibold" href="{cells.permit_url(permit.id)}">{code}</a>'
            f'<div class="small text-body-secondary">{name}</div>'
            + (f'<div class="small text-body-secondary ref-number">{escape(ref)}</div>' if ref else "")
            + f"</td><td>{cells.status_badge(permit.status)}</td><td>{cells.clock(clock)}</td>"
            f'<td class="small">{move}</td><td class="text-nowrap small">{t.day(permit.submitted_on)}</td>'
            f'<td class="text-nowrap small">{t.day(permit.decided_on)}</td></tr>\n'
        )
    return Markup("".join(out))  # noqa: S704 - every value above escaped, every text a catalogue's
