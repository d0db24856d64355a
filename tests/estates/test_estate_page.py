"""The estate page reads its zones as plain rows (``estates.queries.estate_page``, issue 13): the same table,
strip and totals as from the zone objects, and no ``Zone`` object made."""

from __future__ import annotations

import re
from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy import event

from app.extensions import db
from app.security import SYSTEM_SCOPE
from devtools.factories import make_estate, make_zone
from estates import queries
from estates.models import Zone, ZoneKind


def _estate():
    estate = make_estate(name="Kawasan Baris", area_ha=Decimal(200))
    make_zone(estate=estate, kind=ZoneKind.HOUSING, area_ha=Decimal(40), housing_units=300, name="Blok B")
    make_zone(estate=estate, kind=ZoneKind.INDUSTRIAL, area_ha=Decimal("110.5"), planned_direct_jobs=1200)
    make_zone(estate=estate, kind=ZoneKind.INDUSTRIAL, area_ha=Decimal(9), notes="Gudang")
    db.session.commit()
    return estate


def test_the_page_reads_the_zones_as_rows_in_the_order_of_the_relationship():
    estate = _estate()
    columns = ("id", "kind", "name", "notes", "area_ha", "planned_direct_jobs", "housing_units")
    expected = [tuple(getattr(z, c) for c in columns) for z in estate.zones]
    db.session.expire_all()
    found, zones = queries.estate_page(estate.id, SYSTEM_SCOPE)
    assert found.id == estate.id and "zones" not in found.__dict__  # the relationship left unread
    assert [tuple(z) for z in zones] == expected
    assert queries.zones_area(zones) == Decimal("159.5")
    assert [(s.kind, s.area_ha) for s in queries.area_breakdown(found, zones)] == [
        (ZoneKind.INDUSTRIAL, Decimal("119.5")),
        (ZoneKind.HOUSING, Decimal(40)),
        (None, Decimal("40.5")),
    ]
    assert queries.estate_page(0, SYSTEM_SCOPE) is None and queries.estate_page(10**9, SYSTEM_SCOPE) is None


def test_the_page_shows_every_zone_and_the_totals_without_a_zone_object(client: FlaskClient):
    estate = _estate()
    client.get("/language/id")
    db.session.expire_all()
    loaded = []

    def note(target: Zone, _context: object) -> None:
        loaded.append(target)

    event.listen(Zone, "load", note)
    try:
        html = client.get(f"/estates/{estate.id}").text
    finally:
        event.remove(Zone, "load", note)
    assert loaded == []
    table = re.search(r'<table[^>]*id="zones".*?</table>', html, re.S).group(0)
    assert len(re.findall(r"<tr>", re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1))) == 3
    assert "Blok B" in table and "Gudang" in table and "110,5 ha" in table
    assert "1.200" in table and "300" in table  # the jobs and housing units columns, and their totals
    assert "159,5 ha" in table and "40,5 ha" in table  # zoned, not zoned
    assert 'class="zone-fill-unzoned"' in html  # the strip's unzoned rest
