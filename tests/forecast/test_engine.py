"""The province engine gives, zone by zone, exactly what the pure model gives: the same timing, cells and held-back
job-quarters (hypothesis), however many zones share a series; and the packed totals are the exact sums."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import calibration, packed
from forecast.engine import Engine
from forecast.model import (
    PermitFact,
    ZoneFacts,
    _known_decision,
    compute_zone,
    held_back,
    quarter_ends,
    waits_on_prerequisites,
    zone_cells,
)
from tests.forecast.test_model import TODAY, add_days, inputs, permit_facts

ZONES = st.lists(
    st.builds(
        ZoneFacts,
        kind=st.sampled_from(["industrial", "housing", "commercial", "estate"]),
        area_ha=st.sampled_from([Decimal(10), Decimal("20.5"), Decimal(100)]),
        commitment_jobs=st.one_of(st.none(), st.sampled_from([0, 500, 2_000])),
        target_operating_on=st.one_of(st.none(), st.dates(date(2027, 1, 1), date(2031, 1, 1))),
        investment_rp=st.just(Decimal("650000000000")),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=120, deadline=None)
@given(estates=st.lists(st.tuples(permit_facts(), ZONES, st.booleans(), st.sampled_from([None, "AMDAL"])), max_size=4))
def test_the_engine_equals_the_model_zone_by_zone(estates):
    given_inputs = inputs()
    engine = Engine(given_inputs, TODAY, add_days)
    expected_totals: dict[str, list[int]] = {}
    counts: dict[tuple, dict[int, int]] = {}
    for facts, zones, stopped, names in estates:
        zones = [ZoneFacts(z.kind, z.area_ha, z.commitment_jobs, z.target_operating_on, z.investment_rp, stopped,
                           names) for z in zones]  # fmt: skip
        for zone, (result, number, held) in zip(zones, engine.estate(facts, zones), strict=True):
            model = compute_zone(zone, facts, given_inputs, TODAY, add_days)
            assert replace(result, cells=engine.cells(number)) == model
            assert held == held_back(zone, facts, given_inputs, TODAY, add_days, model)
            counts.setdefault((zone.kind,), {}).setdefault(number, 0)
            counts[zone.kind,][number] += 1
            for (quarter, phase), values in model.cells.items():
                acc = expected_totals.setdefault(f"{zone.kind} {quarter} {phase}", [0, 0, 0])
                for i in range(3):
                    acc[i] += values[i]
    totals = {f"{kind} {q} {p}": [low, central, high] for kind, _, q, p, low, central, high in engine.totals(counts)}
    assert totals == expected_totals


@pytest.mark.parametrize("state", ["issued", "on_track", "overdue", "with_investor", "not_filed", "unknown"])
@pytest.mark.parametrize("dated", [True, False])
@pytest.mark.parametrize("decided", [frozenset(), frozenset({1})])
def test_a_permit_waits_on_its_prerequisites_exactly_when_the_model_knows_no_date(state, dated, decided):
    """The engine skips the held-back timing of an overdue permit off the zone's way (``Engine._way``), which follows
    the prerequisites of the permits ``waits_on_prerequisites`` names: those ``_known_decision`` gives no date."""
    day = TODAY if dated else None
    fact = PermitFact("PBG", state, 30, ("AMDAL",), 1, decided_on=day, due_on=day, median_days=5, p90_days=9)
    known = _known_decision(fact, TODAY, add_days, 10, decided, None)
    assert waits_on_prerequisites(fact) == (known is None)


DAYS = st.one_of(st.none(), st.integers(min_value=-400, max_value=2200).map(lambda n: TODAY + timedelta(days=n)))
JOBS = st.integers(min_value=0, max_value=2_000_000)


@st.composite
def series_params(draw) -> tuple:
    """(full, builders, clear, operating) triples as the engine meets them: a case with a construction start has an
    operating day (``model.zone_cells`` compares the two)."""
    full, builders = (tuple(draw(JOBS) for _ in range(3)) for _ in range(2))
    operating = tuple(draw(DAYS) for _ in range(3))
    clear = tuple(draw(DAYS) if day is not None else None for day in operating)
    return full, builders, clear, operating


@settings(max_examples=150, deadline=None)
@given(
    params=st.lists(series_params(), min_size=1, max_size=5),
    ramp=st.tuples(*(st.integers(min_value=0, max_value=36) for _ in range(3))),
    ratio=st.none() | st.decimals(min_value=0, max_value=3, places=4),
)
def test_the_packed_figures_are_the_models_cells_stored_and_read_back(params, ramp, ratio):
    """``packed.compute`` (every series at once) gives ``model.zone_cells`` then ``calibration.apply`` exactly, and
    what ``encode`` stores ``decode`` reads back."""
    given_inputs = replace(inputs(), ramp_up_months=tuple(Decimal(m) for m in ramp))
    quarters = quarter_ends(TODAY, given_inputs.horizon_quarters)
    ends = [end for _, end in quarters]
    figures = packed.compute(params, given_inputs.ramp_up_months, ends, ratio)
    names = [quarter for quarter, _ in quarters]
    for row, (full, builders, clear, operating) in zip(figures, params, strict=True):
        expected = calibration.apply(zone_cells(full, builders, clear, operating, given_inputs, quarters), ratio)
        assert packed.as_cells(row, names) == expected
    stored = packed.decode(packed.encode(figures), figures.shape[1])
    assert (stored == figures).all()
    assert packed.operation_central(figures).tolist() == [
        sum(v[1] for (_, phase), v in packed.as_cells(row, names).items() if phase == "operation") for row in figures
    ]
