"""Database-level guarantees of the estates tables: uniqueness, check constraints and exact money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from devtools.factories import make_claim, make_estate, make_investor, make_zone
from estates.models import Claim, Estate, EstateStatus, Investor, ZoneKind


def _refused(build) -> None:
    """Flushing what ``build`` adds must break a constraint; the session is usable afterwards."""
    with pytest.raises(IntegrityError):
        build()
        db.session.flush()
    db.session.rollback()


def test_nib_is_unique_in_the_database():
    make_investor(nib="9120001234567")
    _refused(lambda: make_investor(nib="9120001234567"))


def test_two_investors_without_nib_are_fine():
    make_investor(nib=None)
    make_investor(nib=None)
    assert db.session.scalar(select(db.func.count()).select_from(Investor)) == 2


def test_legal_name_is_unique_in_the_database():
    make_investor(legal_name="PT Sama")
    _refused(lambda: make_investor(legal_name="PT Sama"))


@pytest.mark.parametrize(("nib", "ok"), [("1" * 12, False), ("1" * 13, True)])
def test_nib_length_check(nib: str, ok: bool):
    if ok:
        assert make_investor(nib=nib).id
    else:
        _refused(lambda: make_investor(nib=nib))


@pytest.mark.parametrize(("npwp", "ok"), [("1" * 14, False), ("1" * 15, True), ("1" * 16, True)])
def test_npwp_length_check(npwp: str, ok: bool):
    if ok:
        assert make_investor(npwp=npwp).id
    else:
        _refused(lambda: make_investor(npwp=npwp))


def test_kbli_length_check():
    _refused(lambda: make_investor(main_kbli="6813"))


@pytest.mark.parametrize(("area", "ok"), [("0", False), ("-1", False), ("0.0001", True)])
def test_estate_area_must_be_positive(area: str, ok: bool):
    if ok:
        assert make_estate(area_ha=Decimal(area)).id
    else:
        _refused(lambda: make_estate(area_ha=Decimal(area)))


def test_estate_investment_cannot_be_negative():
    _refused(lambda: make_estate(planned_investment_rp=Decimal(-1)))


def test_stopped_estate_needs_a_stop_date_in_the_database():
    _refused(lambda: make_estate(status=EstateStatus.STOPPED))
    assert make_estate(status=EstateStatus.STOPPED, stop_order_on=date(2025, 9, 16)).id


def test_coordinates_come_in_pairs():
    _refused(lambda: make_estate(latitude=Decimal("-6.01")))


def test_estate_name_is_unique():
    make_estate(name="Kawasan Sama")
    _refused(lambda: make_estate(name="Kawasan Sama"))


def test_housing_units_only_on_housing_zones_in_the_database():
    _refused(lambda: make_zone(kind=ZoneKind.INDUSTRIAL, housing_units=10))
    assert make_zone(kind=ZoneKind.HOUSING, housing_units=10).id


def test_claim_needs_a_subject_and_a_non_negative_value():
    _refused(lambda: make_claim(estate=None, investor=None))
    _refused(lambda: make_claim(value=Decimal(-1)))


def test_money_and_areas_come_back_as_exact_decimals():
    estate = make_estate(planned_investment_rp=Decimal("650000000000"), area_ha=Decimal("150.1234"))
    claim = make_claim(estate=estate, value=Decimal("50000"), value_high=Decimal("100000"))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Estate, estate.id)
    assert stored.planned_investment_rp == Decimal("650000000000")
    assert isinstance(stored.planned_investment_rp, Decimal)
    assert stored.area_ha == Decimal("150.1234")
    assert isinstance(stored.area_ha, Decimal)
    assert isinstance(db.session.get(Claim, claim.id).value_high, Decimal)


def test_the_largest_investment_we_accept_is_stored_exactly():
    # Rp1.000 triliun, the form's limit: 16 digits, beyond what a float holds exactly once rupiah are added.
    amount = Decimal(10**15 - 1)
    estate = make_estate(planned_investment_rp=amount)
    db.session.commit()
    raw = db.session.execute(text("SELECT planned_investment_rp FROM estate WHERE id = :id"), {"id": estate.id})
    assert Decimal(str(raw.scalar_one())) == amount
    db.session.expire_all()
    assert db.session.get(Estate, estate.id).planned_investment_rp == amount
