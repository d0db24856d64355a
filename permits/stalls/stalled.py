"""The permits with an open flag (``StalledPermit``), kept beside the flags in the same transaction.

The scan adds the permits that gained an open flag and removes those left without one (``keep_stalled``; a first
scan on PostgreSQL writes them with the flags it raises, ``permits.stalls.scan._raise_first``); a move
that resolves a permit's flags removes it (``permits.stalls.scan.resolve_on_move``); an estate moved to another
kab/kota, or a permit to another estate or agency, takes its row's copies along (the listeners below), as
``permits.regions`` does for the permits themselves. ``stalled_mismatches`` compares the rows with the flags.
"""

from __future__ import annotations

from sqlalchemy import delete, event, inspect, select, update

from estates.models import Estate
from permits.models import Permit
from permits.stalls.models import StalledPermit, StallFlag

OPEN_FLAG_PERMITS = select(StallFlag.permit_id).where(StallFlag.resolved_on.is_(None))


def keep_stalled(session) -> None:
    """Two statements, whatever the number of permits: remove the rows of the permits without an open flag, then
    add the permits with one that have no row (with their kab/kota). Only what changes is written; the additions
    are found from the open flags (an anti-join with the rows), so the permits are read only for those."""
    session.execute(
        delete(StalledPermit)
        .where(StalledPermit.permit_id.not_in(OPEN_FLAG_PERMITS))
        .execution_options(synchronize_session=False)
    )
    unkept = OPEN_FLAG_PERMITS.where(
        ~select(StalledPermit.permit_id).where(StalledPermit.permit_id == StallFlag.permit_id).exists()
    )
    added = select(Permit.id, Permit.region_id, Permit.agency_id).where(Permit.id.in_(unkept))
    session.execute(StalledPermit.__table__.insert().from_select(["permit_id", "region_id", "agency_id"], added))


def stalled_mismatches(session) -> tuple[set[int], set[int]]:
    """(permits with an open flag and no row or a wrong kab/kota or agency, rows of permits without an open flag)."""
    rows = session.execute(select(StalledPermit.permit_id, StalledPermit.region_id, StalledPermit.agency_id))
    kept = {p: (region, agency) for p, region, agency in rows}
    permits = select(Permit.id, Permit.region_id, Permit.agency_id).where(Permit.id.in_(OPEN_FLAG_PERMITS))
    flagged = {p: (region, agency) for p, region, agency in session.execute(permits)}
    missing = {p for p, copied in flagged.items() if kept.get(p) != copied}
    return missing, set(kept) - set(flagged)


@event.listens_for(Estate, "after_update")
def _stalled_follow_their_estate(_mapper, connection, estate: Estate) -> None:
    if inspect(estate).attrs.region_id.history.has_changes():
        of_estate = select(Permit.id).where(Permit.estate_id == estate.id)
        connection.execute(
            update(StalledPermit.__table__)
            .where(StalledPermit.permit_id.in_(of_estate))
            .values(region_id=estate.region_id)
        )


@event.listens_for(Permit, "after_update")
def _stalled_follow_their_permit(_mapper, connection, permit: Permit) -> None:
    attrs = inspect(permit).attrs
    if attrs.region_id.history.has_changes() or attrs.agency_id.history.has_changes():
        connection.execute(
            update(StalledPermit.__table__)
            .where(StalledPermit.permit_id == permit.id)
            .values(region_id=permit.region_id, agency_id=permit.agency_id)
        )
