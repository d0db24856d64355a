"""The estate's kab/kota copied on each permit (``Permit.region_id``), so that a kab/kota officer's lists and their
counts read the permit table alone (``ix_permit_region_order``, ``ix_permit_region_late``).

Kept in the transaction that changes it: a new permit takes its estate's kab/kota when it is inserted, and an
estate moved to another kab/kota moves its permits with it in the same flush. Bulk loaders that write rows
without the ORM (the synthetic province's COPY) call ``fill_regions`` after loading.
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from estates.models import Estate
from permits.models import Permit

PERMIT = Permit.__table__


@event.listens_for(Permit, "before_insert")
def _region_of_new_permit(_mapper, connection, permit: Permit) -> None:
    estate = permit.estate if "estate" in inspect(permit).dict else None
    if estate is not None:
        permit.region_id = estate.region_id
    else:
        permit.region_id = connection.scalar(select(Estate.region_id).where(Estate.id == permit.estate_id))


@event.listens_for(Permit, "before_update")
def _region_of_moved_permit(_mapper, connection, permit: Permit) -> None:
    if inspect(permit).attrs.estate_id.history.has_changes():
        permit.region_id = connection.scalar(select(Estate.region_id).where(Estate.id == permit.estate_id))


@event.listens_for(Estate, "after_update")
def _permits_follow_their_estate(_mapper, connection, estate: Estate) -> None:
    """An estate moved to another kab/kota takes its permits along (not an edit of the permits: their versions
    and update times stay)."""
    if inspect(estate).attrs.region_id.history.has_changes():
        connection.execute(
            update(PERMIT)
            .where(PERMIT.c.estate_id == estate.id)
            .values(region_id=estate.region_id, updated_at=PERMIT.c.updated_at)
        )
        for permit in list(db.session.identity_map.values()):
            if isinstance(permit, Permit) and permit.estate_id == estate.id:
                set_committed_value(permit, "region_id", estate.region_id)


def fill_regions() -> int:
    """Give every permit without one its estate's kab/kota (after a bulk load); returns how many were filled."""
    of_estate = select(Estate.region_id).where(Estate.id == PERMIT.c.estate_id).scalar_subquery()
    result = db.session.execute(
        update(PERMIT).where(PERMIT.c.region_id.is_(None)).values(region_id=of_estate, updated_at=PERMIT.c.updated_at)
    )
    return result.rowcount
