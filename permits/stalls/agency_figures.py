"""The governor's office figures of stalled approvals per issuing agency, permit type or kab/kota (page and CSV).

For each group: open permits with the agency and those overdue now; for decided permits the median and 90th
percentile (nearest rank) of the agency's working days to the decision, the share decided within the statutory
limit and the working days past it; and the clock stops (returns for revision), with those that came late.

Every figure is computed by the database, from counters kept on the permit in the same transaction as its event
(``decision_days``/``decision_sla`` of the deciding event, written by ``permits.workflow.advance_permit``) and
the partial index of the stop events (``ix_permit_event_stops``): the median and percentile with
``percentile_cont``/``percentile_disc`` on PostgreSQL and with window functions on SQLite (the same values).
Each query joins only the tables its grouping, filters and scope need. The result is kept per day, filters,
grouping, scope, late share and language, and recomputed as soon as a permit, an event or an agency changes
(the cache's stamp is the last event's id, the latest permit update and the latest agency change, one read):
the page and its CSV share it.

Nothing here writes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, case, func, literal, select

from app.extensions import db
from app.listing import Sort
from app.models import Region
from app.security import Scope
from estates.models import Estate
from estates.queries import estates_visible_to
from permits.agencies.models import Agency
from permits.agencies.services import agencies_by_id
from permits.clock import Band
from permits.models import Permit, PermitEvent, PermitType
from permits.queries import band_condition, running_condition, scoped_permits
from permits.stages import ASKED
from permits.stalls.models import FlagKind
from permits.workflow import at_risk_share

CACHE_SIZE = 256  # results kept per process (day, filters, grouping, scope, late share, language)


class Grouping(enum.StrEnum):
    AGENCY = "agency"
    PERMIT_TYPE = "type"
    REGION = "region"


@dataclass(frozen=True)
class StallFilters:
    """Filters of the stalled list and of the figures; ``None`` means "any"."""

    kind: FlagKind | None = None  # the list only
    agency_id: int | None = None  # the issuing agency
    permit_type_code: str | None = None
    region_code: str | None = None  # BPS code of the estate's kab/kota
    sort: Sort = field(default_factory=Sort)  # the list: a key of STALL_SORTS; the figures: of FIGURE_SORTS

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.kind, self.agency_id, self.permit_type_code, self.region_code))


@dataclass
class StallFigure:
    """The figures of one group (or of all of them: the total row)."""

    key: str
    label: str
    running: int = 0  # open permits with the agency (clock running)
    overdue_now: int = 0
    stops: int = 0  # returns for revision (clock stops)
    late_stops: int = 0  # stops made after the late share of the limit was used
    decided: int = 0
    median_days: Decimal | None = None  # agency working days to the decision
    p90_days: int | None = None
    within_limit: int = 0  # decisions within the statutory limit
    late_days: int = 0  # working days past the limit, summed over the decisions: lateness kept after deciding

    @property
    def share_within(self) -> Decimal | None:
        """Share of the decisions made within the limit, 0..1 (``None`` when nothing was decided)."""
        return Decimal(self.within_limit) / self.decided if self.decided else None


@dataclass(frozen=True)
class StallStatistics:
    grouping: Grouping
    rows: list[StallFigure]
    total: StallFigure
    late_share: Decimal


# The columns of the figures a header sorts by: the group's name and each figure.
FIGURE_SORTS: dict[str, Callable[[StallFigure], object]] = {
    "label": lambda f: f.label.casefold(),
    **{
        name: attrgetter(name)
        for name in (
            *("running", "overdue_now", "decided", "median_days", "p90_days"),
            *("share_within", "late_days", "stops", "late_stops"),
        )
    },
}


def median(values: Sequence[int]) -> Decimal | None:
    """The middle value (the mean of the two middle ones for an even count); ``None`` for no value."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[mid])
    return (Decimal(ordered[mid - 1]) + Decimal(ordered[mid])) / 2


def percentile(values: Sequence[int], pct: int) -> int | None:
    """The nearest-rank percentile: the smallest value such that ``pct``% of the values are at most it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max((pct * len(ordered) + 99) // 100, 1)  # ceil(pct% of n) in integers
    return ordered[rank - 1]


def _group_columns(grouping: Grouping) -> tuple[ColumnElement, ColumnElement]:
    """(key, label) of a group. An agency's key is its id; it is named afterwards, in the caller's language."""
    if grouping is Grouping.PERMIT_TYPE:
        return PermitType.code, PermitType.code
    if grouping is Grouping.REGION:
        return Region.bps_code, Region.name
    return Permit.agency_id, Permit.agency_id


def _scoped(query: Select, grouping: Grouping, filters: StallFilters, scope: Scope) -> Select:
    """Join to ``query`` (on Permit) only what the grouping, the filters and the scope need, and filter."""
    if grouping is Grouping.REGION or filters.region_code:
        query = query.join(Permit.estate).join(Estate.region).where(estates_visible_to(scope))
    else:
        query = scoped_permits(query, scope)
    if grouping is Grouping.PERMIT_TYPE or filters.permit_type_code:
        query = query.join(Permit.permit_type)
    return query.where(*filter_conditions(filters))


def filter_conditions(filters: StallFilters) -> list[ColumnElement[bool]]:
    """The conditions of the agency, type and kab/kota filters (on Permit, PermitType and Region)."""
    conditions = []
    if filters.agency_id is not None:
        conditions.append(Permit.agency_id == filters.agency_id)
    if filters.permit_type_code:
        conditions.append(PermitType.code == filters.permit_type_code)
    if filters.region_code:
        conditions.append(Region.bps_code == filters.region_code)
    return conditions


def _exact(value: object) -> Decimal | None:
    """A median from the database (a float or a decimal) as a Decimal: whole, or with its half."""
    if value is None:
        return None
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.quantize(Decimal("0.1"))


def _decisions(grouping: Grouping, filters: StallFilters, scope: Scope, grouped: bool) -> list[tuple]:
    """(key, label, decided, within, late days, median, p90) per group, or one row for all (``grouped`` false)."""
    key, label = _group_columns(grouping) if grouped else (literal(""), literal(""))
    days, sla = Permit.decision_days, Permit.decision_sla
    counts = (
        func.count(days),
        func.count(days).filter(days <= sla),
        func.coalesce(func.sum(case((days > sla, days - sla), else_=0)), 0),
    )
    decided = Permit.decision_days.is_not(None)
    if db.engine.dialect.name == "postgresql":
        query = select(
            key,
            label,
            *counts,
            func.percentile_cont(0.5).within_group(days),
            func.percentile_disc(0.9).within_group(days),
        ).select_from(Permit)
        query = _scoped(query, grouping, filters, scope).where(decided)
        return list(db.session.execute(query.group_by(key, label) if grouped else query))
    partition = {"partition_by": [key]} if grouped else {}
    ranked = select(
        key.label("key"),
        label.label("label"),
        days.label("days"),
        sla.label("sla"),
        func.row_number().over(order_by=days, **partition).label("rank"),
        func.count().over(**partition).label("n"),
    ).select_from(Permit)
    ranked = _scoped(ranked, grouping, filters, scope).where(decided).subquery()
    d, s, rank, n = ranked.c.days, ranked.c.sla, ranked.c.rank, ranked.c.n
    query = select(
        ranked.c.key,
        ranked.c.label,
        func.count(d),
        func.count(d).filter(d <= s),
        func.coalesce(func.sum(case((d > s, d - s), else_=0)), 0),
        func.avg(case((rank.in_([(n + 1) // 2, (n + 2) // 2]), d))),
        func.min(case((rank >= (90 * n + 99) // 100, d))),
    )
    return list(db.session.execute(query.group_by(ranked.c.key, ranked.c.label)))


def _compute(grouping: Grouping, filters: StallFilters, scope: Scope, today: date, late_share: Decimal) -> tuple:
    key, label = _group_columns(grouping)
    groups: dict[str, StallFigure] = {}

    def group(k: object, lbl: object) -> StallFigure:
        k, lbl = ("" if k is None else str(k)), ("" if lbl is None else str(lbl))
        return groups.setdefault(k, StallFigure(k, lbl))

    overdue = band_condition(Band.OVERDUE, today)
    open_query = select(key, label, func.count(Permit.id), func.count(Permit.id).filter(overdue)).select_from(Permit)
    open_query = _scoped(open_query, grouping, filters, scope).where(running_condition())
    for k, lbl, n_running, n_overdue in db.session.execute(open_query.group_by(key, label)):
        figure = group(k, lbl)
        figure.running, figure.overdue_now = n_running, n_overdue

    for k, lbl, n, within, late_days, mid, p90 in _decisions(grouping, filters, scope, grouped=True):
        figure = group(k, lbl)
        figure.decided, figure.within_limit, figure.late_days = n, within, int(late_days)
        figure.median_days, figure.p90_days = _exact(mid), None if p90 is None else int(p90)

    share = PermitEvent.agency_days_used * 1.0 / func.nullif(PermitEvent.sla_working_days, 0)
    late = func.count(PermitEvent.id).filter(share >= float(late_share))
    stop = PermitEvent.to_status.in_(ASKED) & PermitEvent.from_status.is_not(None)
    stops = select(key, label, func.count(PermitEvent.id), late).select_from(PermitEvent).join(PermitEvent.permit)
    for k, lbl, n_stops, n_late in db.session.execute(
        _scoped(stops, grouping, filters, scope).where(stop).group_by(key, label)
    ):
        figure = group(k, lbl)
        figure.stops, figure.late_stops = n_stops, n_late

    total = StallFigure("", "")
    for f in groups.values():
        total.running += f.running
        total.overdue_now += f.overdue_now
        total.stops += f.stops
        total.late_stops += f.late_stops
    for _key, _label, n, within, late_days, mid, p90 in _decisions(grouping, filters, scope, grouped=False):
        total.decided, total.within_limit, total.late_days = n, within, int(late_days)
        total.median_days, total.p90_days = _exact(mid), None if p90 is None else int(p90)
    return groups, total


def _stamp() -> tuple:
    """What changes whenever a figure may: the last event written, the latest permit update (both indexed) and
    the latest change of an agency record (a few dozen rows)."""
    last_event = select(func.max(PermitEvent.id)).scalar_subquery()
    last_update = select(func.max(Permit.updated_at)).scalar_subquery()
    last_agency = select(func.max(Agency.updated_at)).scalar_subquery()  # a renamed agency: its new name
    return tuple(db.session.execute(select(last_event, last_update, last_agency)).one())


def stall_statistics(
    grouping: Grouping,
    filters: StallFilters,
    scope: Scope,
    today: date,
    late_share: Decimal | None = None,
    locale: str = "id",
) -> StallStatistics:
    """Figures per group of the permits in scope matching ``filters`` (its ``kind`` is ignored), the groups
    with most permits overdue now first, and the total over all of them; agencies are named in ``locale``.
    A stop is late at or past ``late_share`` of the limit (default: the at-risk setting), as on the clock-stops
    page. Cached (see the module); the figures are the caller's to read, not to change."""
    late_share = late_share if late_share is not None else at_risk_share()
    filters = StallFilters(None, filters.agency_id, filters.permit_type_code, filters.region_code)  # any order
    who = Scope(scope.role, scope.investor_id, scope.region_id)  # the same figures for every user of a scope
    rows, total = cached_figures(today, grouping, filters, who, late_share, locale, _stamp())
    return StallStatistics(grouping, rows, total, late_share)


@lru_cache(maxsize=CACHE_SIZE)
def cached_figures(
    today: date, grouping: Grouping, filters: StallFilters, scope: Scope, late_share: Decimal, locale: str, stamp: tuple
) -> tuple[list[StallFigure], StallFigure]:
    """The groups' figures, most overdue first, and the total; kept per argument, ``stamp`` (``_stamp``) being what
    makes a changed register a new entry."""
    groups, total = _compute(grouping, filters, scope, today, late_share)
    if grouping is Grouping.AGENCY:
        _name_agencies(groups, locale)
    rows = sorted(
        groups.values(),
        key=lambda f: (-f.overdue_now, -(f.median_days if f.median_days is not None else -1), f.label),
    )
    return rows, total


def _name_agencies(groups: dict[str, StallFigure], locale: str) -> None:
    """Label each agency group with the agency's name; permits with no agency are one group of their own."""
    names = agencies_by_id([int(k) for k in groups if k])
    for key, figure in groups.items():
        figure.label = names[int(key)].name(locale) if key else str(_l("Agency not recorded"))
