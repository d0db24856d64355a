"""``estates.lists.estate_page_of_ids``: the estates list's page of ids by a statement built once per shape of the
filters, their values bound (issue 13), is ``estate_page_ids``' page for every search, kab/kota, status, order and
scope, read after one another (each statement kept by the first read answers the next with other values)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Role
from app.security import SYSTEM_SCOPE, Scope
from devtools.factories import make_estate, make_investor, region
from estates import lists
from estates.models import EstateStatus


@pytest.fixture
def estates():
    jaya, lain = make_investor(legal_name="PT Jaya 100%"), make_investor(legal_name="CV Lain_Lain")
    for n in range(9):
        make_estate(
            name=f"Kawasan {'Jaya' if n % 2 else 'Timur'} {n}",
            investor=jaya if n % 3 else lain,
            region=region("36.01" if n % 4 else "36.72"),
            status=EstateStatus.OPERATING if n % 2 else EstateStatus.PLANNED,
            area_ha=Decimal(10 * (n % 5) + 5),
        )
    db.session.commit()


SEARCHES = ["", "jaya", "JAYA", "100%", "_lain", "lain_", "timur 4", "tidak ada"]
SORTS = ["name", "-name", "investor", "-area", "status", "region"]


@pytest.mark.parametrize("few", [False, True])
def test_every_page_is_the_page_of_estate_page_ids(estates, few):
    scopes = [SYSTEM_SCOPE, Scope(role=Role.OFFICER, region_id=region("36.72").id)]
    for scope in scopes:
        for q in SEARCHES:
            for region_id in (None, region("36.01").id):
                for status in (None, EstateStatus.OPERATING):
                    for sort in SORTS:
                        args = (q, region_id, status, sort)
                        whole = db.session.scalars(lists.estate_page_ids(*args, scope=scope, few=few)).all()
                        for limit, offset in ((3, 0), (3, 3), (20, 0), (5, 100)):
                            page = lists.estate_page_of_ids(*args, scope=scope, few=few, limit=limit, offset=offset)
                            assert page == whole[offset : offset + limit], (scope, args, limit, offset)
