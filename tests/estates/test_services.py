"""The rules in estates/services.py and the reads in estates/queries.py (records, look-ups, lists)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Setting
from app.security import SYSTEM_SCOPE
from devtools.factories import make_claim, make_estate, make_investor, make_zone, region
from estates import lists, queries, services
from estates.fields import ClaimFields, EstateFields, InvestorFields, ZoneFields
from estates.models import CapitalStatus, ClaimMetric, EstateStatus, LegalForm, Zone, ZoneKind

ALL = SYSTEM_SCOPE  # these tests are about the rules, not the scopes (tests/estates/test_access.py)


def _investor_fields(**kw) -> InvestorFields:
    values = {
        "legal_name": "PT Baru",
        "legal_form": LegalForm.PT,
        "capital_status": CapitalStatus.PMDN,
        "country_of_origin": "ID",
    }
    return InvestorFields(**(values | kw))


def _estate_fields(investor_id: int, **kw) -> EstateFields:
    values = {
        "investor_id": investor_id,
        "name": "Kawasan Baru",
        "region_id": region("36.04").id,
        "area_ha": Decimal(100),
    }
    return EstateFields(**(values | kw))


def _claim_fields(**kw) -> ClaimFields:
    values = {
        "metric": ClaimMetric.JOBS,
        "value": Decimal(50000),
        "unit": "jobs",
        "source": "Press conference",
        "claimed_on": date(2025, 8, 21),
        "recorded_by": "Ani",
    }
    return ClaimFields(**(values | kw))


def _zones() -> int:
    return db.session.scalar(select(func.count()).select_from(Zone))


# --- investors -------------------------------------------------------------------------------------------


def test_create_investor_flushes_but_does_not_commit():
    investor = services.create_investor(_investor_fields(nib="9120001234567"), is_demo=True, scope=ALL)
    assert investor.id is not None
    assert investor.is_demo
    db.session.rollback()
    assert queries.get_investor(investor.id, scope=ALL) is None


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"legal_name": "pt lama"}, services.NameTaken),
        ({"nib": "9120001234567"}, services.NibTaken),
        ({"capital_status": CapitalStatus.PMA, "country_of_origin": "ID"}, services.CountryMismatch),
        ({"capital_status": CapitalStatus.PMDN, "country_of_origin": "CN"}, services.CountryMismatch),
    ],
)
def test_create_investor_rules(kw: dict, error: type[services.EstateRuleError]):
    make_investor(legal_name="PT Lama", nib="9120001234567")
    with pytest.raises(error) as caught:
        services.create_investor(_investor_fields(**kw), scope=ALL)
    assert caught.value.field in {"legal_name", "nib", "country_of_origin"}
    assert isinstance(caught.value, ValueError)


def test_pma_from_abroad_is_accepted():
    investor = services.create_investor(
        _investor_fields(capital_status=CapitalStatus.PMA, country_of_origin="CN"), scope=ALL
    )
    assert investor.country_of_origin == "CN"


def test_update_investor_may_keep_its_own_name_and_nib():
    investor = make_investor(legal_name="PT Lama", nib="9120001234567")
    services.update_investor(
        investor, _investor_fields(legal_name="PT Lama", nib="9120001234567", phone="0254 1"), scope=ALL
    )
    assert investor.phone == "0254 1"


# --- estates ---------------------------------------------------------------------------------------------


def test_create_estate_refuses_unknown_investor_and_region():
    with pytest.raises(services.UnknownReference) as caught:
        services.create_estate(_estate_fields(investor_id=999_999), scope=ALL)
    assert caught.value.field == "investor_id"
    investor = make_investor()
    with pytest.raises(services.UnknownReference) as caught:
        services.create_estate(_estate_fields(investor.id, region_id=999_999), scope=ALL)
    assert caught.value.field == "region_id"


def test_stopped_estate_needs_date_and_reason():
    investor = make_investor()
    stopped = _estate_fields(investor.id, status=EstateStatus.STOPPED)
    with pytest.raises(services.StopOrderIncomplete):
        services.create_estate(stopped, scope=ALL)
    with pytest.raises(services.StopOrderIncomplete):
        services.create_estate(replace(stopped, stop_order_on=date(2025, 9, 16)), scope=ALL)
    estate = services.create_estate(
        replace(stopped, stop_order_on=date(2025, 9, 16), stop_order_reason="AMDAL"), scope=ALL
    )
    assert estate.status is EstateStatus.STOPPED


def test_estate_names_are_unique_without_regard_to_case():
    estate = make_estate(name="Kawasan Sama")
    with pytest.raises(services.NameTaken):
        services.create_estate(_estate_fields(estate.investor_id, name="KAWASAN SAMA"), scope=ALL)


def test_estate_cannot_shrink_below_its_zones():
    estate = make_estate(area_ha=Decimal(100))
    make_zone(estate=estate, area_ha=Decimal(60))
    make_zone(estate=estate, area_ha=Decimal("30.5"))
    fields = _estate_fields(estate.investor_id, name=estate.name, region_id=estate.region_id)
    with pytest.raises(services.EstateAreaBelowZones):
        services.update_estate(estate, replace(fields, area_ha=Decimal("90.4999")), scope=ALL)
    assert estate.area_ha == Decimal(100)  # nothing assigned on refusal
    services.update_estate(estate, replace(fields, area_ha=Decimal("90.5")), scope=ALL)
    assert estate.area_ha == Decimal("90.5")


# --- zones -----------------------------------------------------------------------------------------------


def test_zones_may_fill_the_estate_exactly_but_not_more():
    estate = make_estate(area_ha=Decimal(150))
    services.add_zone(estate, ZoneFields(kind=ZoneKind.INDUSTRIAL, area_ha=Decimal(100)), scope=ALL)
    with pytest.raises(services.ZoneAreaExceeded) as caught:
        services.add_zone(estate, ZoneFields(kind=ZoneKind.HOUSING, area_ha=Decimal("50.0001")), scope=ALL)
    assert caught.value.left == Decimal(50)
    assert "50 ha" in caught.value.message
    assert _zones() == 1
    services.add_zone(estate, ZoneFields(kind=ZoneKind.HOUSING, area_ha=Decimal(50), housing_units=800), scope=ALL)
    assert _zones() == 2
    assert queries.zoned_area(estate.id) == Decimal(150)


def test_update_zone_counts_the_other_zones_only():
    estate = make_estate(area_ha=Decimal(100))
    zone = make_zone(estate=estate, area_ha=Decimal(40))
    make_zone(estate=estate, area_ha=Decimal(50))
    services.update_zone(zone, ZoneFields(kind=ZoneKind.INDUSTRIAL, area_ha=Decimal(50)), scope=ALL)
    with pytest.raises(services.ZoneAreaExceeded):
        services.update_zone(zone, ZoneFields(kind=ZoneKind.INDUSTRIAL, area_ha=Decimal("50.0001")), scope=ALL)
    assert zone.area_ha == Decimal(50)


def test_housing_units_only_for_housing_zones():
    estate = make_estate()
    with pytest.raises(services.HousingUnitsOutsideHousing):
        services.add_zone(estate, ZoneFields(kind=ZoneKind.COMMERCIAL, area_ha=Decimal(5), housing_units=3), scope=ALL)
    assert _zones() == 0


def test_delete_zone_frees_its_area():
    estate = make_estate(area_ha=Decimal(10))
    zone = make_zone(estate=estate, area_ha=Decimal(10))
    services.delete_zone(zone, scope=ALL)
    assert _zones() == 0
    services.add_zone(estate, ZoneFields(kind=ZoneKind.LEISURE, area_ha=Decimal(10)), scope=ALL)


def test_area_breakdown_groups_by_kind_and_adds_the_unzoned_rest():
    estate = make_estate(area_ha=Decimal(200))
    make_zone(estate=estate, kind=ZoneKind.HOUSING, area_ha=Decimal(20))
    make_zone(estate=estate, kind=ZoneKind.INDUSTRIAL, area_ha=Decimal(80))
    make_zone(estate=estate, kind=ZoneKind.INDUSTRIAL, area_ha=Decimal(20))
    db.session.expire(estate, ["zones"])
    segments = queries.area_breakdown(estate)
    assert [(s.kind, s.area_ha, s.share) for s in segments] == [
        (ZoneKind.INDUSTRIAL, Decimal(100), Decimal("0.5")),
        (ZoneKind.HOUSING, Decimal(20), Decimal("0.1")),
        (None, Decimal(80), Decimal("0.4")),
    ]


# --- claims ----------------------------------------------------------------------------------------------


def test_claims_that_disagree_are_all_kept():
    estate = make_estate()
    services.add_claim(_claim_fields(value=Decimal(50000), value_high=Decimal(100000)), estate=estate, scope=ALL)
    services.add_claim(_claim_fields(value=Decimal(15000), claimant="Analyst"), estate=estate, scope=ALL)
    db.session.expire(estate, ["claims"])
    groups = queries.group_claims(estate.claims)
    assert [c.value for c in groups[ClaimMetric.JOBS]] == [Decimal(50000), Decimal(15000)]
    assert groups[ClaimMetric.AREA] == []


def test_claim_needs_exactly_one_subject_and_an_ordered_range():
    estate = make_estate()
    with pytest.raises(services.EstateRuleError):
        services.add_claim(_claim_fields(), scope=ALL)
    with pytest.raises(services.EstateRuleError):
        services.add_claim(_claim_fields(), estate=estate, investor=estate.investor, scope=ALL)
    with pytest.raises(services.ClaimRangeInverted):
        services.add_claim(_claim_fields(value=Decimal(10), value_high=Decimal(9)), estate=estate, scope=ALL)


def test_claims_about_an_investor_include_its_estates():
    estate = make_estate()
    other = make_estate()
    own = make_claim(investor=estate.investor, claimed_on=date(2025, 1, 1))
    about_estate = make_claim(estate=estate, claimed_on=date(2024, 1, 1))
    make_claim(estate=other)
    assert queries.claims_about_investor(estate.investor, scope=ALL) == [about_estate, own]


def test_group_claims_orders_by_date():
    estate = make_estate()
    late = make_claim(estate=estate, claimed_on=date(2025, 10, 1))
    early = make_claim(estate=estate, claimed_on=date(2025, 8, 1))
    assert queries.group_claims([late, early])[ClaimMetric.JOBS] == [early, late]


# --- settings and look-ups -------------------------------------------------------------------------------


def test_minimum_area_comes_from_the_setting_row():
    minimum = queries.minimum_estate_area()
    assert minimum is not None
    assert minimum.hectares == Decimal(50)
    assert not minimum.confirmed
    db.session.get(Setting, "estate.min_area_ha").value = "75,5"
    assert queries.minimum_estate_area().hectares == Decimal("75.5")
    db.session.get(Setting, "estate.min_area_ha").value = "unknown"
    assert queries.minimum_estate_area() is None
    db.session.delete(db.session.get(Setting, "estate.min_area_ha"))
    assert queries.minimum_estate_area() is None


@pytest.mark.parametrize("bad_id", [0, -1, 2**31, 10**30])
def test_lookups_answer_none_for_impossible_ids(bad_id: int):
    assert queries.get_investor(bad_id, scope=ALL) is None
    assert queries.get_estate(bad_id, scope=ALL) is None
    assert queries.get_zone(bad_id, scope=ALL) is None
    assert queries.get_claim(bad_id, scope=ALL) is None


def test_region_choices_are_the_eight_in_bps_order():
    names = [name for _, name in queries.region_choices(scope=ALL)]
    assert len(names) == 8
    assert names[0] == "Kabupaten Pandeglang"
    assert names[-1] == "Kota Tangerang Selatan"


# --- list queries ----------------------------------------------------------------------------------------


def _names(stmt) -> list[str]:
    return [getattr(row, "legal_name", None) or row.name for row in db.session.scalars(stmt)]


def test_services_offer_the_list_queries_too():
    assert services.search_estates is lists.search_estates
    assert services.search_investors is lists.search_investors


def test_search_investors_by_name_nib_and_capital_status():
    make_investor(legal_name="PT Jaya Abadi", nib="9120001234567")
    make_investor(legal_name="PT Cahaya 100%", capital_status=CapitalStatus.PMA, country_of_origin="CN")
    make_investor(legal_name="PT Lain_Lain")
    assert _names(lists.search_investors("jaya", scope=ALL)) == ["PT Jaya Abadi"]
    assert _names(lists.search_investors("0001234", scope=ALL)) == ["PT Jaya Abadi"]
    assert _names(lists.search_investors("100%", scope=ALL)) == ["PT Cahaya 100%"]  # % is a literal, not a wildcard
    assert _names(lists.search_investors("n_L", scope=ALL)) == ["PT Lain_Lain"]
    assert _names(lists.search_investors(capital_status=CapitalStatus.PMA, scope=ALL)) == ["PT Cahaya 100%"]
    assert len(_names(lists.search_investors("  ", scope=ALL))) == 3


def test_investor_stats_count_estates_and_sum_investment_in_one_query():
    rich = make_investor()
    make_estate(investor=rich, planned_investment_rp=Decimal(100))
    make_estate(investor=rich, planned_investment_rp=None)
    make_estate(investor=rich, planned_investment_rp=Decimal(50))
    empty = make_investor()
    stats = lists.investor_stats([rich.id, empty.id], scope=ALL)
    assert stats[rich.id] == lists.InvestorStats(3, Decimal(150))
    assert stats[empty.id] == lists.InvestorStats(0, None)
    assert lists.investor_stats([], scope=ALL) == {}


def test_search_estates_filters_and_sorts():
    jaya = make_investor(legal_name="PT Jaya Dinasti")
    make_estate(name="Kawasan A", investor=jaya, area_ha=Decimal(150), planned_investment_rp=Decimal(650))
    make_estate(name="Kawasan B", region=region("36.72"), area_ha=Decimal(300), planned_investment_rp=None)
    make_estate(
        name="Kawasan C",
        status=EstateStatus.STOPPED,
        stop_order_on=date(2025, 9, 16),
        area_ha=Decimal(50),
        planned_investment_rp=Decimal(900),
    )
    assert _names(lists.search_estates("dinasti", scope=ALL)) == ["Kawasan A"]
    assert _names(lists.search_estates(region_id=region("36.72").id, scope=ALL)) == ["Kawasan B"]
    assert _names(lists.search_estates(status=EstateStatus.STOPPED, scope=ALL)) == ["Kawasan C"]
    assert _names(lists.search_estates(sort="-investment", scope=ALL)) == ["Kawasan C", "Kawasan A", "Kawasan B"]
    assert _names(lists.search_estates(sort="investment", scope=ALL)) == ["Kawasan A", "Kawasan C", "Kawasan B"]
    assert _names(lists.search_estates(sort="-area", scope=ALL)) == ["Kawasan B", "Kawasan A", "Kawasan C"]
    assert _names(lists.search_estates(sort="area", scope=ALL)) == ["Kawasan C", "Kawasan A", "Kawasan B"]
    assert _names(lists.search_estates(sort="nonsense", scope=ALL)) == ["Kawasan A", "Kawasan B", "Kawasan C"]


@pytest.mark.parametrize(
    "sort", ["name", "-name", "investor", "-investor", "region", "area", "-investment", "status", "nonsense"]
)
@pytest.mark.parametrize(
    "args", [{}, {"q": "dinasti"}, {"q": "zeta"}, {"q": "kawasan"}, {"status": EstateStatus.STOPPED}]
)
def test_a_page_read_as_ids_is_the_search_in_the_same_order(sort, args):
    """The list's page (ids from the estate table, then loaded) holds what ``search_estates`` lists, in its order."""
    jaya = make_investor(legal_name="PT Jaya Dinasti")
    zeta = make_investor(legal_name="PT Zeta")
    for name, investor, bps, area in [("Kawasan B", zeta, "36.72", 300), ("Kawasan A", jaya, "36.73", 150)]:
        make_estate(name=name, investor=investor, region=region(bps), area_ha=Decimal(area))
    make_estate(name="Kawasan D", investor=zeta, status=EstateStatus.STOPPED, stop_order_on=date(2025, 9, 16))
    make_estate(name="Kawasan C", investor=jaya, region=region("36.01"), planned_investment_rp=Decimal(900))
    listed = db.session.scalars(lists.search_estates(sort=sort, scope=ALL, **args)).unique().all()
    ids = db.session.scalars(lists.estate_page_ids(sort=sort, scope=ALL, **args)).all()
    assert lists.estates_by_ids(ids) == listed and listed
    few = db.session.scalars(lists.estate_page_ids(sort=sort, scope=ALL, few=True, **args)).all()
    assert few == ids  # a search of few matches read as one set: the same page


def test_estate_totals_follow_the_filters():
    make_estate(area_ha=Decimal("100.5"), planned_investment_rp=Decimal(650))
    make_estate(area_ha=Decimal(50), planned_investment_rp=None, region=region("36.01"))
    assert lists.estate_totals(scope=ALL) == lists.EstateTotals(2, Decimal("150.5"), Decimal(650))
    assert lists.estate_totals(region_id=region("36.01").id, scope=ALL) == lists.EstateTotals(
        1, Decimal(50), Decimal(0)
    )


# --- ranges the services enforce themselves (for callers that skip the forms) ----------------------------


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"area_ha": Decimal(0)}, "area_ha"),
        ({"area_ha": Decimal("10000.0001")}, "area_ha"),
        ({"planned_investment_rp": Decimal(-1)}, "planned_investment_rp"),
        ({"planned_investment_rp": Decimal(10**15 + 1)}, "planned_investment_rp"),
        ({"planned_investment_rp": Decimal("1.5")}, "planned_investment_rp"),
        ({"latitude": Decimal("-7.2"), "longitude": Decimal(106)}, "latitude"),
        ({"latitude": Decimal(-6), "longitude": Decimal("107")}, "longitude"),
        ({"latitude": Decimal(-6)}, "longitude"),
    ],
)
def test_create_estate_refuses_out_of_range_values(kw: dict, field: str):
    investor = make_investor()
    with pytest.raises(services.EstateRuleError) as caught:
        services.create_estate(_estate_fields(investor.id, **kw), scope=ALL)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "kw",
    [
        {"area_ha": Decimal("0.0001")},
        {"area_ha": Decimal(10_000)},
        {"planned_investment_rp": Decimal(0)},
        {"planned_investment_rp": Decimal(10**15)},
        {"latitude": Decimal("-7.1"), "longitude": Decimal("106.9")},
    ],
)
def test_create_estate_accepts_the_limits(kw: dict):
    assert services.create_estate(_estate_fields(make_investor().id, **kw), scope=ALL).id


def test_zone_and_claim_ranges():
    estate = make_estate()
    with pytest.raises(services.OutOfRange):
        services.add_zone(
            estate, ZoneFields(kind=ZoneKind.INDUSTRIAL, area_ha=Decimal(1), planned_direct_jobs=1_000_001), scope=ALL
        )
    with pytest.raises(services.OutOfRange):
        services.add_zone(estate, ZoneFields(kind=ZoneKind.INDUSTRIAL, area_ha=Decimal(0)), scope=ALL)
    with pytest.raises(services.OutOfRange):
        services.add_claim(_claim_fields(value=Decimal(10**15 + 1)), estate=estate, scope=ALL)
    with pytest.raises(services.OutOfRange):
        services.add_claim(_claim_fields(value=Decimal(-1)), estate=estate, scope=ALL)
    assert _zones() == 0


def test_names_with_non_ascii_letters_are_caught_before_the_database_refuses_them():
    make_investor(legal_name="PT Ärztehaus Über")
    assert queries.investor_name_taken("PT Ärztehaus Über")
    with pytest.raises(services.NameTaken):
        services.create_investor(_investor_fields(legal_name=" PT Ärztehaus Über "), scope=ALL)
