"""The rules of LKPM entries: recording one, correcting one (the replaced values go to the history), and the
checks both share with the import.

Functions take plain arguments and the caller's ``Scope`` (no request objects); they flush, never commit. A
broken rule raises ``LkpmRuleError`` naming the form field it belongs to, before anything is written. A scope
that may not edit raises ``ReadOnlyScope``; an entry or estate outside the scope raises ``NotInScope``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import NotInScope, ReadOnlyScope
from app.extensions import db
from app.formatting import day, number, rupiah
from app.models import ImportBatch
from app.numbers import MAX_RUPIAH
from app.security import Scope
from app.timezone import today_wib
from estates.models import Estate, Investor
from estates.queries import can_see_estate, limited_region
from realisation.models import ENTRY_VALUES, LkpmEntry, LkpmEntryRevision, LkpmStatus
from realisation.periods import Period, PeriodError, PeriodKind
from realisation.queries import entries_visible_to
from realisation.rules import period_kind_of

MAX_WORKERS = 10_000_000
MAX_TEXT = 5000


@dataclass(frozen=True, kw_only=True)
class EntryValues:
    """What a report says (everything an entry holds but its investor, estate and period)."""

    investment_rp: Decimal
    tki: int
    tka: int
    status: LkpmStatus
    reported_on: date
    fixed_capital_rp: Decimal | None = None
    working_capital_rp: Decimal | None = None
    production_notes: str | None = None
    obstacles: str | None = None


@dataclass(frozen=True)
class Problem:
    """A broken rule: the form field (or import column) it concerns, and the message."""

    field: str | None
    message: str


class LkpmRuleError(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.field, self.message = problem.field, problem.message


def _raise_first(problems: list[Problem]) -> None:
    if problems:
        raise LkpmRuleError(problems[0])


# --- checks ------------------------------------------------------------------------------------------------


def period_problems(investor: Investor, text: str, today: date) -> tuple[Period | None, list[Problem]]:
    """The period read from ``text``, checked against how often the investor files and against today."""
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        return None, [Problem("period", str(exc))]
    kind = period_kind_of(investor)
    name = investor.legal_name
    if kind is None:
        return None, [Problem("period", _("%(name)s is a micro business: micro businesses file no LKPM.", name=name))]
    if kind is not period.kind:
        if kind is PeriodKind.QUARTER:
            message = _("%(name)s files quarterly: write the period as %(example)s.", name=name, example="2026-Q2")
        else:
            message = _(
                "%(name)s is a small business and files half-yearly: write the period as %(example)s.",
                name=name,
                example="2026-S1",
            )
        return None, [Problem("period", message)]
    if period.start > today:
        return None, [Problem("period", _("The period %(period)s has not begun yet.", period=str(period)))]
    return period, []


def estate_problems(investor: Investor, estate: Estate | None, scope: Scope) -> list[Problem]:
    """The estate must be the investor's; an officer of one kab/kota records only estates there."""
    if estate is None:
        if limited_region(scope) is not None:
            return [Problem("estate_id", _("You record the reports of estates in your kabupaten/kota: choose one."))]
        return []
    if estate.investor_id != investor.id:
        return [Problem("estate_id", _("This estate is not one of %(name)s's.", name=investor.legal_name))]
    if not can_see_estate(estate, scope):
        return [Problem("estate_id", _("This estate is outside your kabupaten/kota."))]
    return []


def _range_problems(values: EntryValues) -> list[Problem]:
    problems = []
    for name in ("investment_rp", "fixed_capital_rp", "working_capital_rp"):
        amount = getattr(values, name)
        if amount is not None and (amount < 0 or amount > MAX_RUPIAH or amount != amount.to_integral_value()):
            problems.append(Problem(name, _("Whole rupiah from 0 to %(max)s.", max=rupiah(MAX_RUPIAH))))
    for name in ("tki", "tka"):
        if not 0 <= getattr(values, name) <= MAX_WORKERS:
            problems.append(Problem(name, _("From 0 to %(max)s.", max=number(MAX_WORKERS))))
    for name in ("production_notes", "obstacles"):
        if len(getattr(values, name) or "") > MAX_TEXT:
            problems.append(Problem(name, _("At most %(max)s characters.", max=MAX_TEXT)))
    return problems


def _split_problems(values: EntryValues) -> list[Problem]:
    fixed, working, total = values.fixed_capital_rp, values.working_capital_rp, values.investment_rp
    if fixed is not None and working is not None and fixed + working != total:
        message = _(
            "Fixed and working capital must add up to the realised investment (%(total)s).", total=rupiah(total)
        )
        return [Problem("working_capital_rp", message)]
    for name, part in (("fixed_capital_rp", fixed), ("working_capital_rp", working)):
        if part is not None and part > total:
            return [Problem(name, _("A part cannot exceed the realised investment (%(total)s).", total=rupiah(total)))]
    return []


def value_problems(values: EntryValues, period: Period | None, today: date) -> list[Problem]:
    """Amounts and counts in range, the capital split adding up, the report date plausible."""
    problems = _range_problems(values) + _split_problems(values)
    if values.reported_on > today:
        problems.append(Problem("reported_on", _("Cannot be in the future (today is %(today)s).", today=day(today))))
    elif period is not None and values.reported_on < period.start:
        problems.append(
            Problem("reported_on", _("Cannot be before the period begins (%(day)s).", day=day(period.start)))
        )
    return problems


def _check_can_edit(scope: Scope) -> None:
    if not scope.can_edit:
        raise ReadOnlyScope(scope.role)


def find_entry(investor_id: int, estate_id: int | None, period: str) -> LkpmEntry | None:
    """The entry with this key, whoever may see it (for the uniqueness rule)."""
    estate = LkpmEntry.estate_id.is_(None) if estate_id is None else LkpmEntry.estate_id == estate_id
    query = select(LkpmEntry).where(LkpmEntry.investor_id == investor_id, estate, LkpmEntry.period == period)
    return db.session.scalars(query).one_or_none()


# --- writes ------------------------------------------------------------------------------------------------


def create_entry(
    investor: Investor,
    estate: Estate | None,
    period_text: str,
    values: EntryValues,
    *,
    scope: Scope,
    actor: str,
    batch: ImportBatch | None = None,
) -> LkpmEntry:
    """Record a report. Raises ``ReadOnlyScope``, or ``LkpmRuleError`` for a broken rule or a report already
    recorded for this investor, estate and period (correct that one instead); flushes."""
    _check_can_edit(scope)
    today = today_wib()
    problems = estate_problems(investor, estate, scope)
    period, found = period_problems(investor, period_text, today)
    _raise_first(problems + found + value_problems(values, period, today))
    assert period is not None
    estate_id = estate.id if estate is not None else None
    if find_entry(investor.id, estate_id, str(period)) is not None:
        raise LkpmRuleError(Problem("period", already_recorded(investor, estate, period)))
    entry = LkpmEntry(
        investor=investor,
        estate=estate,
        period=str(period),
        period_end=period.end,
        recorded_by=actor[:120],
        import_batch=batch,
        **asdict(values),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def already_recorded(investor: Investor, estate: Estate | None, period: Period) -> str:
    if estate is None:
        return _(
            "The company-wide report of %(name)s for %(period)s is already recorded: correct it instead.",
            name=investor.legal_name,
            period=str(period),
        )
    return _(
        "The report of %(name)s for %(estate)s and %(period)s is already recorded: correct it instead.",
        name=investor.legal_name,
        estate=estate.name,
        period=str(period),
    )


def differs(entry: LkpmEntry, values: EntryValues) -> bool:
    """Whether ``values`` would change the entry (amounts compared as numbers, blanks as empty)."""
    return any(getattr(entry, name) != getattr(values, name) for name in ENTRY_VALUES)


def correct_entry(
    entry: LkpmEntry,
    values: EntryValues,
    *,
    scope: Scope,
    actor: str,
    reason: str | None = None,
    expected_version: int | None = None,
    batch: ImportBatch | None = None,
) -> bool:
    """Replace the entry's values, keeping the replaced ones as a revision; False (nothing written) when nothing
    changes. Raises ``ReadOnlyScope``, ``NotInScope`` (an entry the scope may not see), ``LkpmRuleError`` for a
    broken rule or when ``expected_version`` is stale (someone corrected it meanwhile); flushes."""
    _check_can_edit(scope)
    if db.session.scalar(select(LkpmEntry.id).where(LkpmEntry.id == entry.id, entries_visible_to(scope))) is None:
        raise NotInScope(entry.id)
    if expected_version is not None and expected_version != entry.version:
        raise LkpmRuleError(
            Problem(None, _("Someone else corrected this report meanwhile: check its values and correct it again."))
        )
    _raise_first(value_problems(values, Period.parse(entry.period), today_wib()))
    if not differs(entry, values):
        return False
    db.session.add(
        LkpmEntryRevision(
            entry=entry,
            version=entry.version,
            import_batch_id=entry.import_batch_id,
            written_at=entry.updated_at,
            replaced_by=actor[:120],
            replaced_by_batch_id=batch.id if batch is not None else None,
            reason=reason,
            recorded_by=entry.recorded_by,
            **entry.values(),
        )
    )
    for name, value in asdict(values).items():
        setattr(entry, name, value)
    entry.version += 1
    entry.recorded_by = actor[:120]
    entry.import_batch = batch
    db.session.flush()
    return True
