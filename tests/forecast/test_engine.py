"""The province engine gives, zone by zone, exactly what the pure model gives: the same timing, cells and held-back
job-quarters (hypothesis), however many zones share a series; and the packed totals are the exact sums."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.engine import Engine
from forecast.model import ZoneFacts, compute_zone, held_back
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
            assert result == model
            assert held == held_back(zone, facts, given_inputs, TODAY, add_days, model)
            counts.setdefault((zone.kind,), {}).setdefault(number, 0)
            counts[zone.kind,][number] += 1
            for (quarter, phase), values in model.cells.items():
                acc = expected_totals.setdefault(f"{zone.kind} {quarter} {phase}", [0, 0, 0])
                for i in range(3):
                    acc[i] += values[i]
    totals = {f"{kind} {q} {p}": [low, central, high] for kind, _, q, p, low, central, high in engine.totals(counts)}
    assert totals == expected_totals
