"""The forecast of a whole province, fast: ``model``'s arithmetic computed once per distinct class instead of once per
zone, with the same results as ``model.compute_zone`` and ``model.held_back`` zone by zone.

A zone's series is a function of its sizes (full jobs, construction workers) and its dates (clear, operating):
zones sharing them (the same blocking-permit expected dates, kind, size and jobs) share one series, computed once
and stored once (``series`` numbers it). Within an estate, the zones waiting for the same blocker with the same
target date share their timing; the held-back gain of an overdue permit is the difference of two memoised
series' job-quarters.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import cache

from forecast import calibration
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
    zone_cells,
    zone_sizes,
    zone_timing,
)

Cells = dict[tuple[str, str], Triple]
FIELD = 64  # bits per figure in a packed series: sums of non-negative jobs far below 2**63
PHASES = ("construction", "operation")
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
        self._cells: list[Cells] = []  # series number -> its cells
        self._jq: dict[tuple, int] = {}  # (central full jobs, central operating day) -> job-quarters
        self._packed: list[int] = []  # series number -> its figures packed in one integer (``pack``)
        self.keys = [(quarter, phase) for quarter, _ in self.quarters for phase in PHASES]

    def _sized(self, zone: ZoneFacts) -> tuple:
        key = (zone.kind, zone.area_ha, zone.commitment_jobs, zone.investment_rp if zone.kind == "estate" else None)
        if key not in self._sizes:
            self._sizes[key] = zone_sizes(zone, self.inputs, self.as_of)
        return self._sizes[key]

    def _series(self, key: tuple) -> tuple[int, Cells]:
        """The series number and cells of (full, builders, clear, operating), computed the first time."""
        number = self._numbers.get(key)
        if number is None:
            cells = calibration.apply(zone_cells(*key, self.inputs, self.quarters), self.low_ratio)
            number = self._numbers[key] = len(self._cells)
            self._cells.append(cells)
            self._packed.append(self.pack(cells))
        return number, self._cells[number]

    def _job_quarters(self, full: int, operating: date | None) -> int:
        """Central operation job-quarters of a zone (``model.central_job_quarters``), memoised."""
        key = (full, operating)
        found = self._jq.get(key)
        if found is None:
            found = self._jq[key] = central_job_quarters(full, operating, self.inputs, self.quarters)
        return found

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

    def series(self) -> Iterator[tuple[int, Cells]]:
        """Every distinct series some zone has: (number, cells)."""
        yield from enumerate(self._cells)

    def pack(self, cells: Cells) -> int:
        """The series' figures (low, central, high of each quarter and phase, in ``keys`` order) as the fields of
        one integer: n zones' worth of a series is one multiplication, a sum of series one addition, exactly."""
        figures = [value for key in self.keys for value in cells[key]]  # each a non-negative 64-bit field
        return int.from_bytes(struct.pack(f"<{len(figures)}Q", *figures), "little")

    def totals(self, counts: dict[tuple, dict[int, int]]) -> Iterator[tuple]:
        """(group..., zones, quarter, phase, low, central, high) for each group of ``counts`` (group -> series
        number -> zones), the zones' figures summed."""
        mask = (1 << FIELD) - 1
        for group, by_series in counts.items():
            total = sum(n * self._packed[number] for number, n in by_series.items())
            zones = sum(by_series.values())
            for i, (quarter, phase) in enumerate(self.keys):
                base = 3 * FIELD * i
                low, central, high = ((total >> (base + FIELD * k)) & mask for k in range(3))
                yield (*group, zones, quarter, phase, low, central, high)

    def estate(
        self, facts: dict[str, PermitFact], zones: list[ZoneFacts]
    ) -> list[tuple[ZoneResult, int, dict[int, int]]]:
        """For each zone of one estate: its result (as ``compute_zone``), its series number and the job-quarters
        each overdue permit holds back (as ``held_back``)."""
        timings: dict[tuple, tuple] = {}
        ways: dict[tuple, frozenset[str]] = {}  # (blocker, permit the stop names) -> ``_way``
        overdue = [(f.code, f.permit_id) for f in facts.values() if f.state == "overdue" and f.permit_id is not None]
        none: frozenset[int] = frozenset()

        def timing(zone: ZoneFacts, blocker: str, decided: frozenset[int]) -> tuple:
            """The zone's timing without its target date: shared by the zones with the same blocker."""
            key = (blocker, decided)
            found = timings.get(key)
            if found is None:
                notes: list[str] = []
                untargeted = zone if zone.target_operating_on is None else zone._replace(target_operating_on=None)
                clear, operating, waits = zone_timing(
                    untargeted, facts, self.as_of, self.add_wd, self.inputs, decided, notes
                )
                found = timings[key] = (clear, operating, waits, notes)
            return found

        out = []
        for zone in zones:
            blocker = BLOCKERS.get(zone.kind, BUILDING_BLOCKER)
            target = zone.target_operating_on
            clear, operating, waits_for, notes = timing(zone, blocker, none)
            operating = with_target(operating, target)
            basis, prior, full, builders = self._sized(zone)
            number, cells = self._series((full, builders, clear, operating))
            held: dict[int, int] = {}
            if overdue:
                roots = (blocker, zone.stop_waits_for) if zone.stopped and zone.stop_waits_for else (blocker,)
                way = ways.get(roots)
                if way is None:
                    way = ways[roots] = self._way(facts, roots)
                base_total = self._job_quarters(full[CENTRAL], operating[CENTRAL])
                for code, permit_id in overdue:
                    if code in way:  # on the zone's way: deciding any other permit changes nothing
                        freed = with_target(timing(zone, blocker, frozenset({permit_id}))[1], target)
                        gain = self._job_quarters(full[CENTRAL], freed[CENTRAL]) - base_total
                        if gain > 0:
                            held[permit_id] = gain
            result = ZoneResult(basis, zone.commitment_jobs, prior, full, clear, operating, waits_for, notes, cells)
            out.append((result, number, held))
        return out
