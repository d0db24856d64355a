"""The forecast of a whole province, fast: ``model``'s arithmetic computed once per distinct class instead of once per
zone, with the same results as ``model.compute_zone`` and ``model.held_back`` zone by zone.

A zone's series is a function of its sizes (full jobs, construction workers) and its dates (clear, operating):
zones sharing them (the same blocking-permit expected dates, kind, size and jobs) share one series, numbered once
(in ``estate``, in the order first met) and stored once; the figures of every series are computed together
(``figures``, with numpy: ``forecast.packed``). Within an estate, the zones waiting for the same blocker with the
same target date share their timing; the held-back gain of an overdue permit is the difference of two memoised
series' job-quarters.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import cache, partial

import numpy as np

from forecast import packed
from forecast.model import (
    BUILDING_BLOCKER,
    CENTRAL,
    INDUSTRIAL_BLOCKER,
    AddWorkingDays,
    Inputs,
    PermitFact,
    Triple,
    ZoneFacts,
    ZoneResult,
    central_job_quarters,
    quarter_ends,
    waits_on_prerequisites,
    with_target,
    zone_sizes,
    zone_timing,
)

Cells = dict[tuple[str, str], Triple]
NOTHING_HELD: dict[int, int] = {}  # what most zones hold back: shared, never changed
BLOCKERS = {"industrial": INDUSTRIAL_BLOCKER, "estate": INDUSTRIAL_BLOCKER}  # any other kind: BUILDING_BLOCKER


class Engine:
    """One refresh's memo: series by (sizes, dates), sizes by zone shape. ``series_of`` numbers the distinct
    series in the order they were first met."""

    def __init__(self, inputs: Inputs, as_of: date, add_wd: AddWorkingDays, low_ratio: Decimal | None = None) -> None:
        self.inputs, self.as_of = inputs, as_of
        self.low_ratio = low_ratio  # an adopted calibration of the low case (``forecast.calibration``), or None
        self.add_wd: AddWorkingDays = cache(add_wd)
        self.quarters = quarter_ends(as_of, inputs.horizon_quarters)
        self._sizes: dict[tuple, tuple] = {}
        self._numbers: dict[tuple, int] = {}  # (full, builders, clear, operating) -> series number
        self._params: list[tuple] = []  # series number -> its (full, builders, clear, operating)
        self._figures: np.ndarray | None = None  # series number -> its figures (``packed.compute``), once computed
        self._jq: dict[tuple, int] = {}  # (central full jobs, central operating day) -> job-quarters

    def _job_quarters(self, full: int, operating: date | None) -> int:
        """Central operation job-quarters of a zone (``model.central_job_quarters``), memoised."""
        key = (full, operating)
        found = self._jq.get(key)
        if found is None:
            found = self._jq[key] = central_job_quarters(full, operating, self.inputs, self.quarters)
        return found

    def _held(
        self, full: int, operating: date | None, target: date | None, permit_ids: list[int], freed_timing
    ) -> dict[int, int]:
        """The job-quarters each permit of ``permit_ids`` holds back: the gain of the zone's central operation if it
        were decided today (``freed_timing(permit id)``: the zone's untargeted timing then)."""
        held: dict[int, int] = {}
        base_total = self._job_quarters(full, operating)
        for permit_id in permit_ids:
            freed = with_target(freed_timing(permit_id)[1], target)
            gain = self._job_quarters(full, freed[CENTRAL]) - base_total
            if gain > 0:
                held[permit_id] = gain
        return held

    @staticmethod
    def _way(facts: dict[str, PermitFact], roots: tuple[str, ...]) -> frozenset[str]:
        """The permit types whose decision the expected dates of ``roots`` hang on (a zone's blocker and the permit
        its stop order names): the roots, and the prerequisites of those whose date follows from their
        prerequisites', transitively, as ``model.expected_decision`` visits them. Deciding any other permit today
        changes none of the zone's dates."""
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            code = todo.pop()
            if code not in seen:
                seen.add(code)
                fact = facts.get(code)
                if fact is not None and waits_on_prerequisites(fact):
                    todo += fact.prerequisites
        return frozenset(seen)

    def figures(self) -> np.ndarray:
        """Every series' figures, one row per series number, in ``packed.keys`` order (``packed.compute``)."""
        if self._figures is None:
            ends = [end for _, end in self.quarters]
            self._figures = packed.compute(self._params, self.inputs.ramp_up_months, ends, self.low_ratio)
        return self._figures

    def forget(self) -> None:
        """Drop the memos once every series' figures are computed (``figures``): what is left is ``cells`` and
        ``totals``."""
        self.figures()
        for memo in (self._sizes, self._numbers, self._params, self._jq):
            memo.clear()

    def cells(self, number: int) -> Cells:
        """One series' cells, as ``model.zone_cells`` (then ``calibration.apply``) gives them."""
        return packed.as_cells(self.figures()[number], [quarter for quarter, _ in self.quarters])

    def totals(self, counts: dict[tuple, dict[int, int]]) -> Iterator[tuple]:
        """(group..., zones, quarter, phase, low, central, high) for each group of ``counts`` (group -> series
        number -> zones), the zones' figures summed."""
        figures = self.figures()
        keys = packed.keys([quarter for quarter, _ in self.quarters])
        for group, by_series in counts.items():
            numbers = np.fromiter(by_series.keys(), dtype=np.int64, count=len(by_series))
            zones = np.fromiter(by_series.values(), dtype=np.int64, count=len(by_series))
            total, count = (zones @ figures[numbers]).tolist(), int(zones.sum())
            for i, (quarter, phase) in enumerate(keys):
                yield (*group, count, quarter, phase, *total[3 * i : 3 * i + 3])

    def estate(
        self, facts: dict[str, PermitFact], zones: list[ZoneFacts]
    ) -> list[tuple[ZoneResult, int, dict[int, int]]]:
        """For each zone of one estate: its result (as ``compute_zone``, but without its cells: those of its series
        number, ``cells``), its series number and the job-quarters each overdue permit holds back (as
        ``held_back``): ``rows`` as results."""
        return [
            (ZoneResult(basis, zone.commitment_jobs, prior, full, clear, operating, waits, notes, {}), number, held)
            for zone, (basis, prior, full, clear, operating, waits, notes, number, held) in zip(
                zones, self.rows(facts, zones), strict=True
            )
        ]

    def rows(self, facts: dict[str, PermitFact], zones: list[ZoneFacts]) -> list[tuple]:
        """For each zone of one estate, as plain values (what a refresh writes; ``estate`` makes them results):
        (basis, prior jobs, full jobs, clear, operating, waits for, notes, series number, held back). The loop is
        written for 100,000 zones a refresh: memo look-ups inline, no key made twice, no object per zone."""
        timings: dict[object, tuple] = {}  # blocker, or (blocker, permit decided today) -> the untargeted timing
        ways: dict[tuple, frozenset[str]] = {}  # (blocker, permit the stop names) -> ``_way``
        overdue = [(f.code, f.permit_id) for f in facts.values() if f.state == "overdue" and f.permit_id is not None]
        sizes, numbers, params, as_of = self._sizes, self._numbers, self._params, self.as_of

        def timing(zone: ZoneFacts, blocker: str, decided: int | None) -> tuple:
            """The zone's timing without its target date: shared by the zones with the same blocker."""
            key = blocker if decided is None else (blocker, decided)
            found = timings.get(key)
            if found is None:
                notes: list[str] = []
                untargeted = zone if zone.target_operating_on is None else zone._replace(target_operating_on=None)
                today = frozenset() if decided is None else frozenset({decided})
                clear, operating, waits = zone_timing(untargeted, facts, as_of, self.add_wd, self.inputs, today, notes)
                found = timings[key] = (clear, operating, waits, notes)
            return found

        out = []
        for zone in zones:
            kind = zone.kind
            blocker = BLOCKERS.get(kind, BUILDING_BLOCKER)
            target = zone.target_operating_on
            found = timings.get(blocker)
            clear, operating, waits_for, notes = found if found is not None else timing(zone, blocker, None)
            if target is not None:
                operating = with_target(operating, target)
            size_key = (kind, zone.area_ha, zone.commitment_jobs, zone.investment_rp if kind == "estate" else None)
            sized = sizes.get(size_key)
            if sized is None:
                sized = sizes[size_key] = zone_sizes(zone, self.inputs, as_of)
            basis, prior, full, builders = sized
            key = (full, builders, clear, operating)
            number = numbers.setdefault(key, len(params))  # the key hashed once (80,000 of 100,000 are new)
            if number == len(params):  # a new series: its figures are computed with the others (``figures``)
                params.append(key)
                self._figures = None
            held = NOTHING_HELD
            if overdue:
                roots = (blocker, zone.stop_waits_for) if zone.stopped and zone.stop_waits_for else (blocker,)
                way = ways.get(roots)
                if way is None:
                    way = ways[roots] = self._way(facts, roots)
                on_way = [permit_id for code, permit_id in overdue if code in way]  # deciding another: no change
                if on_way:
                    held = self._held(full[CENTRAL], operating[CENTRAL], target, on_way, partial(timing, zone, blocker))
            out.append((basis, prior, full, clear, operating, waits_for, notes, number, held))
        return out
