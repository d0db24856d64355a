"""Each permit's copy of its estate's kab/kota (``Permit.region_id``, ``permits.regions``): taken on insert,
moved with the estate, filled after a bulk load; a kab/kota officer's lists rest on it (issue 13)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, select, update

from app.extensions import db
from app.models import Role
from app.security import Scope
from devtools.factories import make_estate, make_permit, region
from permits.models import Permit
from permits.queries import PermitFilters, agencies_in_scope, permit_list_count, permit_list_query
from permits.regions import fill_regions

TODAY = date(2026, 6, 1)


def _listed(scope: Scope) -> set[int]:
    return {p.id for p in db.session.scalars(permit_list_query(PermitFilters(), scope, TODAY)).unique()}


def test_a_new_permit_takes_its_estates_kab_kota_whether_the_estate_is_loaded_or_named_by_id():
    estate = make_estate(region=region("36.72"))
    by_object = make_permit("KKPR", estate=estate)
    by_id = make_permit("NIB", estate_id=estate.id)
    assert by_object.region_id == by_id.region_id == region("36.72").id


def test_an_estate_moved_to_another_kab_kota_takes_its_permits_along_without_editing_them():
    estate = make_estate(region=region("36.72"))
    permit = make_permit("KKPR", estate=estate)
    version = permit.version
    cilegon, serang = (Scope(role=Role.OFFICER, region_id=region(code).id) for code in ("36.72", "36.73"))
    assert permit.id in _listed(cilegon) and permit.id not in _listed(serang)
    estate.region = region("36.73")
    db.session.flush()
    assert permit.region_id == region("36.73").id and permit.version == version
    db.session.expire_all()
    assert db.session.get(Permit, permit.id).region_id == region("36.73").id
    assert permit.id in _listed(serang) and permit.id not in _listed(cilegon)
    assert db.session.scalar(permit_list_count(PermitFilters(), serang, TODAY)) == len(_listed(serang))
    assert permit.agency_id is None or permit.agency_id in {a.id for a in agencies_in_scope(serang)}


def test_fill_regions_completes_the_rows_a_bulk_load_wrote_without_it():
    estate = make_estate(region=region("36.02"))
    db.session.execute(insert(Permit).values(estate_id=estate.id, permit_type_id=make_permit("NIB").permit_type_id))
    db.session.execute(update(Permit).where(Permit.estate_id == estate.id).values(region_id=None))
    assert fill_regions() == 1
    missing = db.session.scalar(select(func.count(Permit.id)).where(Permit.region_id.is_(None)))
    assert missing == 0
    assert db.session.scalar(select(Permit.region_id).where(Permit.estate_id == estate.id)) == region("36.02").id
