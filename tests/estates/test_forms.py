"""Every estates form, on both sides of each limit (validated directly, without a page)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from flask import Flask
from werkzeug.datastructures import MultiDict

from app.security import SYSTEM_SCOPE
from devtools.factories import make_estate, make_investor, make_zone, region
from estates.forms import ClaimForm, EstateForm, InvestorForm, ZoneForm, estate_filters, investor_filters
from estates.models import CapitalStatus, ClaimMetric, EstateStatus, ZoneKind

MAX_RUPIAH = 10**15


@pytest.fixture
def validate(app: Flask):
    """Build ``form_cls`` from posted ``data`` inside a request and validate it; returns the form."""

    def run(form_cls, data: dict, **kw):
        if form_cls is EstateForm:
            kw.setdefault("scope", SYSTEM_SCOPE)  # a region officer's form: tests/estates/test_access.py
        with app.test_request_context(method="POST", data=MultiDict(data)):
            form = form_cls(**kw)
            form.validate()
            return form

    return run


# --- investor --------------------------------------------------------------------------------------------

INVESTOR = {"legal_name": "PT Uji", "legal_form": "pt", "capital_status": "pmdn", "country_of_origin": "ID"}


def test_minimal_investor_is_valid(validate):
    form = validate(InvestorForm, INVESTOR)
    assert form.errors == {}
    fields = form.to_fields()
    assert fields.capital_status is CapitalStatus.PMDN
    assert fields.nib is None
    assert fields.email is None


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("nib", "1" * 12, False),
        ("nib", "1" * 13, True),
        ("nib", "1" * 14, False),
        ("nib", "12345678901ab", False),
        ("npwp", "1" * 14, False),
        ("npwp", "1" * 15, True),
        ("npwp", "1" * 16, True),
        ("npwp", "1" * 17, False),
        ("npwp", "01.234.567.8-901.000", True),
        ("main_kbli", "6813", False),
        ("main_kbli", "68130", True),
        ("main_kbli", "681300", False),
        ("email", "budi@contoh.co.id", True),
        ("email", "budi@", False),
        ("email", "budi contoh.co.id", False),
        ("phone", "0254 123456", True),
        ("phone", "12345", False),
        ("phone", "call me", False),
        ("legal_name", "", False),
        ("legal_name", "x" * 200, True),
        ("legal_name", "x" * 201, False),
        ("legal_form", "llc", False),
        ("country_of_origin", "XX", False),
        ("capital_status", "foreign", False),
        ("contact_person", "x" * 121, False),
    ],
)
def test_investor_field_limits(validate, field: str, value: str, ok: bool):
    form = validate(InvestorForm, INVESTOR | {field: value})
    assert (field not in form.errors) is ok, form.errors


def test_npwp_is_stored_as_digits(validate):
    assert validate(InvestorForm, INVESTOR | {"npwp": "01.234.567.8-901.000"}).to_fields().npwp == "012345678901000"


@pytest.mark.parametrize(
    ("status", "country", "ok"),
    [("pma", "CN", True), ("pma", "ID", False), ("pmdn", "ID", True), ("pmdn", "SG", False)],
)
def test_pma_is_foreign_and_pmdn_is_indonesian(validate, status: str, country: str, ok: bool):
    form = validate(InvestorForm, INVESTOR | {"capital_status": status, "country_of_origin": country})
    assert ("country_of_origin" not in form.errors) is ok


def test_legal_name_and_nib_must_be_unique_except_for_the_investor_itself(validate):
    existing = make_investor(legal_name="PT Lama", nib="9120001234567")
    taken = validate(InvestorForm, INVESTOR | {"legal_name": "pt LAMA ", "nib": "9120001234567"})
    assert set(taken.errors) == {"legal_name", "nib"}
    own = validate(InvestorForm, INVESTOR | {"legal_name": "PT Lama", "nib": "9120001234567"}, investor_id=existing.id)
    assert own.errors == {}


# --- estate ----------------------------------------------------------------------------------------------


@pytest.fixture
def estate_data() -> dict:
    investor = make_investor()
    return {
        "investor_id": str(investor.id),
        "name": "Kawasan Uji",
        "region_id": str(region("36.73").id),
        "area_ha": "150",
        "kbli": "68130",
        "status": "planned",
    }


def test_minimal_estate_is_valid(validate, estate_data):
    form = validate(EstateForm, estate_data)
    assert form.errors == {}
    fields = form.to_fields()
    assert fields.area_ha == Decimal(150)
    assert fields.planned_investment_rp is None
    assert fields.status is EstateStatus.PLANNED


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("area_ha", "0", False),
        ("area_ha", "0,0001", True),
        ("area_ha", "10000", True),
        ("area_ha", "10000,0001", False),
        ("area_ha", "-5", False),
        ("area_ha", "", False),
        ("area_ha", "1" * 40, False),
        ("planned_investment_rp", "0", True),
        ("planned_investment_rp", "-1", False),
        ("planned_investment_rp", str(MAX_RUPIAH), True),
        ("planned_investment_rp", str(MAX_RUPIAH + 1), False),
        ("planned_investment_rp", "650.000.000.000,5", False),
        ("planned_investment_rp", "9" * 60, False),
        ("region_id", "999999", False),
        ("region_id", "abc", False),
        ("region_id", "99999999999999999999999", False),
        ("region_id", "", False),
        ("investor_id", "999999", False),
        ("kbli", "6813", False),
        ("kbli", "", False),
        ("name", "", False),
        ("name", "n" * 201, False),
        ("status", "closed", False),
        ("kecamatan", "k" * 121, False),
    ],
)
def test_estate_field_limits(validate, estate_data, field: str, value: str, ok: bool):
    form = validate(EstateForm, estate_data | {field: value})
    assert (field not in form.errors) is ok, form.errors


@pytest.mark.parametrize(
    ("lat", "lon", "ok"),
    [
        ("", "", True),
        ("-6.0123", "106.1534", True),
        ("-6.0123", "", False),
        ("", "106.1534", False),
        ("-7.1", "105.0", True),
        ("-7.100001", "106", False),
        ("-5.7", "106.9", True),
        ("-5.699999", "106", False),
        ("-6", "104.999999", False),
        ("-6", "106.900001", False),
        ("-6,0123", "106,1534", True),
        ("north", "106", False),
    ],
)
def test_coordinates_both_or_neither_and_inside_banten(validate, estate_data, lat: str, lon: str, ok: bool):
    form = validate(EstateForm, estate_data | {"latitude": lat, "longitude": lon})
    assert (not {"latitude", "longitude"} & set(form.errors)) is ok, form.errors


def test_stopped_estate_needs_date_and_reason(validate, estate_data):
    form = validate(EstateForm, estate_data | {"status": "stopped"})
    assert set(form.errors) == {"stop_order_on", "stop_order_reason"}
    form = validate(
        EstateForm, estate_data | {"status": "stopped", "stop_order_on": "2025-09-16", "stop_order_reason": "x"}
    )
    assert form.errors == {}


@time_machine.travel(datetime(2025, 9, 16, 17, 30, tzinfo=UTC), tick=False)  # 17 September, 00.30 WIB
def test_stop_date_may_be_today_in_banten_but_not_tomorrow(validate, estate_data):
    stopped = estate_data | {"status": "stopped", "stop_order_reason": "AMDAL pending"}
    assert validate(EstateForm, stopped | {"stop_order_on": "2025-09-17"}).errors == {}
    assert "stop_order_on" in validate(EstateForm, stopped | {"stop_order_on": "2025-09-18"}).errors
    assert "stop_order_on" in validate(EstateForm, stopped | {"stop_order_on": "1966-12-31"}).errors


def test_estate_name_unique_but_an_estate_keeps_its_own(validate, estate_data):
    estate = make_estate(name="Kawasan Uji")
    assert "name" in validate(EstateForm, estate_data).errors
    assert validate(EstateForm, estate_data, estate=estate).errors == {}


@pytest.mark.parametrize(("area", "ok"), [("89,9999", False), ("90", True)])
def test_editing_an_estate_cannot_shrink_it_below_its_zones(validate, estate_data, area: str, ok: bool):
    estate = make_estate(name="Kawasan Uji", area_ha=Decimal(150))
    make_zone(estate=estate, area_ha=Decimal(60))
    make_zone(estate=estate, area_ha=Decimal(30))
    form = validate(EstateForm, estate_data | {"area_ha": area}, estate=estate)
    assert ("area_ha" not in form.errors) is ok
    if not ok:
        assert "90 ha" in form.errors["area_ha"][0]


# --- zone ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("area", "ok"), [("40", True), ("40,0001", False), ("0", False)])
def test_zone_area_may_not_exceed_what_is_left(validate, area: str, ok: bool):
    estate = make_estate(area_ha=Decimal(150))
    make_zone(estate=estate, area_ha=Decimal(110))
    form = validate(ZoneForm, {"kind": "industrial", "area_ha": area}, estate=estate)
    assert ("area_ha" not in form.errors) is ok
    if area == "40,0001":
        assert "only 40 ha" in form.errors["area_ha"][0]


def test_editing_a_zone_counts_its_own_area_as_free(validate):
    estate = make_estate(area_ha=Decimal(100))
    zone = make_zone(estate=estate, area_ha=Decimal(100))
    assert validate(ZoneForm, {"kind": "industrial", "area_ha": "100"}, estate=estate, zone_id=zone.id).errors == {}


@pytest.mark.parametrize(
    ("data", "field", "ok"),
    [
        ({"kind": "housing", "housing_units": "1.200"}, "housing_units", True),
        ({"kind": "industrial", "housing_units": "10"}, "housing_units", False),
        ({"kind": "industrial", "housing_units": "0"}, "housing_units", False),
        ({"kind": "industrial", "planned_direct_jobs": "1.000.000"}, "planned_direct_jobs", True),
        ({"kind": "industrial", "planned_direct_jobs": "1.000.001"}, "planned_direct_jobs", False),
        ({"kind": "industrial", "planned_direct_jobs": "-1"}, "planned_direct_jobs", False),
        ({"kind": "industrial", "planned_direct_jobs": "2,5"}, "planned_direct_jobs", False),
        ({"kind": "factory"}, "kind", False),
    ],
)
def test_zone_counts(validate, data: dict, field: str, ok: bool):
    estate = make_estate()
    form = validate(ZoneForm, {"area_ha": "10"} | data, estate=estate)
    assert (field not in form.errors) is ok, form.errors


def test_zone_fields_are_typed(validate):
    form = validate(ZoneForm, {"kind": "housing", "area_ha": "12,5", "housing_units": "1.200"}, estate=make_estate())
    fields = form.to_fields()
    assert (fields.kind, fields.area_ha, fields.housing_units) == (ZoneKind.HOUSING, Decimal("12.5"), 1200)


# --- claim -----------------------------------------------------------------------------------------------

CLAIM = {
    "metric": "jobs",
    "value": "50.000",
    "source": "Press conference",
    "claimed_on": "2025-08-21",
    "recorded_by": "Ani",
}


def test_claim_defaults_the_unit_and_reads_dotted_thousands(validate):
    fields = validate(ClaimForm, CLAIM | {"value_high": "100.000"}).to_fields()
    assert (fields.metric, fields.value, fields.value_high, fields.unit) == (
        ClaimMetric.JOBS,
        Decimal(50000),
        Decimal(100000),
        "jobs",
    )
    assert validate(ClaimForm, CLAIM | {"metric": "area_ha", "value": "150"}).to_fields().unit == "ha"
    investment = validate(ClaimForm, CLAIM | {"metric": "investment_rp", "value": "Rp650 miliar"}).to_fields()
    assert (investment.value, investment.unit) == (Decimal(650_000_000_000), "Rp")


@pytest.mark.parametrize(
    ("data", "field", "ok"),
    [
        ({"value": ""}, "value", False),
        ({"value": "-1"}, "value", False),
        ({"value": "0"}, "value", True),
        ({"value": "12,5"}, "value", False),
        ({"metric": "area_ha", "value": "12,5"}, "value", True),
        ({"metric": "area_ha", "value": "1000000"}, "value", True),
        ({"metric": "area_ha", "value": "1000000,0001"}, "value", False),
        ({"metric": "investment_rp", "value": str(MAX_RUPIAH)}, "value", True),
        ({"metric": "investment_rp", "value": str(MAX_RUPIAH + 1)}, "value", False),
        ({"value": "100000000"}, "value", True),
        ({"value": "100000001"}, "value", False),
        ({"value_high": "49.999"}, "value_high", False),
        ({"value_high": "50.000"}, "value_high", True),
        ({"source_url": "https://kabar.example.org/a"}, "source_url", True),
        ({"source_url": "javascript:alert(1)"}, "source_url", False),
        ({"source_url": "ftp://example.org/a"}, "source_url", False),
        ({"source_url": "https://example.org/" + "a" * 481}, "source_url", False),
        ({"source": ""}, "source", False),
        ({"claimed_on": ""}, "claimed_on", False),
        ({"claimed_on": "1966-12-31"}, "claimed_on", False),
        ({"unit": "u" * 41}, "unit", False),
        ({"metric": "mood"}, "metric", False),
    ],
)
def test_claim_field_limits(validate, data: dict, field: str, ok: bool):
    form = validate(ClaimForm, CLAIM | data)
    assert (field not in form.errors) is ok, form.errors


@time_machine.travel(datetime(2025, 9, 17, 16, 59, tzinfo=UTC), tick=False)  # 17 September, 23.59 WIB
def test_claim_date_not_in_the_future(validate):
    assert validate(ClaimForm, CLAIM | {"claimed_on": "2025-09-17"}).errors == {}
    assert "claimed_on" in validate(ClaimForm, CLAIM | {"claimed_on": "2025-09-18"}).errors


# --- list filters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "page", "capital"),
    [
        ({}, 1, None),
        ({"page": "3", "capital_status": "pma"}, 3, CapitalStatus.PMA),
        ({"page": "0", "capital_status": "PMA"}, 1, None),
        ({"page": "-2"}, 1, None),
        ({"page": "x"}, 1, None),
        ({"page": "99999999999999999999"}, 1, None),
        ({"page": "١٢"}, 1, None),
    ],
)
def test_investor_filters_ignore_bad_values(args: dict, page: int, capital):
    filters = investor_filters(args)
    assert (filters.page, filters.capital_status) == (page, capital)


def test_estate_filters_ignore_bad_values():
    filters = estate_filters({"q": "  a" * 100, "region": "x", "status": "gone", "sort": "drop table"})
    assert (filters.region_id, filters.status, filters.sort) == (None, None, "name")
    assert len(filters.q) == 100
    good = estate_filters({"region": "7", "status": "stopped", "sort": "-area", "page": "2"})
    assert (good.region_id, good.status, good.sort, good.page) == (7, EstateStatus.STOPPED, "-area", 2)
