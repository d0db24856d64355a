"""The pure arithmetic: low <= central <= high in every cell whatever the inputs and permit states (hypothesis),
and the cases of the timing rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.model import Inputs, PermitFact, ZoneFacts, compute_zone, expected_decision, quarter_ends

TODAY = date(2026, 11, 2)


def add_days(day: date, n: int) -> date:
    """A calendar without holidays (working days = weekdays) for the pure tests."""
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def inputs(construction=(36, 24, 18), ramp=(48, 36, 24), workers=(20, 30, 40), horizon=20) -> Inputs:
    return Inputs(
        jobs_per_ha={"industrial": Decimal(100)},
        jobs_per_trillion={2025: Decimal(1404)},
        construction_months=tuple(Decimal(v) for v in construction),
        ramp_up_months=tuple(Decimal(v) for v in ramp),
        construction_workers_per_ha={k: tuple(Decimal(v) for v in workers) for k in ("industrial", "housing")},
        min_decided_cases=10,
        horizon_quarters=horizon,
    )


STATES = st.sampled_from(["issued", "on_track", "overdue", "with_investor", "not_filed"])


@st.composite
def permit_facts(draw) -> dict[str, PermitFact]:
    chain = {"KKPR": (), "AMDAL": ("KKPR",), "IUKI": ("KKPR", "AMDAL"), "PBG": ("AMDAL",), "SLF": ("PBG",)}
    facts = {}
    for i, (code, pre) in enumerate(chain.items()):
        state = draw(STATES)
        cases = draw(st.integers(0, 30))
        median = draw(st.integers(1, 200))
        facts[code] = PermitFact(
            code, state, sla=draw(st.integers(1, 90)), prerequisites=pre, permit_id=i + 1,
            decided_on=TODAY - timedelta(days=draw(st.integers(0, 400))),
            due_on=TODAY + timedelta(days=draw(st.integers(0, 200))), days_left=draw(st.integers(-20, 60)),
            median_days=median, p90_days=median + draw(st.integers(0, 200)), decided_cases=cases,
        )  # fmt: skip
    return facts


@settings(max_examples=150, deadline=None)
@given(
    facts=permit_facts(),
    kind=st.sampled_from(["industrial", "housing", "estate"]),
    area=st.decimals(1, 500, places=2),
    commitment=st.one_of(st.none(), st.integers(0, 50_000)),
    stopped=st.booleans(),
    stop_names=st.sampled_from([None, "AMDAL", "PBG"]),
    target=st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2032, 1, 1))),
    construction=st.lists(st.integers(1, 48), min_size=3, max_size=3),
    ramp=st.lists(st.integers(0, 60), min_size=3, max_size=3),
)
def test_low_never_above_central_never_above_high(
    facts, kind, area, commitment, stopped, stop_names, target, construction, ramp
):
    zone = ZoneFacts(kind, area, commitment, target, Decimal("650000000000"), stopped, stop_names)
    given_inputs = inputs(construction=sorted(construction, reverse=True), ramp=sorted(ramp, reverse=True))
    result = compute_zone(zone, facts, given_inputs, TODAY, add_days)
    assert len(result.cells) == 2 * given_inputs.horizon_quarters
    for key, (low, central, high) in result.cells.items():
        assert 0 <= low <= central <= high, key
    assert result.full_jobs[0] <= result.full_jobs[1] <= result.full_jobs[2]


def test_an_overdue_permit_uses_the_observed_delay_with_enough_cases_and_the_limit_without():
    observed = {"sla": 63, "permit_id": 1, "median_days": 80, "p90_days": 120}
    few = {"AMDAL": PermitFact("AMDAL", "overdue", decided_cases=9, **observed)}
    assert expected_decision("AMDAL", few, TODAY, add_days, 10) == (add_days(TODAY, 63),) * 3
    enough = {"AMDAL": PermitFact("AMDAL", "overdue", decided_cases=10, **observed)}
    assert expected_decision("AMDAL", enough, TODAY, add_days, 10) == (add_days(TODAY, 120), add_days(TODAY, 80), TODAY)
    # decided today: the counterfactual of the held-back figure
    assert expected_decision("AMDAL", enough, TODAY, add_days, 10, frozenset({1})) == (TODAY,) * 3


def test_a_permit_not_filed_waits_for_its_prerequisites_then_its_limit():
    facts = {
        "AMDAL": PermitFact("AMDAL", "on_track", sla=63, permit_id=1, due_on=date(2027, 1, 15)),
        "IUKI": PermitFact("IUKI", "not_filed", sla=5, prerequisites=("AMDAL",)),
    }
    assert expected_decision("IUKI", facts, TODAY, add_days, 10) == (add_days(date(2027, 1, 15), 5),) * 3


def test_a_stop_order_naming_no_permit_leaves_only_the_high_case():
    facts = {"IUKI": PermitFact("IUKI", "issued", sla=5, permit_id=1, decided_on=date(2026, 1, 5))}
    zone = ZoneFacts("industrial", Decimal(10), None, None, None, stopped=True, stop_waits_for=None)
    result = compute_zone(zone, facts, inputs(horizon=40), TODAY, add_days)
    assert result.operating[0] is None and result.operating[1] is None and result.operating[2] is not None
    last = result.cells[quarter_ends(TODAY, 40)[-1][0], "operation"]
    assert last == (0, 0, 1000)
