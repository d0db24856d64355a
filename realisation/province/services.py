"""The province's published totals beside the LKPM reports in Pantau (coverage), and recording a new release.

For each period the province published (a year, a half-year or a quarter) the release in force is the latest by
release date (one without a date counts as the oldest; then the office's own release before the press), and the
others are shown as the earlier or competing figures. Beside it: the sum of the submitted reports (every status
but Draf) in Pantau that the caller may see, of the periods lying wholly inside it; a half-yearly report cannot be
split into quarters, so it counts for its half-year and year only (the page says how many were left out).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import ReadOnlyScope
from app.extensions import db
from app.numbers import MAX_RUPIAH
from app.security import Scope
from realisation.models import LkpmEntry, LkpmStatus
from realisation.periods import Period, PeriodError, PeriodKind
from realisation.province.models import ProvinceRealisation, SourceKind
from realisation.queries import entries_visible_to
from realisation.services import Problem

ALL_KINDS = (PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER)


@dataclass
class PantauSum:
    entries: int = 0
    investment_rp: Decimal = Decimal(0)
    tki: int = 0
    tka: int = 0
    left_out: int = 0  # half-yearly reports overlapping a quarter

    @property
    def workers(self) -> int:
        return self.tki + self.tka


@dataclass
class CoverageRow:
    period: Period
    release: ProvinceRealisation
    others: list[ProvinceRealisation]
    pantau: PantauSum = field(default_factory=PantauSum)

    @property
    def investment_share(self) -> Decimal | None:
        """Pantau's sum as a share of the province's figure (None when the province published zero)."""
        if not self.release.investment_rp:
            return None
        return self.pantau.investment_rp / self.release.investment_rp

    @property
    def jobs_share(self) -> Decimal | None:
        if not self.release.jobs_total:
            return None
        return Decimal(self.pantau.workers) / Decimal(self.release.jobs_total)


def _in_force_order(release: ProvinceRealisation) -> tuple:
    return (release.released_on or date.min, release.source_kind is SourceKind.PRIMARY, release.id or 0)


def coverage(scope: Scope) -> list[CoverageRow]:
    """One row per period the province published, the latest period first (a year before its parts)."""
    by_period: dict[str, list[ProvinceRealisation]] = defaultdict(list)
    for release in db.session.scalars(select(ProvinceRealisation)):
        by_period[release.period].append(release)
    rows = []
    for text, releases in by_period.items():
        ordered = sorted(releases, key=_in_force_order, reverse=True)
        rows.append(CoverageRow(Period.parse(text, kinds=ALL_KINDS), ordered[0], ordered[1:]))
    entries = db.session.execute(
        select(LkpmEntry.period, LkpmEntry.investment_rp, LkpmEntry.tki, LkpmEntry.tka).where(
            entries_visible_to(scope), LkpmEntry.status != LkpmStatus.DRAFT
        )
    ).all()
    parsed = [(Period.parse(period), investment, tki, tka) for period, investment, tki, tka in entries]
    for row in rows:
        for period, investment, tki, tka in parsed:
            if row.period.contains(period):
                row.pantau.entries += 1
                row.pantau.investment_rp += investment
                row.pantau.tki += tki
                row.pantau.tka += tka
            elif row.period.overlaps(period):
                row.pantau.left_out += 1
    return sorted(rows, key=lambda r: (r.period.end, r.period.kind.months), reverse=True)


# --- a new release -------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReleaseFields:
    period: str
    investment_rp: Decimal
    source: str
    source_kind: SourceKind
    released_on: date | None = None
    pma_rp: Decimal | None = None
    pmdn_rp: Decimal | None = None
    jobs_total: int | None = None
    jobs_tki: int | None = None
    jobs_tka: int | None = None


class ReleaseRuleError(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.field, self.message = problem.field, problem.message


def _release_problems(data: ReleaseFields, today: date) -> tuple[Period | None, list[Problem]]:
    problems = []
    try:
        period = Period.parse(data.period, kinds=ALL_KINDS)
    except PeriodError:
        period = None
        problems.append(Problem("period", _("Write the period as 2025, 2025-S1 or 2025-Q3.")))
    for name in ("investment_rp", "pma_rp", "pmdn_rp"):
        amount = getattr(data, name)
        if amount is not None and not 0 <= amount <= MAX_RUPIAH:
            problems.append(Problem(name, _("Out of range.")))
    if data.released_on is not None and data.released_on > today:
        problems.append(Problem("released_on", _("Cannot be in the future.")))
    elif period is not None and data.released_on is not None and data.released_on < period.start:
        problems.append(Problem("released_on", _("A release cannot come before its period begins.")))
    if not data.source.strip():
        problems.append(Problem("source", _("This field is required.")))
    duplicate = select(ProvinceRealisation.id).where(
        ProvinceRealisation.period == (str(period) if period else data.period),
        ProvinceRealisation.source == data.source.strip(),
        ProvinceRealisation.released_on.is_(None)
        if data.released_on is None
        else ProvinceRealisation.released_on == data.released_on,
    )
    if period is not None and db.session.scalar(duplicate) is not None:
        problems.append(Problem("source", _("This release (period, source and date) is already recorded.")))
    return period, problems


def check_can_record(scope: Scope) -> None:
    """Province figures are recorded by province-wide editors only: others raise ``ReadOnlyScope``."""
    if not (scope.can_edit and scope.sees_everything):
        raise ReadOnlyScope(scope.role)


def add_release(data: ReleaseFields, *, scope: Scope, actor: str, today: date) -> ProvinceRealisation:
    """Record a published figure (a revision is a new release: the earlier one stays). Raises ``ReadOnlyScope``
    (see ``check_can_record``) or ``ReleaseRuleError`` for a broken rule. Flushes."""
    check_can_record(scope)
    period, problems = _release_problems(data, today)
    if problems or period is None:
        raise ReleaseRuleError(problems[0])
    values = asdict(data) | {"period": str(period), "source": data.source.strip()}
    release = ProvinceRealisation(period_start=period.start, period_end=period.end, recorded_by=actor[:120], **values)
    db.session.add(release)
    db.session.flush()
    return release
