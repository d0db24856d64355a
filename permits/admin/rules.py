"""The administrator's edits of the law: each permit type's rule under each regime, and the regimes themselves.

Editing a rule recomputes the running clocks of that permit type under that regime only (a permit filed under
PP 5/2021 never moves when a PP 28/2025 figure changes). Editing a regime's first filing day moves no clock
already running: a permit's regime is fixed when it is first filed. Functions flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import record_change
from app.extensions import db
from app.models import AuditEvent
from app.urls import MAX_ID
from permits.admin.catalogue import MAX_LONG_TEXT, MAX_WORKING_DAYS, AdminError
from permits.rules import ApplicantSilence, PermitRule, Regime, RuleFields
from permits.workflow import recompute_open_deadlines

MAX_SILENCE_DAYS = 3650  # calendar days
MAX_ROUNDS = 20
DAY_FIELDS = (
    "sla_working_days",
    "check_working_days",
    "review_working_days",
    "decision_working_days",
    "fix_working_days",
    "revision_working_days",
)


class InvalidRule(AdminError):
    """A rule's figures or texts are missing or out of range."""


@dataclass(frozen=True)
class RuleSaved:
    rule: PermitRule
    deadlines_moved: int


def regimes() -> Sequence[Regime]:
    return db.session.scalars(select(Regime).order_by(Regime.applies_from)).all()


def get_regime(regime_id: int) -> Regime | None:
    return db.session.get(Regime, regime_id) if 0 < regime_id <= MAX_ID else None


def get_rule(type_id: int, regime_id: int) -> PermitRule | None:
    if not (0 < type_id <= MAX_ID and 0 < regime_id <= MAX_ID):
        return None
    query = select(PermitRule).where(PermitRule.permit_type_id == type_id, PermitRule.regime_id == regime_id)
    return db.session.scalars(query).one_or_none()


def _text(value: str | None, *, required: bool) -> str | None:
    text = (value or "").strip()
    if required and not text:
        return _l("This field is required.")
    return _l("At most %(max)s characters.", max=MAX_LONG_TEXT) if len(text) > MAX_LONG_TEXT else None


def rule_problems(data: RuleFields) -> dict[str, str]:
    """Field -> message for every figure or text out of range, and the combinations the law does not allow."""
    problems: dict[str, str | None] = {
        name: (
            _l("Between 0 and %(max)s working days.", max=MAX_WORKING_DAYS)
            if getattr(data, name) is not None and not 0 <= getattr(data, name) <= MAX_WORKING_DAYS
            else None
        )
        for name in DAY_FIELDS
    }
    if data.sla_working_days is None:
        problems["sla_working_days"] = _l("This field is required.")
    if data.max_revision_rounds is not None and not 1 <= data.max_revision_rounds <= MAX_ROUNDS:
        problems["max_revision_rounds"] = _l("Between 1 and %(max)s.", max=MAX_ROUNDS)
    days = data.applicant_silence_days
    if data.applicant_silence is not ApplicantSilence.NONE and days is None:
        problems["applicant_silence_days"] = _l("Say after how many calendar days the law's outcome applies.")
    elif days is not None and not 1 <= days <= MAX_SILENCE_DAYS:
        problems["applicant_silence_days"] = _l("Between 1 and %(max)s calendar days.", max=MAX_SILENCE_DAYS)
    problems["legal_basis"] = _text(data.legal_basis, required=True)
    problems["note_id"] = _text(data.note_id, required=False)
    problems["note_en"] = _text(data.note_en, required=False)
    return {name: message for name, message in problems.items() if message is not None}


def update_rule(rule: PermitRule, data: RuleFields, actor_id: int | None = None) -> RuleSaved:
    """Replace the figures of ``rule`` and recompute the running clocks of its type under its regime; the change
    is audited with the values before and after, as ``actor_id``'s. Flushes.

    Raises ``InvalidRule`` before anything changes.
    """
    problems = rule_problems(data)
    if problems:
        raise InvalidRule(problems)
    before = {name: getattr(rule, name) for name in vars(data)}
    for name, value in vars(data).items():
        setattr(rule, name, value.strip() or None if isinstance(value, str) and name != "legal_basis" else value)
    rule.legal_basis = data.legal_basis.strip()
    db.session.flush()
    what = f"rule of permit type {rule.permit_type_id} under regulation {rule.regime_id}"
    record_change(AuditEvent.CATALOGUE_CHANGED, actor_id, what, before, {n: getattr(rule, n) for n in vars(data)})
    return RuleSaved(rule, recompute_open_deadlines(permit_type_id=rule.permit_type_id, regime_id=rule.regime_id))


def update_regime(
    regime: Regime, applies_from: date, confirmed: bool, source: str, actor_id: int | None = None
) -> Regime:
    """Set the first filing day a regime governs (PP 28/2025 Pasal 547(a): the day the adjusted OSS operates).

    Permits already filed keep their regime. Raises ``AdminError`` when another regime starts the same day or
    the order of the regimes would change. Flushes.
    """
    others = [r for r in regimes() if r.id != regime.id]
    earlier = [r for r in others if r.applies_from < regime.applies_from]
    later = [r for r in others if r.applies_from > regime.applies_from]
    if any(r.applies_from == applies_from for r in others):
        raise AdminError({"applies_from": _l("Another regulation starts on that day.")})
    if (earlier and applies_from <= earlier[-1].applies_from) or (later and applies_from >= later[0].applies_from):
        raise AdminError({"applies_from": _l("The regulations must keep their order: pick a day between them.")})
    problem = _text(source, required=True)
    if problem:
        raise AdminError({"source": problem})
    before = {"applies_from": regime.applies_from, "confirmed": regime.applies_from_confirmed, "source": regime.source}
    regime.applies_from, regime.applies_from_confirmed, regime.source = applies_from, confirmed, source.strip()
    db.session.flush()
    after = {"applies_from": regime.applies_from, "confirmed": regime.applies_from_confirmed, "source": regime.source}
    record_change(AuditEvent.CATALOGUE_CHANGED, actor_id, f"regulation {regime.name}", before, after)
    return regime
