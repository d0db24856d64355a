"""The forecast of a whole province, fast: ``model``'s arithmetic computed once per distinct class instead of once per
zone, with the same results as ``model.compute_zone`` and ``model.held_back`` zone by zone.

A zone's series is a function of its sizes (full jobs, construction workers) and its dates (clear, operating):
zones sharing them (the same blocking-permit expected dates, kind, size and jobs) share one series, computed once
and stored once (``series`` numbers it). Within an estate, the zones waiting for the same blocker with the same
target date share their timing; the held-back gain of an overdue permit is the difference of two memoised
series' job-quarters.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import cache

from forecast.model import (
    BUILDING_BLOCKER,
    INDUSTRIAL_BLOCKER,
    AddWorkingDays,
    Inputs,
    PermitFact,
    Triple,
    ZoneFacts,
    ZoneResult,
    quarter_ends,
    zone_cells,
    zone_sizes,
    zone_timing,
)

Cells = dict[tuple[str, str], Triple]
FIELD = 64  # bits per figure in a packed series: sums of non-negative jobs far below 2**63
PHASES = ("construction", "operation")


class Engine:
    """One refresh's memo: series by (sizes, dates), sizes by zone shape. ``series_of`` numbers the distinct
    series in the order they were first met."""

    def __init__(self, inputs: Inputs, as_of: date, add_wd: AddWorkingDays) -> None:
        self.inputs, self.as_of = inputs, as_of
        self.add_wd: AddWorkingDays = cache(add_wd)
        self.quarters = quarter_ends(as_of, inputs.horizon_quarters)
        self._sizes: dict[tuple, tuple] = {}
        self._cells: dict[tuple, tuple[Cells, int]] = {}  # key -> (cells, central operation job-quarters)
        self._numbers: dict[tuple, int] = {}  # key -> series number, for the series some zone has (stored)
        self._packed: list[int] = []  # series number -> its figures packed in one integer (``pack``)
        self.keys = [(quarter, phase) for quarter, _ in self.quarters for phase in PHASES]

    def _sized(self, zone: ZoneFacts) -> tuple:
        key = (zone.kind, zone.area_ha, zone.commitment_jobs, zone.investment_rp if zone.kind == "estate" else None)
        if key not in self._sizes:
            self._sizes[key] = zone_sizes(zone, self.inputs, self.as_of)
        return self._sizes[key]

    def _series(self, key: tuple) -> tuple[Cells, int]:
        found = self._cells.get(key)
        if found is None:
            cells = zone_cells(*key, self.inputs, self.quarters)
            total = sum(v[1] for (_, phase), v in cells.items() if phase == "operation")
            found = self._cells[key] = (cells, total)
        return found

    def series(self) -> Iterator[tuple[int, Cells]]:
        """Every distinct series some zone has: (number, cells)."""
        for key, number in self._numbers.items():
            yield number, self._cells[key][0]

    def pack(self, cells: Cells) -> int:
        """The series' figures (low, central, high of each quarter and phase, in ``keys`` order) as the fields of
        one integer: n zones' worth of a series is one multiplication, a sum of series one addition, exactly."""
        packed, shift = 0, 0
        for key in self.keys:
            for value in cells[key]:
                packed |= value << shift
                shift += FIELD
        return packed

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
        overdue = [f.permit_id for f in facts.values() if f.state == "overdue" and f.permit_id is not None]

        def timing(zone: ZoneFacts, decided: frozenset[int]) -> tuple:
            blocker = INDUSTRIAL_BLOCKER if zone.kind in ("industrial", "estate") else BUILDING_BLOCKER
            key = (blocker, zone.target_operating_on, decided)
            if key not in timings:
                notes: list[str] = []
                clear, operating, waits = zone_timing(zone, facts, self.as_of, self.add_wd, self.inputs, decided, notes)
                timings[key] = (clear, operating, waits, notes)
            return timings[key]

        out = []
        for zone in zones:
            clear, operating, waits_for, notes = timing(zone, frozenset())
            basis, prior, full, builders = self._sized(zone)
            key = (full, builders, clear, operating)
            cells, base_total = self._series(key)
            number = self._numbers.get(key)
            if number is None:
                number = self._numbers[key] = len(self._packed)
                self._packed.append(self.pack(cells))
            held: dict[int, int] = {}
            for permit_id in overdue:
                freed_clear, freed_operating, _, _ = timing(zone, frozenset({permit_id}))
                gain = self._series((full, builders, freed_clear, freed_operating))[1] - base_total
                if gain > 0:
                    held[permit_id] = gain
            result = ZoneResult(
                basis, zone.commitment_jobs, prior, full, clear, operating, waits_for, list(notes), cells
            )
            out.append((result, number, held))
        return out
