"""The rules and reads of layoff records.

Who sees and records which: the administrator, the governor's office (reading only) and a province officer all of
Banten; an officer of one kab/kota that kab/kota only (another's record is ``NotFound``); investors none. Writes
flush, never commit; a broken rule raises ``LayoffRuleError`` naming its form field, before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, false, func, select, true
from sqlalchemy.orm import joinedload

from app.errors import NotFound, NotInScope, ReadOnlyScope, found
from app.extensions import db
from app.formatting import day, number
from app.listing import Sort, read_sort, sort_clauses
from app.models import ImportBatch, Region
from app.security import Scope
from app.timezone import today_wib
from app.urls import MAX_ID
from estates.queries import limited_region
from realisation.layoffs.models import KbliSection, LayoffRecord
from realisation.periods import MIN_YEAR, Period, PeriodError, PeriodKind
from realisation.services import Problem

MAX_WORKERS = 10_000_000
VALUES = ("workers", "source_url", "notes")  # what an import corrects (the rest is the record's key)


@dataclass(frozen=True, kw_only=True)
class LayoffFields:
    region_id: int
    period: str
    kbli_section: str
    workers: int
    source: str
    source_date: date
    source_url: str | None = None
    notes: str | None = None


class LayoffRuleError(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.field, self.message = problem.field, problem.message


# --- reads -------------------------------------------------------------------------------------------------


def layoffs_visible_to(scope: Scope) -> ColumnElement[bool]:
    if scope.sees_everything:
        return true()
    if (region_id := limited_region(scope)) is not None:
        return LayoffRecord.region_id == region_id
    return false()


def get_layoff(record_id: int, scope: Scope) -> LayoffRecord:
    if not 0 < record_id <= MAX_ID:
        raise NotFound(record_id)
    query = select(LayoffRecord).where(LayoffRecord.id == record_id, layoffs_visible_to(scope))
    return found(db.session.scalars(query.options(joinedload(LayoffRecord.region))).one_or_none())


@dataclass(frozen=True)
class LayoffFilters:
    region_id: int | None = None
    period: str = ""
    section: str = ""
    sort: Sort = field(default_factory=Sort)  # a key of LAYOFF_SORTS; the default: the latest quarter first

    @property
    def active(self) -> bool:
        return bool(self.region_id or self.period or self.section)


# The columns the list sorts by (``sort=key``, ``sort=-key``).
LAYOFF_SORTS = {
    "period": LayoffRecord.period_end,
    "region": Region.name,
    "section": LayoffRecord.kbli_section,
    "workers": LayoffRecord.workers,
    "source": LayoffRecord.source_date,
}


def layoff_filters(args: Mapping[str, str]) -> LayoffFilters:
    text = (args.get("region") or "").strip()
    region_id = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
    try:
        period = str(Period.parse(args.get("period") or "", kinds=(PeriodKind.QUARTER,)))
    except PeriodError:
        period = ""
    section = (args.get("section") or "").strip().upper()
    section = section if len(section) == 1 and section.isalpha() else ""
    return LayoffFilters(region_id, period, section, read_sort(LAYOFF_SORTS, args, Sort("period", descending=True)))


def _filtered(query: Select, filters: LayoffFilters, scope: Scope) -> Select:
    query = query.where(layoffs_visible_to(scope))
    if filters.region_id is not None:
        query = query.where(LayoffRecord.region_id == filters.region_id)
    if filters.period:
        query = query.where(LayoffRecord.period == filters.period)
    if filters.section:
        query = query.where(LayoffRecord.kbli_section == filters.section)
    return query


def search_layoffs(filters: LayoffFilters, *, scope: Scope) -> Select:
    """Records the scope may see, latest quarter first (or in the order of ``filters.sort``), then by kab/kota and
    sector."""
    query = select(LayoffRecord).join(LayoffRecord.region).options(joinedload(LayoffRecord.region))
    query = _filtered(query, filters, scope)
    order = sort_clauses(filters.sort, LAYOFF_SORTS) or [LayoffRecord.period_end.desc()]
    return query.order_by(
        *order, Region.bps_code, LayoffRecord.kbli_section, LayoffRecord.source_date.desc(), LayoffRecord.id
    )


def layoff_total(filters: LayoffFilters, *, scope: Scope) -> tuple[int, int]:
    """(records, workers) of what ``search_layoffs`` lists: sources may overlap, so the sum is an upper bound."""
    query = _filtered(
        select(func.count(LayoffRecord.id), func.coalesce(func.sum(LayoffRecord.workers), 0)), filters, scope
    )
    count, workers = db.session.execute(query).one()
    return int(count), int(workers)


def section_choices() -> list[tuple[str, str]]:
    locale = str(get_locale() or "id")
    return [
        (s.code, f"{s.code} · {s.name(locale)}")
        for s in db.session.scalars(select(KbliSection).order_by(KbliSection.code))
    ]


def section_names() -> dict[str, str]:
    return dict(section_choices())


# --- rules -------------------------------------------------------------------------------------------------


def layoff_problems(data: LayoffFields, scope: Scope) -> list[Problem]:
    """Every broken rule of ``data``: the kab/kota (within an officer's own), the quarter, sector, count and source."""
    today = today_wib()
    problems = []
    own = limited_region(scope)
    if db.session.get(Region, data.region_id) is None:
        problems.append(Problem("region_id", _("Choose one of Banten's eight kabupaten/kota.")))
    elif own is not None and data.region_id != own:
        problems.append(Problem("region_id", _("You record layoffs in your own kabupaten/kota only.")))
    try:
        period = Period.parse(data.period, kinds=(PeriodKind.QUARTER,))
        if period.start > today:
            problems.append(Problem("period", _("The period %(period)s has not begun yet.", period=str(period))))
    except PeriodError:
        problems.append(Problem("period", _("Write the quarter as 2026-Q1.")))
    if db.session.get(KbliSection, data.kbli_section) is None:
        problems.append(Problem("kbli_section", _("Write the KBLI section as one letter from A to U.")))
    if not 0 <= data.workers <= MAX_WORKERS:
        problems.append(Problem("workers", _("From 0 to %(max)s.", max=number(MAX_WORKERS))))
    if not (data.source or "").strip() or len(data.source) > 300:
        problems.append(Problem("source", _("Name the source (at most 300 characters).")))
    if data.source_date > today:
        problems.append(Problem("source_date", _("Cannot be in the future (today is %(today)s).", today=day(today))))
    elif data.source_date.year < MIN_YEAR:
        problems.append(Problem("source_date", _("Cannot be before %(day)s.", day=day(date(MIN_YEAR, 1, 1)))))
    return problems


def _check(data: LayoffFields, scope: Scope, exclude_id: int | None = None) -> Period:
    problems = layoff_problems(data, scope)
    if not problems and find_layoff(data, exclude_id) is not None:
        message = _("This source already reported this kab/kota, quarter and sector on that date: correct that record.")
        problems.append(Problem("source", message))
    if problems:
        raise LayoffRuleError(problems[0])
    return Period.parse(data.period, kinds=(PeriodKind.QUARTER,))


def find_layoff(data: LayoffFields, exclude_id: int | None = None) -> LayoffRecord | None:
    query = select(LayoffRecord).where(
        LayoffRecord.region_id == data.region_id,
        LayoffRecord.period == str(Period.parse(data.period, kinds=(PeriodKind.QUARTER,))),
        LayoffRecord.kbli_section == data.kbli_section,
        LayoffRecord.source == data.source.strip(),
        LayoffRecord.source_date == data.source_date,
    )
    if exclude_id is not None:
        query = query.where(LayoffRecord.id != exclude_id)
    return db.session.scalars(query).one_or_none()


def _check_can_edit(scope: Scope) -> None:
    if not scope.can_edit:
        raise ReadOnlyScope(scope.role)


def create_layoff(data: LayoffFields, *, scope: Scope, actor: str, batch: ImportBatch | None = None) -> LayoffRecord:
    """Record a layoff count. Raises ``ReadOnlyScope`` or ``LayoffRuleError``; flushes."""
    _check_can_edit(scope)
    period = _check(data, scope)
    values = asdict(data) | {"period": str(period), "source": data.source.strip()}
    record = LayoffRecord(period_end=period.end, recorded_by=actor[:120], import_batch=batch, **values)
    db.session.add(record)
    db.session.flush()
    return record


def update_layoff(
    record: LayoffRecord, data: LayoffFields, *, scope: Scope, actor: str, batch: ImportBatch | None = None
) -> bool:
    """Correct a record (its place, quarter, sector, count or source); False when nothing changes. Raises
    ``ReadOnlyScope``, ``NotInScope`` (a record the scope may not see) or ``LayoffRuleError``; flushes."""
    _check_can_edit(scope)
    if (
        db.session.scalar(select(LayoffRecord.id).where(LayoffRecord.id == record.id, layoffs_visible_to(scope)))
        is None
    ):
        raise NotInScope(record.id)
    period = _check(data, scope, exclude_id=record.id)
    values = asdict(data) | {"period": str(period), "source": data.source.strip()}
    if all(getattr(record, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(record, name, value)
    record.period_end, record.recorded_by = period.end, actor[:120]
    record.import_batch = batch
    db.session.flush()
    return True
