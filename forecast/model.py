"""The forecast's arithmetic, as pure functions of plain facts (no database, no request): timing and jobs.

Three cases, indexed ``LOW``, ``CENTRAL``, ``HIGH`` (of jobs: the low case takes the later dates, the longer
durations and the smaller job figure). Each cell's low and high are the least and the most of the three cases'
values, so ``low <= central <= high`` holds for every cell, also for construction work, which the late case
moves rather than lessens.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import NamedTuple

LOW, CENTRAL, HIGH = 0, 1, 2
CASES = (LOW, CENTRAL, HIGH)
Triple = tuple  # (low, central, high)
AddWorkingDays = Callable[[date, int], date]

# The permit whose decision a zone of each kind waits for, and the one that certifies its buildings after construction.
INDUSTRIAL_BLOCKER = "IUKI"
BUILDING_BLOCKER, BUILDING_CERTIFICATE = "PBG", "SLF"


class PermitFact(NamedTuple):
    """What the forecast needs to know about one permit type of one estate (a named tuple: a province has 200,000,
    made in a tight loop).

    ``state``: ``issued`` (granted, ``decided_on`` set), ``on_track`` (the agency holds it within its limit,
    ``due_on`` set), ``overdue`` (the agency holds it past its limit), ``with_investor`` (returned for revision),
    ``not_filed`` (no live application yet). ``delays``: the working days the agency took to decide in the
    tracker's decided cases of the same type and agency (median, 90th percentile) and how many there were.
    """

    code: str
    state: str
    sla: int
    prerequisites: tuple[str, ...] = ()
    permit_id: int | None = None
    agency_id: int | None = None
    agency_name: str = ""
    decided_on: date | None = None
    due_on: date | None = None
    days_left: int = 0
    median_days: int | None = None
    p90_days: int | None = None
    decided_cases: int = 0


class ZoneFacts(NamedTuple):
    kind: str  # a zone kind, or "estate" for an estate recorded without zones
    area_ha: Decimal | None
    commitment_jobs: int | None
    target_operating_on: date | None
    investment_rp: Decimal | None
    stopped: bool = False
    stop_waits_for: str | None = None  # the permit type the stop order names (JDI's: AMDAL)


@dataclass(frozen=True)
class Inputs:
    """The figures of one run (see forecast.inputs): every one came from the editable table."""

    jobs_per_ha: dict[str, Decimal]  # zone kind -> direct jobs per ha; a kind without a prior is absent
    jobs_per_trillion: dict[int, Decimal]  # year -> jobs per Rp1 triliun
    construction_months: Triple
    ramp_up_months: Triple
    construction_workers_per_ha: dict[str, Triple]
    min_decided_cases: int
    skill_shares: dict[tuple[str, str], dict[str, Decimal]] = field(default_factory=dict)  # (kind, phase) -> shares
    horizon_quarters: int = 20


@dataclass
class ZoneResult:
    basis: str
    commitment_jobs: int | None
    prior_jobs: int | None
    full_jobs: Triple
    clear: Triple  # the day the permits (and any stop order) let construction start, or None: never in the horizon
    operating: Triple
    waits_for: str | None
    notes: list[str]
    cells: dict[tuple[str, str], Triple]  # (quarter, phase) -> (low, central, high)


# --- calendar helpers -----------------------------------------------------------------------------------------


@cache
def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_ends(as_of: date, n: int) -> list[tuple[str, date]]:
    """The ``n`` quarters from the one holding ``as_of``, each with its last day."""
    year, q = as_of.year, (as_of.month - 1) // 3
    out = []
    for _ in range(n):
        end_month = q * 3 + 3
        out.append((f"{year}-Q{q + 1}", date(year, end_month, calendar.monthrange(year, end_month)[1])))
        q += 1
        if q == 4:
            year, q = year + 1, 0
    return out


# --- timing ---------------------------------------------------------------------------------------------------


def _observed(fact: PermitFact, min_cases: int) -> tuple[int, int] | None:
    if fact.decided_cases >= min_cases and fact.median_days is not None and fact.p90_days is not None:
        return fact.median_days, fact.p90_days
    return None


def waits_on_prerequisites(fact: PermitFact) -> bool:
    """Whether a permit's expected decision follows from its prerequisites' (not filed, or without the date its
    state needs): exactly when ``_known_decision`` gives none."""
    if fact.state == "issued":
        return fact.decided_on is None
    if fact.state == "on_track":
        return fact.due_on is None
    return fact.state not in ("with_investor", "overdue")


def _known_decision(
    fact: PermitFact | None,
    today: date,
    add_wd: AddWorkingDays,
    min_cases: int,
    decided_today: frozenset[int],
    notes: list[str] | None,
) -> Triple | None:
    """The decision dates of a filed permit (``None`` for one not filed: it depends on its prerequisites)."""
    if fact is None:  # not in the catalogue for this estate: nothing to wait for
        return (today, today, today)
    if fact.state == "overdue" and fact.permit_id is not None and fact.permit_id in decided_today:
        return (today, today, today)
    if fact.state == "issued" and fact.decided_on is not None:
        return (fact.decided_on,) * 3
    if fact.state == "on_track" and fact.due_on is not None:
        return (max(fact.due_on, today),) * 3
    if fact.state == "with_investor":
        return (add_wd(today, max(fact.days_left, 1)),) * 3
    if fact.state != "overdue":
        return None
    observed = _observed(fact, min_cases)
    if observed is None:
        if notes is not None:
            notes.append(f"statutory:{fact.code}")
        return (add_wd(today, fact.sla),) * 3
    median_days, p90_days = observed
    return (add_wd(today, p90_days), add_wd(today, median_days), today)


def expected_decision(
    code: str,
    facts: dict[str, PermitFact],
    today: date,
    add_wd: AddWorkingDays,
    min_cases: int,
    decided_today: frozenset[int] = frozenset(),
    notes: list[str] | None = None,
    _memo: dict | None = None,
) -> Triple:
    """The expected decision date of permit type ``code`` in each case (low, central, high).

    issued: its decision date; on track: its statutory due date; overdue: today plus the observed delay of its type
    and agency (median central, 90th percentile low, today high), or plus the statutory limit with fewer than
    ``min_cases`` decided cases (noted); with the investor: today plus the agency's days left; not filed: after its
    prerequisites plus its statutory limit. A permit id in ``decided_today`` counts as decided today.
    """
    memo = {} if _memo is None else _memo
    if code in memo:
        return memo[code]
    fact = facts.get(code)
    result = _known_decision(fact, today, add_wd, min_cases, decided_today, notes)
    if result is None and fact is not None:  # not filed: after the prerequisites, then the whole statutory limit
        starts = [today, today, today]
        for pre in fact.prerequisites:
            pre_dates = expected_decision(pre, facts, today, add_wd, min_cases, decided_today, notes, memo)
            starts = [max(s, d) for s, d in zip(starts, pre_dates, strict=True)]
        result = tuple(add_wd(s, fact.sla) for s in starts)
    memo[code] = result
    return result


def zone_timing(
    zone: ZoneFacts,
    facts: dict[str, PermitFact],
    today: date,
    add_wd: AddWorkingDays,
    inputs: Inputs,
    decided_today: frozenset[int] = frozenset(),
    notes: list[str] | None = None,
) -> tuple[Triple, Triple, str]:
    """(clear, operating, waits_for): the day construction may start and the day the zone operates, per case.

    Industrial zones (and whole estates) wait for the IUKI; buildings wait for the PBG and, after construction, the
    SLF. A stop order naming a permit lifts with that permit's expected date; one naming none keeps the zone out of
    the low and central cases (``None``). A target operating date, where committed, is the central date unless the
    permits make it impossible.
    """
    memo: dict = {}
    blocker = INDUSTRIAL_BLOCKER if zone.kind in ("industrial", "estate") else BUILDING_BLOCKER
    clear = list(expected_decision(blocker, facts, today, add_wd, inputs.min_decided_cases, decided_today, notes, memo))
    waits_for = blocker
    if zone.stopped:
        if zone.stop_waits_for:
            lift = expected_decision(
                zone.stop_waits_for, facts, today, add_wd, inputs.min_decided_cases, decided_today, notes, memo
            )
            if lift[CENTRAL] > clear[CENTRAL]:
                waits_for = zone.stop_waits_for
            clear = [max(c, d) for c, d in zip(clear, lift, strict=True)]
        else:
            if notes is not None:
                notes.append("stop_unnamed")
    operating: list[date | None] = []
    for case in CASES:
        op = add_months(clear[case], int(inputs.construction_months[case]))
        if blocker == BUILDING_BLOCKER:
            slf = facts.get(BUILDING_CERTIFICATE)
            if slf is None or slf.state != "issued":
                op = add_wd(op, slf.sla if slf is not None else 0)
        operating.append(op)
    clear_out: list[date | None] = list(clear)
    if zone.stopped and not zone.stop_waits_for:  # only the high case assumes the stop is lifted
        clear_out[LOW] = clear_out[CENTRAL] = operating[LOW] = operating[CENTRAL] = None
    return tuple(clear_out), with_target(tuple(operating), zone.target_operating_on), waits_for


def with_target(operating: Triple, target: date | None) -> Triple:
    """The operating dates with the zone's committed target operating date: the central date where the permits
    allow it (not earlier than they do), the low case no earlier than it."""
    if target is None or operating[CENTRAL] is None or target <= operating[CENTRAL]:
        return operating
    return (max(operating[LOW], target), target, operating[HIGH])


# --- jobs -----------------------------------------------------------------------------------------------------


def prior_jobs(zone: ZoneFacts, inputs: Inputs, as_of: date) -> int | None:
    """Direct jobs the priors give: per hectare for a zone of a kind with a prior; per Rp1 triliun (the latest
    year on or before ``as_of``) for an estate recorded without zones."""
    if zone.kind == "estate":
        years = [y for y in inputs.jobs_per_trillion if y <= as_of.year] or list(inputs.jobs_per_trillion)
        if not years or not zone.investment_rp:
            return None
        per = inputs.jobs_per_trillion[max(years)]
        return int((zone.investment_rp * per / Decimal(10) ** 12).to_integral_value())
    per_ha = inputs.jobs_per_ha.get(zone.kind)
    if per_ha is None or zone.area_ha is None:
        return None
    return int((zone.area_ha * per_ha).to_integral_value())


def full_jobs(zone: ZoneFacts, inputs: Inputs, as_of: date) -> tuple[str, int | None, Triple]:
    """(basis, prior, (low, central, high) jobs at full employment): the commitment is the central case where it
    exists, the prior beside it widens the range; claims are never an input."""
    prior = prior_jobs(zone, inputs, as_of)
    commitment = zone.commitment_jobs
    if commitment is not None:
        others = [commitment] if prior is None else [commitment, prior]
        return "commitment", prior, (min(others), commitment, max(others))
    if prior is not None:
        return ("investment" if zone.kind == "estate" else "prior"), prior, (prior, prior, prior)
    return "none", None, (0, 0, 0)


def _ramp(full: int, operating: date | None, ramp_end: date | None, day: date) -> int:
    """Jobs at the end of ``day``: none before operation, then linear to ``full`` at ``ramp_end`` (rounded half up,
    in integers: exact and fast)."""
    if operating is None or ramp_end is None or day < operating:
        return 0
    if day >= ramp_end:
        return full
    total, elapsed = (ramp_end - operating).days, (day - operating).days
    return (2 * full * elapsed + total) // (2 * total)


def central_job_quarters(full: int, operating: date | None, inputs: Inputs, quarters: list[tuple[str, date]]) -> int:
    """The central case's operation jobs summed over ``quarters``: ``job_quarters`` of the zone's result, from its
    central full jobs and operating date alone (what the held-back figures compare)."""
    if operating is None:
        return 0
    ramp_end = add_months(operating, int(inputs.ramp_up_months[CENTRAL]))
    return sum(_ramp(full, operating, ramp_end, end) for _, end in quarters)


def zone_sizes(zone: ZoneFacts, inputs: Inputs, as_of: date) -> tuple[str, int | None, Triple, Triple]:
    """(basis, prior, full jobs, construction workers) of a zone: the same for every zone of the same kind, area,
    commitment and (for an estate without zones) investment."""
    basis, prior, full = full_jobs(zone, inputs, as_of)
    per_ha, area = inputs.construction_workers_per_ha.get(zone.kind), zone.area_ha
    if per_ha is None or not area:  # no workers per ha for the kind, or no area: none
        return basis, prior, full, (0, 0, 0)
    low, central, high = per_ha  # written out: 45,000 distinct zone sizes a province
    builders = (
        int((area * low).to_integral_value()),
        int((area * central).to_integral_value()),
        int((area * high).to_integral_value()),
    )
    return basis, prior, full, builders


def zone_cells(
    full: Triple, builders: Triple, clear: Triple, operating: Triple, inputs: Inputs, quarters: list[tuple[str, date]]
) -> dict[tuple[str, str], Triple]:
    """Direct jobs at the end of each quarter of ``quarters``, per phase and case, in integers: a function of the
    sizes and dates only, so zones sharing them share the result."""
    ramp_ends = [
        add_months(operating[case], int(inputs.ramp_up_months[case])) if operating[case] is not None else None
        for case in CASES
    ]
    ends = [end for _, end in quarters]
    ops = [[_ramp(full[case], operating[case], ramp_ends[case], end) for end in ends] for case in CASES]
    cons = [
        [builders[case] if start is not None and start <= end < stop else 0 for end in ends]
        for case, start, stop in zip(CASES, clear, operating, strict=True)
    ]
    cells: dict[tuple[str, str], Triple] = {}
    for i, (quarter, _) in enumerate(quarters):
        low, central, high = cons[LOW][i], cons[CENTRAL][i], cons[HIGH][i]
        cells[quarter, "construction"] = (min(low, central, high), central, max(low, central, high))
        low, central, high = ops[LOW][i], ops[CENTRAL][i], ops[HIGH][i]
        cells[quarter, "operation"] = (min(low, central, high), central, max(low, central, high))
    return cells


def compute_zone(
    zone: ZoneFacts,
    facts: dict[str, PermitFact],
    inputs: Inputs,
    as_of: date,
    add_wd: AddWorkingDays,
    decided_today: frozenset[int] = frozenset(),
) -> ZoneResult:
    """The zone's timing and its direct jobs at the end of each quarter of the horizon, per phase and case."""
    notes: list[str] = []
    clear, operating, waits_for = zone_timing(zone, facts, as_of, add_wd, inputs, decided_today, notes)
    basis, prior, full, builders = zone_sizes(zone, inputs, as_of)
    cells = zone_cells(full, builders, clear, operating, inputs, quarter_ends(as_of, inputs.horizon_quarters))
    return ZoneResult(basis, zone.commitment_jobs, prior, full, clear, operating, waits_for, notes, cells)


def job_quarters(result: ZoneResult, phase: str = "operation") -> int:
    """The central case's jobs summed over the quarters of the horizon (one job for one quarter is one)."""
    return sum(v[CENTRAL] for (_, p), v in result.cells.items() if p == phase)


def held_back(
    zone: ZoneFacts,
    facts: dict[str, PermitFact],
    inputs: Inputs,
    as_of: date,
    add_wd: AddWorkingDays,
    base: ZoneResult,
) -> dict[int, int]:
    """Job-quarters (central, operation) each overdue permit of the zone's estate holds back: the gain if that
    permit alone were decided today. Only permits with a gain are returned."""
    base_total = job_quarters(base)
    out: dict[int, int] = {}
    for fact in facts.values():
        if fact.state != "overdue" or fact.permit_id is None:
            continue
        freed = compute_zone(zone, facts, inputs, as_of, add_wd, frozenset({fact.permit_id}))
        gain = job_quarters(freed) - base_total
        if gain > 0:
            out[fact.permit_id] = gain
    return out


def skills_demand(
    cells: Sequence[tuple[str, str, str, int]], shares: dict[tuple[str, str], dict[str, Decimal]]
) -> dict[tuple[str, str, str], Decimal]:
    """(quarter, phase, skill) -> jobs, from (quarter, zone kind, phase, central jobs) rows and the share table."""
    out: dict[tuple[str, str, str], Decimal] = {}
    for quarter, kind, phase, jobs in cells:
        table = shares.get((kind, phase)) or shares.get(("industrial" if kind == "estate" else kind, phase), {})
        for skill, share in table.items():
            key = (quarter, phase, skill)
            out[key] = out.get(key, Decimal(0)) + Decimal(jobs) * share
    return out
