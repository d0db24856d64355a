"""The estates' figures per kab/kota, capital status and estate status (``estates.tally``), kept by every flush,
always equal a recount, and the dashboard's estate figures read them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import delete, select

from app.extensions import db
from app.models import Region, Role
from app.security import Scope
from devtools.factories import make_estate, make_investor
from estates.models import CapitalStatus, Estate, EstateStatus
from estates.tally import EstateTally, area_m2, estate_tally_mismatches, recount_estate_tally
from permits.figures import PIPELINE_EXCLUDES, dashboard_figures

PROVINCE = Scope(role=Role.OFFICER)
AREAS = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("5000"), places=4)
AMOUNTS = st.one_of(st.none(), st.integers(0, 10**15).map(Decimal))


def _expected(estates: list[Estate], region_id: int | None = None) -> dict:
    """The dashboard's estate figures computed from the estates themselves, in Python."""
    shown = [e for e in estates if region_id is None or e.region_id == region_id]
    pipeline = [e for e in shown if e.status not in PIPELINE_EXCLUDES]
    return {
        "count": len(shown),
        "area": sum((e.area_ha for e in shown), Decimal(0)),
        "pipeline": len(pipeline),
        "pipeline_rp": sum((e.planned_investment_rp or 0 for e in pipeline), Decimal(0)),
        "by_status": {s: sum(1 for e in shown if e.status == s) for s in EstateStatus},
        "by_capital": {
            c: (
                sum(1 for e in shown if e.investor.capital_status == c),
                sum((e.planned_investment_rp or 0 for e in pipeline if e.investor.capital_status == c), Decimal(0)),
            )
            for c in CapitalStatus
        },
        "by_region": {
            e.region_id: (
                sum(1 for o in shown if o.region_id == e.region_id),
                sum((o.area_ha for o in shown if o.region_id == e.region_id), Decimal(0)),
            )
            for e in shown
        },
    }


def _shown(scope: Scope) -> dict:
    f = dashboard_figures(scope)
    return {
        "count": f.estate_count,
        "area": f.total_area_ha,
        "pipeline": f.pipeline_count,
        "pipeline_rp": f.pipeline_rp,
        "by_status": dict(f.estates_by_status),
        "by_capital": {c.capital_status: (c.estates, c.pipeline_rp) for c in f.by_capital},
        "by_region": {r.region.id: (r.estates, r.area_ha) for r in f.by_region if r.estates},
    }


class EstateTallyWalk(RuleBasedStateMachine):
    """New estates, changes of status, area, investment, kab/kota and investor, investors turning PMA or PMDN, and
    estates deleted, each flushed: the kept figures always equal a recount and the estates themselves."""

    def __init__(self) -> None:
        super().__init__()
        self.regions = db.session.scalars(select(Region).order_by(Region.id)).all()
        self.investors = [make_investor(capital_status=c) for c in (CapitalStatus.PMA, CapitalStatus.PMDN)]
        self.estates: list[Estate] = []
        db.session.execute(delete(Estate))  # each example starts from no estate and exact figures
        recount_estate_tally()

    @rule(investor=st.integers(0, 1), region=st.integers(0, 7), status=st.sampled_from(list(EstateStatus)))
    def add(self, investor: int, region: int, status: EstateStatus) -> None:
        extra = {"stop_order_on": date(2026, 1, 2)} if status is EstateStatus.STOPPED else {}
        self.estates.append(
            make_estate(investor=self.investors[investor], region=self.regions[region], status=status, **extra)
        )

    @rule(which=st.integers(0, 20), status=st.sampled_from(list(EstateStatus)), area=AREAS, amount=AMOUNTS)
    def change(self, which: int, status: EstateStatus, area: Decimal, amount: Decimal | None) -> None:
        if not self.estates:
            return
        estate = self.estates[which % len(self.estates)]
        if status is EstateStatus.STOPPED and estate.stop_order_on is None:
            return
        estate.status, estate.area_ha, estate.planned_investment_rp = status, area, amount
        db.session.flush()

    @rule(which=st.integers(0, 20), region=st.integers(0, 7), investor=st.integers(0, 1), by_record=st.booleans())
    def move(self, which: int, region: int, investor: int, by_record: bool) -> None:
        if not self.estates:
            return
        estate = self.estates[which % len(self.estates)]
        if by_record:
            estate.region, estate.investor = self.regions[region], self.investors[investor]
        else:
            estate.region_id, estate.investor_id = self.regions[region].id, self.investors[investor].id
        db.session.flush()
        db.session.expire(estate, ["region", "investor"])

    @rule(investor=st.integers(0, 1), capital=st.sampled_from(list(CapitalStatus)), expire=st.booleans())
    def turn(self, investor: int, capital: CapitalStatus, expire: bool) -> None:
        if expire:  # the old value is not loaded when it changes
            db.session.expire(self.investors[investor])
        self.investors[investor].capital_status = capital
        db.session.flush()

    @rule(which=st.integers(0, 20))
    def remove(self, which: int) -> None:
        if not self.estates:
            return
        db.session.delete(self.estates.pop(which % len(self.estates)))
        db.session.flush()

    @invariant()
    def kept_equals_recount(self) -> None:
        assert estate_tally_mismatches() == {}
        assert _shown(PROVINCE) == _expected(self.estates)
        region_id = self.regions[0].id
        assert _shown(Scope(role=Role.OFFICER, region_id=region_id)) == _expected(self.estates, region_id)


EstateTallyWalk.TestCase.settings = settings(
    max_examples=25, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_estate_tally_walk = EstateTallyWalk.TestCase


def test_recount_repairs_what_a_bulk_load_left():
    estate = make_estate(area_ha=Decimal("12.3456"), planned_investment_rp=Decimal(7))
    key = (estate.region_id, estate.investor.capital_status.value, estate.status.value)
    db.session.execute(delete(EstateTally))
    assert estate_tally_mismatches() == {key: ((0, 0, 0), (1, 123456, 7))}
    recount_estate_tally()
    assert estate_tally_mismatches() == {}
    assert dashboard_figures(Scope(role=Role.OFFICER, region_id=estate.region_id)).total_area_ha == Decimal("12.3456")


def test_area_in_square_metres_as_stored():
    assert area_m2(Decimal("1.00005")) == 10001  # Numeric(12, 4) rounds half away from zero
    assert area_m2(Decimal("0.0001")) == 1
    assert area_m2(None) == 0


def test_an_investor_scope_counts_its_own_estates():
    mine = make_estate(area_ha=Decimal("3"))
    make_estate(area_ha=Decimal("5"))
    scope = Scope(role=Role.INVESTOR, investor_id=mine.investor_id)
    figures = dashboard_figures(scope)
    assert (figures.estate_count, figures.total_area_ha) == (1, Decimal("3"))
