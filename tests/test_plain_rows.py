"""app.listing.plain_rows: the rows the session's execute gives, without the ORM's per-row work, pending changes
flushed first."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.listing import plain_rows
from app.models import Region
from devtools.factories import make_investor
from estates.models import Investor


def test_the_same_rows_as_the_session_gives_pending_ones_included() -> None:
    query = select(Region.id, Region.name).order_by(Region.id)
    assert [tuple(r) for r in plain_rows(query)] == [tuple(r) for r in db.session.execute(query)]
    investor = make_investor(legal_name="PT Lama")
    db.session.flush()
    investor.legal_name = "PT Baru"  # changed in the session, not yet written
    assert plain_rows(select(Investor.legal_name).where(Investor.id == investor.id)) == [("PT Baru",)]
