"""The morning scan of missing LKPM reports: ``scan_missing_reports(as_of)``.

For every investor expected to file (``realisation.rules``), each period whose deadline has passed by the day
before ``as_of`` either has a submitted report (any status but Draf, of a period that overlaps it: a company that
changed size keeps its earlier reports) or is missing. The scan then holds two kinds of flag:

- ``missing``: one per investor and missing period, raised the day after the deadline;
- ``sanction_risk``: one per investor and run of consecutive missing periods at least ``lkpm.sanction_missed_periods``
  long, keyed by the run's first period, so a run that grows keeps its one flag (``periods_missed`` follows it).

A flag is raised once per episode (its key is unique), confirmed by each later scan while it holds, and resolved by
the first scan after it stops holding (the report arrived, or the investor is no longer expected to file); if it
holds again (a report withdrawn back to a draft) the same flag is reopened. Running the scan twice for one day
changes nothing the second time. Flushes, never commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from app.database import utcnow
from app.extensions import db
from estates.models import Investor
from realisation.models import LkpmEntry, LkpmFlag, LkpmFlagKind
from realisation.periods import Period
from realisation.rules import ReportingRules, nib_issued_on, obligation_of, reporting_rules

Key = tuple[int, LkpmFlagKind, str]


@dataclass(frozen=True)
class Holding:
    """A flag that the facts call for: its period's deadline and the number of periods missed."""

    due_on: date
    periods_missed: int = 1


@dataclass
class LkpmScanResult:
    as_of: date
    investors_expected: int = 0
    raised: dict[str, int] = field(default_factory=lambda: {kind.value: 0 for kind in LkpmFlagKind})
    reopened: dict[str, int] = field(default_factory=lambda: {kind.value: 0 for kind in LkpmFlagKind})
    resolved: dict[str, int] = field(default_factory=lambda: {kind.value: 0 for kind in LkpmFlagKind})
    open: dict[str, int] = field(default_factory=lambda: {kind.value: 0 for kind in LkpmFlagKind})

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "investors_expected": self.investors_expected,
            "raised": self.raised,
            "reopened": self.reopened,
            "resolved": self.resolved,
            "open": self.open,
        }


def _submitted_periods() -> dict[int, list[Period]]:
    submitted: dict[int, list[Period]] = defaultdict(list)
    for investor_id, period, status in db.session.execute(
        select(LkpmEntry.investor_id, LkpmEntry.period, LkpmEntry.status)
    ):
        if status.is_submitted:
            submitted[investor_id].append(Period.parse(period))
    return submitted


def flags_that_hold(as_of: date, rules: ReportingRules | None = None) -> tuple[dict[Key, Holding], int]:
    """Every flag the facts call for at the end of the day before ``as_of``, and how many investors must file."""
    rules = rules or reporting_rules()
    investors = db.session.scalars(select(Investor).where(Investor.nib.is_not(None)).order_by(Investor.id)).all()
    nib_dates = nib_issued_on([investor.id for investor in investors])
    submitted = _submitted_periods()
    holding: dict[Key, Holding] = {}
    expected = 0
    for investor in investors:
        obligation = obligation_of(investor, rules, nib_dates.get(investor.id))
        if obligation is None:
            continue
        expected += 1
        run: list[Period] = []
        for period in [*obligation.due_periods(rules, as_of), None]:  # None closes the last run
            if period is not None and not any(done.overlaps(period) for done in submitted[investor.id]):
                holding[(investor.id, LkpmFlagKind.MISSING, str(period))] = Holding(rules.due_on(period))
                run.append(period)
                continue
            if len(run) >= rules.sanction_after:
                due = rules.due_on(run[rules.sanction_after - 1])
                holding[(investor.id, LkpmFlagKind.SANCTION_RISK, str(run[0]))] = Holding(due, len(run))
            run = []
    return holding, expected


def scan_missing_reports(as_of: date) -> LkpmScanResult:
    """Raise, confirm, reopen and resolve the missing-report flags for ``as_of``; returns the counts per kind."""
    holding, expected = flags_that_hold(as_of)
    result = LkpmScanResult(as_of, investors_expected=expected)
    flags = {(f.investor_id, f.kind, f.period): f for f in db.session.scalars(select(LkpmFlag))}
    now = utcnow()
    for key, facts in holding.items():
        flag = flags.get(key)
        investor_id, kind, period = key
        if flag is None:
            db.session.add(
                LkpmFlag(
                    investor_id=investor_id,
                    kind=kind,
                    period=period,
                    due_on=facts.due_on,
                    periods_missed=facts.periods_missed,
                    raised_on=as_of,
                    raised_at=now,
                    last_confirmed_on=as_of,
                )
            )
            result.raised[kind.value] += 1
            continue
        if flag.resolved_on is not None:
            if flag.resolved_on > as_of:
                continue  # a scan of an earlier day does not undo a later one
            flag.resolved_on = None
            result.reopened[kind.value] += 1
        flag.last_confirmed_on = max(flag.last_confirmed_on, as_of)
        flag.due_on, flag.periods_missed = facts.due_on, facts.periods_missed
    for key, flag in flags.items():
        if key not in holding and flag.resolved_on is None and flag.raised_on <= as_of:
            flag.resolved_on = as_of
            result.resolved[flag.kind.value] += 1
    db.session.flush()
    counts = db.session.execute(
        select(LkpmFlag.kind, func.count(LkpmFlag.id)).where(LkpmFlag.resolved_on.is_(None)).group_by(LkpmFlag.kind)
    )
    result.open.update({kind.value: n for kind, n in counts})
    return result
