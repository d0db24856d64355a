"""The evidence of a missing-report flag, fit to print and to check later, as the stall flags have theirs: the
rules in force, and for each period the flag covers its deadline (the day of the month after it, moved past the
non-working days with the reason for each), the day the flag could rise, and every report on file for the period
(a draft does not count). ``FlagEvidence.canonical`` is the facts as canonical JSON (sorted keys, no spaces, UTF-8)
and ``fingerprint`` its SHA-256, so a printed copy can be checked against the JSON download.

The facts hold no interface text (codes, ISO dates, names as recorded): the fingerprint is the same in every
language and on every database engine. Nothing here writes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from app.errors import NotFound, found
from app.extensions import db
from app.security import Scope
from app.urls import MAX_ID
from permits.calendar import CalendarRangeError, cuti_bersama_non_working, site_calendar
from permits.models import CalendarOverride, CalendarOverrideKind
from permits.stalls.skipped import SkippedDay, _skipped
from realisation.models import LkpmEntry, LkpmFlag, LkpmFlagKind
from realisation.periods import Period
from realisation.queries import flags_visible_to
from realisation.rules import ReportingRules, reporting_rules

EVIDENCE_FORMAT = "pantau-lkpm-evidence/1"


@dataclass(frozen=True)
class PeriodFacts:
    period: Period
    nominal_due: date  # the deadline day of the month after the period
    due_on: date  # moved to the next working day when the rule says so
    skipped: tuple[SkippedDay, ...]  # the non-working days it was moved past
    reports: tuple[LkpmEntry, ...]  # on file for a period overlapping this one, any status

    @property
    def flagged_from(self) -> date:
        return self.due_on + timedelta(days=1)

    def facts(self) -> dict:
        return {
            "period": str(self.period),
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "nominal_due": self.nominal_due.isoformat(),
            "due_on": self.due_on.isoformat(),
            "skipped": [s.facts() for s in self.skipped],
            "flagged_from": self.flagged_from.isoformat(),
            "reports": [
                {
                    "id": e.id,
                    "period": e.period,
                    "estate": e.estate.name if e.estate else None,
                    "status": e.status.value,
                    "submitted": e.status.is_submitted,
                    "reported_on": e.reported_on.isoformat(),
                    "version": e.version,
                }
                for e in self.reports
            ],
        }


@dataclass(frozen=True)
class FlagEvidence:
    flag: LkpmFlag
    rules: ReportingRules
    periods: tuple[PeriodFacts, ...]

    def facts(self) -> dict:
        flag = self.flag
        return {
            "format": EVIDENCE_FORMAT,
            "flag": {
                "id": flag.id,
                "kind": flag.kind.value,
                "period": flag.period,
                "periods_missed": flag.periods_missed,
                "raised_on": flag.raised_on.isoformat(),
                "last_confirmed_on": flag.last_confirmed_on.isoformat(),
                "resolved_on": flag.resolved_on.isoformat() if flag.resolved_on else None,
            },
            "investor": {"id": flag.investor.id, "name": flag.investor.legal_name, "nib": flag.investor.nib},
            "rules": {
                "deadline_day": self.rules.deadline_day,
                "next_working_day": self.rules.next_working_day,
                "sanction_after": self.rules.sanction_after,
                "first_period": str(self.rules.first_period),
            },
            "periods": [p.facts() for p in self.periods],
        }

    @property
    def canonical(self) -> bytes:
        return json.dumps(self.facts(), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.canonical).hexdigest()


def get_flag(flag_id: int, scope: Scope) -> LkpmFlag:
    """The flag, or ``NotFound`` (unknown, or of an investor outside the scope)."""
    if not 0 < flag_id <= MAX_ID:
        raise NotFound(flag_id)
    return found(db.session.scalars(select(LkpmFlag).where(LkpmFlag.id == flag_id, flags_visible_to(scope))).first())


def build_evidence(flag: LkpmFlag) -> FlagEvidence:
    """The evidence of ``flag`` under today's rules and calendar (closures included)."""
    rules = reporting_rules()
    first = Period.parse(flag.period)
    periods = [first]
    while flag.kind is LkpmFlagKind.SANCTION_RISK and len(periods) < flag.periods_missed:
        periods.append(periods[-1].next())
    entries = db.session.scalars(
        select(LkpmEntry).where(LkpmEntry.investor_id == flag.investor_id).order_by(LkpmEntry.period_end, LkpmEntry.id)
    ).all()
    counted = cuti_bersama_non_working()
    cal = site_calendar(counted)
    out = []
    for period in periods:
        nominal = period.due_on(rules.deadline_day)
        due = rules.due_on(period)
        closures = dict(
            db.session.execute(
                select(CalendarOverride.day, CalendarOverride.reason).where(
                    CalendarOverride.kind == CalendarOverrideKind.CLOSED,
                    CalendarOverride.day >= nominal,
                    CalendarOverride.day < due,
                )
            ).all()
        )
        try:
            skipped = _skipped(nominal - timedelta(days=1), due - timedelta(days=1), cal, closures, counted)
        except CalendarRangeError:  # a year the holiday calendar does not know: the deadline was not moved either
            skipped = ()
        reports = tuple(e for e in entries if Period.parse(e.period).overlaps(period))
        out.append(PeriodFacts(period, nominal, due, skipped, reports))
    return FlagEvidence(flag, rules, tuple(out))
