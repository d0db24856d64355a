"""Permit histories of a synthetic province, walked through the app's own stage machine and clock.

Permit ``k`` belongs to estate ``k % estates`` and is its application number ``k // estates``: an estate's
first ones are one of each catalogue type (live or ended), the later ones earlier applications of a type that
ended (rejected, withdrawn, deemed withdrawn), as the one-live-application rule requires. Its number of events
is its share of ``--events`` (by a weight drawn from its generator; a tenth stay "not started").

Each move is one allowed by ``permits.stages`` (a note where the table asks for one, no revision round past the
law's maximum, a deemed grant only past the limit of a rule that grants by silence) and moves the clock by
``permits.clock.step``, exactly as ``permits.workflow.advance_permit`` would: the permit row gets the clock
after its last move, each event the state of the clock at the end of its day. Returns and resubmissions,
revision rounds, files overdue with the agency or the investor and deemed outcomes all follow from the walk.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from permits.calendar import WorkingCalendar
from permits.clock import ClockFields, Limits, clock_state, step
from permits.models import GRANTED_STATUSES
from permits.models import PermitStatus as S
from permits.rules import AgencySilence, ApplicantSilence, ClockStart, PermitRule, Regime
from permits.stages import DECIDED_FROM, DECISIONS, TERMINAL, TRANSITIONS, allowed_targets, resume_target
from permits.workflow import DECIDING, limits_of

ENDED = (S.REJECTED, S.WITHDRAWN, S.DEEMED_WITHDRAWN)  # how an earlier application of the same type ended
ONGOING = {  # weights of the moves that keep a file going (the agency's desk and the investor's answers)
    S.SUBMITTED: {S.UNDER_REVIEW: 5, S.DECLARED_COMPLETE: 1, S.RETURNED: 3},
    S.DECLARED_COMPLETE: {S.UNDER_REVIEW: 5, S.FEASIBILITY_TEST: 3, S.RETURNED: 2, S.REVISION: 1},
    S.UNDER_REVIEW: {S.FEASIBILITY_TEST: 2, S.RECOMMENDATION: 2, S.RETURNED: 3, S.REVISION: 2},
    S.FEASIBILITY_TEST: {S.RECOMMENDATION: 3, S.REVISION: 2},
    S.REVISION: {S.UNDER_REVIEW: 6, S.PROCESS_STOPPED: 1},
}
DECIDE = {S.ISSUED: 80, S.VERIFIED: 3, S.DEEMED_GRANTED: 6, S.REJECTED: 6, S.WITHDRAWN: 3, S.DEEMED_WITHDRAWN: 2}
NOTES = {
    S.RETURNED: "Berkas perlu dilengkapi: dokumen pendukung belum sesuai (data sintetis).",
    S.REVISION: "Dokumen perlu diperbaiki secara substantif (data sintetis).",
    S.PROCESS_STOPPED: "Pemohon tidak menyampaikan perbaikan dalam jangka waktu (data sintetis).",
    S.DEEMED_GRANTED: "Dianggap dikabulkan: batas waktu terlampaui (data sintetis).",
}
DEFAULT_NOTE = "Keputusan dengan catatan (data sintetis)."
OFFICER, INVESTOR = "Petugas Sintetis", "Pemohon Sintetis"


@dataclass(frozen=True)
class Catalogue:
    """The rules the walk needs, read once: types in id order, regimes by date, each type's rule per regime."""

    type_ids: list[int]
    type_codes: list[str]
    regimes: list[Regime]
    rules: dict[tuple[int, int], PermitRule]
    share: Decimal

    def regime_of(self, day: date) -> Regime:
        return next((r for r in reversed(self.regimes) if r.applies_from <= day), self.regimes[0])

    def limits(self, type_id: int, regime: Regime) -> tuple[PermitRule, Limits]:
        rule = self.rules[type_id, regime.id]
        return rule, limits_of(rule, self.share)


def event_counts(permits: int, events: int, estates: int, types: int, seed: int) -> list[int]:
    """How many events each permit gets, adding up to ``events`` exactly: one at least (two for an ended earlier
    application), the rest shared by weights drawn per permit (a tenth of the first applications get none)."""
    base = [1 if k // estates < types else 2 for k in range(permits)]
    spare = events - sum(base)
    if spare < 0:
        raise ValueError(f"{permits} permits need at least {sum(base)} events (one each, two per ended application)")
    weights = []
    for k in range(permits):
        rng = random.Random(f"{seed}:length:{k}")
        weights.append(0 if base[k] == 1 and rng.random() < 0.1 else rng.randint(1, 20))
    total = sum(weights) or 1
    counts, running = [], 0
    for k in range(permits):
        before = spare * running // total
        running += weights[k]
        counts.append(base[k] + spare * running // total - before)
    if not sum(weights):  # every weight drawn zero: the spare events go to the first permits
        for k in range(spare):
            counts[k % permits] += 1
    return counts


@dataclass
class Walk:
    """One permit's history as it is built."""

    status: S
    clock: ClockFields
    regime: Regime | None = None
    submitted_on: date | None = None
    decided_on: date | None = None
    decision: tuple[int | None, int | None] = (None, None)  # agency days and limit at the decision


def permit_history(
    permit_id: int,
    first_event_id: int,
    type_index: int,
    count: int,
    must_end: bool,
    seed: int,
    as_of: date,
    cat: Catalogue,
    cal: WorkingCalendar,
) -> tuple[dict, list[dict]]:
    """The permit's row (without estate and agency) and its ``count`` events, ending in an ended status when
    ``must_end``. Every date is on or before ``as_of``."""
    rng = random.Random(f"{seed}:permit:{permit_id}")
    type_id, code = cat.type_ids[type_index], cat.type_codes[type_index]
    open_end = not must_end and rng.random() < 0.5
    tail = rng.randint(0, 60) if open_end else rng.randint(0, 500)
    span = sum(rng.randint(3, 45) for _ in range(count - 1))
    start = as_of - timedelta(days=tail + span)
    days = sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(count - 1))
    walk = Walk(S.NOT_STARTED, ClockFields())
    _rule, limits = cat.limits(type_id, cat.regime_of(start))
    created = clock_state(S.NOT_STARTED, walk.clock, limits, start, cal)
    events = [_event(first_event_id, permit_id, 1, start, None, walk, created, None)]
    for n, on in enumerate(days):
        left = count - 2 - n  # moves after this one
        regime = walk.regime or cat.regime_of(on)
        rule, limits = cat.limits(type_id, regime)
        target = _choose(rng, walk, left, must_end, open_end, rule, limits, code, on)
        source = walk.status
        moved = step(walk.clock, source, target, on, limits, cal)
        walk.regime, walk.clock, walk.status = regime, moved.fields, target
        if target is S.SUBMITTED and walk.submitted_on is None:
            walk.submitted_on = on
        if target in DECIDING and walk.decided_on is None:
            walk.decided_on = on
        if target in DECISIONS and source in DECIDED_FROM and walk.decision[0] is None:
            walk.decision = (moved.state.agency_days_used, moved.state.sla_working_days)
        move = TRANSITIONS[source, target]
        note = NOTES.get(target, DEFAULT_NOTE) if move.needs_note else None
        row = _event(first_event_id + n + 1, permit_id, n + 2, on, source, walk, moved.state, note)
        if target is S.DEEMED_GRANTED:
            row["evidence_fingerprint"] = hashlib.sha256(f"synth:{permit_id}:{on}".encode()).hexdigest()
        row["actor"] = INVESTOR if move.investor_may else OFFICER
        events.append(row)
    last = days[-1] if days else start
    permit = {
        "id": permit_id,
        "permit_type_id": type_id,
        "status": walk.status,
        "reference_number": f"SINT/{code}/{permit_id}" if walk.status in GRANTED_STATUSES else None,
        "submitted_on": walk.submitted_on,
        "decided_on": walk.decided_on,
        "agency_override_reason": None,
        "issuing_authority": None,
        "notes": None,
        "version": count,
        "regime_id": walk.regime.id if walk.regime is not None else None,
        "last_event_seq": count,
        "decision_days": walk.decision[0],
        "decision_sla": walk.decision[1],
        "created_at": datetime.combine(start, time(2, 0, tzinfo=UTC)),
        "updated_at": datetime.combine(last, time(2, 0, tzinfo=UTC)),
        **asdict(walk.clock),
    }
    return permit, events


def _choose(
    rng: random.Random,
    walk: Walk,
    left: int,
    must_end: bool,
    open_end: bool,
    rule: PermitRule,
    limits: Limits,
    code: str,
    on: date,
) -> S:
    """The next status: one the table allows from the current one and the law allows now, from which the walk
    can still make its ``left`` further moves; the last move ends, decides or (an open file) keeps it going."""
    source = walk.status
    allowed = set(allowed_targets(source))
    resume = resume_target(source, limits.clock_starts_at)
    if source is S.NOT_STARTED:
        going = {S.SUBMITTED: 1}
    elif resume is not None and rng.random() < 0.85:
        going = {resume: 1}
    else:
        going = dict(ONGOING.get(source, {}))
        if resume is not None:
            going[resume] = 1
    going = {t: w for t, w in going.items() if t in allowed and _lawful(t, walk, rule, limits, code, on)}
    if left > 0:
        going = {t: w for t, w in going.items() if _can_go_on(t, left, walk, rule)}
        return _pick(rng, going) if going else _fallback(source, allowed)
    if must_end:
        return _pick(rng, {t: DECIDE[t] for t in ENDED if t in allowed and _lawful(t, walk, rule, limits, code, on)})
    if open_end and going:
        return _pick(rng, going)
    decide = {t: w for t, w in DECIDE.items() if t in allowed and _lawful(t, walk, rule, limits, code, on)}
    return _pick(rng, decide or going)


def _lawful(target: S, walk: Walk, rule: PermitRule, limits: Limits, code: str, on: date) -> bool:
    """The refusals of ``advance_permit`` and the catalogue's law, as the walk must respect them."""
    if target is S.DEEMED_GRANTED:
        overdue = walk.clock.overdue_on
        silence_grants = rule.agency_silence is AgencySilence.DEEMED_GRANTED and rule.confirmed
        return silence_grants and bool(overdue and on >= overdue)
    if target is S.REVISION:
        return rule.max_revision_rounds is None or walk.clock.revision_rounds < rule.max_revision_rounds
    if target is S.FEASIBILITY_TEST:
        return code == "AMDAL"
    if target is S.PROCESS_STOPPED:
        return rule.applicant_silence is ApplicantSilence.REJECTED_AFTER_STOP
    if target is S.DEEMED_WITHDRAWN:
        return walk.status is S.RETURNED or limits.clock_starts_at is ClockStart.DECLARED_COMPLETE
    if target is S.VERIFIED:
        return code in ("PBG", "SLF")
    return True


def _can_go_on(target: S, left: int, walk: Walk, rule: PermitRule) -> bool:
    """Whether a walk at ``target`` can make ``left`` more moves (>= 1) without a decision before its last."""
    if target in TERMINAL or target in GRANTED_STATUSES or target is S.FROZEN:
        return False
    if target is S.RECOMMENDATION:  # only decisions leave it
        return left == 1
    if target is S.FEASIBILITY_TEST:  # the recommendation, or a revision round back to the review
        rounds = rule.max_revision_rounds
        return left == 1 or rounds is None or walk.clock.revision_rounds < rounds
    return True


def _fallback(source: S, allowed: set[S]) -> S:
    """A move that keeps any file going (the return-and-resubmit loop), when the weighted choice found none."""
    for target in (S.RETURNED, S.SUBMITTED, S.DECLARED_COMPLETE, S.UNDER_REVIEW):
        if target in allowed:
            return target
    raise RuntimeError(f"no way on from {source}")


def _pick(rng: random.Random, weights: dict[S, int]) -> S:
    targets = sorted(weights, key=lambda s: s.value)  # a fixed order, whatever the dict's
    return rng.choices(targets, weights=[weights[t] for t in targets])[0]


def _event(event_id, permit_id, seq, on, source, walk: Walk, state, note) -> dict:
    return {
        "id": event_id,
        "permit_id": permit_id,
        "seq": seq,
        "effective_on": on,
        "recorded_at": datetime.combine(on, time(3, 0, tzinfo=UTC)) + timedelta(seconds=seq),
        "actor": OFFICER,
        "actor_id": None,
        "from_status": source,
        "to_status": walk.status,
        "note": note,
        "clock_running": state.running,
        "agency_days_used": state.agency_days_used,
        "investor_days_used": state.investor_days_used,
        "sla_working_days": state.sla_working_days,
        "due_on": state.due_on,
        "regulation": walk.regime.name if walk.regime is not None else None,
        "evidence_fingerprint": None,
    }


def history_rows(
    first_permit_id: int, first_event_id: int, counts: list[int], estates: int, seed: int, as_of, cat, cal
) -> Iterator[tuple[int, dict, list[dict]]]:
    """(estate index, permit row, its events) of every permit, in order."""
    event_id = first_event_id
    for k, count in enumerate(counts):
        slot, types = k // estates, len(cat.type_ids)
        permit, events = permit_history(
            first_permit_id + k, event_id, slot % types, count, slot >= types, seed, as_of, cat, cal
        )
        event_id += count
        yield k % estates, permit, events
