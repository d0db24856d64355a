"""The permits counted per kab/kota and status (``permit_tally``): the dashboard's "permits by status" without
counting every permit on every request.

Kept by the session in the same flush, hence the same transaction, as every change that moves a count: a new
permit, a permit's new status (``permits.workflow.advance_permit``, an edit, an import), an estate moved to
another kab/kota (its permits move with it), a permit deleted. Each change adds its difference with one upsert
per (kab/kota, status), in key order, so that two moves committing at once never wait for each other in a cycle.
Writers that bypass the session (``devtools.synth``'s bulk load) call ``recount_tally`` afterwards;
``tally_mismatches`` compares the kept counts with a recount.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import ForeignKey, Select, String, delete, event, func, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from app.security import Scope
from estates.models import Estate
from estates.queries import limited_region
from permits.models import Permit, PermitStatus
from permits.queries import PermitFilters, permit_list_count, region_with_code

Key = tuple[int, str]  # (region id, status value)


class PermitTally(db.Model):
    """How many permits of the estates of one kab/kota are in one status."""

    __tablename__ = "permit_tally"

    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    permits: Mapped[int] = mapped_column(default=0, server_default="0")


def tallied_by_status(scope: Scope) -> dict[PermitStatus, int] | None:
    """The permits by status in the scope from the kept counts (the whole province or one kab/kota); ``None`` for
    a scope they do not cover (an investor's)."""
    query = select(PermitTally.status, func.sum(PermitTally.permits)).group_by(PermitTally.status)
    if not scope.sees_everything:
        region_id = limited_region(scope)
        if region_id is None:
            return None
        query = query.where(PermitTally.region_id == region_id)
    return {PermitStatus(status): int(n) for status, n in db.session.execute(query).all()}


def list_count(filters: PermitFilters, scope: Scope, today: date | None = None) -> Select:
    """The count of the permits list: from the kept counts when ``filters`` ask for no more than a status and a
    kab/kota in a scope they cover (the province or one kab/kota: the list opened without a filter counts every
    permit, 200,000 index entries at a province's size), else ``permit_list_count`` on the permit table."""
    others = (filters.permit_type_code, filters.agency_id, filters.band, filters.q)
    region_id = None if scope.sees_everything else limited_region(scope)
    if any(v is not None for v in others) or filters.answered or not (scope.sees_everything or region_id):
        return permit_list_count(filters, scope, today)
    query = select(func.coalesce(func.sum(PermitTally.permits), 0))
    if region_id is not None:
        query = query.where(PermitTally.region_id == region_id)
    if filters.status is not None:
        query = query.where(PermitTally.status == filters.status.value)
    if filters.region_code:
        query = query.where(PermitTally.region_id == region_with_code(filters.region_code))
    return query


def _recount_query():
    return (
        select(Estate.region_id, Permit.status, func.count(Permit.id))
        .join(Permit.estate)
        .group_by(Estate.region_id, Permit.status)
    )


def recount_tally() -> None:
    """Rebuild every count from the permits (after a bulk load). Flushes, never commits."""
    db.session.flush()
    db.session.execute(delete(PermitTally))
    rows = [
        {"region_id": region_id, "status": PermitStatus(status).value, "permits": n}
        for region_id, status, n in db.session.execute(_recount_query()).all()
    ]
    if rows:
        db.session.execute(PermitTally.__table__.insert(), rows)


def tally_mismatches() -> dict[Key, tuple[int, int]]:
    """Every (kab/kota, status) whose kept count differs from the recount: {key: (kept, recounted)}."""
    db.session.flush()
    recounted = {(r, PermitStatus(s).value): n for r, s, n in db.session.execute(_recount_query()).all()}
    kept = {
        (r, s): n
        for r, s, n in db.session.execute(select(PermitTally.region_id, PermitTally.status, PermitTally.permits))
    }
    keys = set(recounted) | set(kept)
    return {k: (kept.get(k, 0), recounted.get(k, 0)) for k in keys if kept.get(k, 0) != recounted.get(k, 0)}


# --- kept by the session ----------------------------------------------------------------------------------


def _old(obj, name: str):
    history = inspect(obj).attrs[name].history
    return history.deleted[0] if history.deleted else None


def _estate_region(estate: Estate | None) -> int | None:
    if estate is None:
        return None
    if estate.region_id is None and "region" in inspect(estate).dict and estate.region is not None:
        return estate.region.id  # a new estate given its region as a record
    return estate.region_id


def _region_of(session: Session, permit: Permit, estate_id: int | None = None) -> int | None:
    """The kab/kota of the permit's estate (``estate_id``: of that estate instead, where the permit was)."""
    if estate_id is None and "estate" in inspect(permit).dict:
        return _estate_region(permit.estate)
    estate_id = estate_id or permit.estate_id
    return _estate_region(session.get(Estate, estate_id)) if estate_id is not None else None


def _status(value) -> str:
    return PermitStatus(value or PermitStatus.NOT_STARTED).value


def _moved_estates(session: Session, deltas: Counter[Key]) -> None:
    """An estate moved to another kab/kota takes its permits' counts along (as they stand in the database: a
    permit changed in the same flush counts its own change from there)."""
    for estate in (o for o in session.dirty if isinstance(o, Estate) and o.id is not None):
        old_region = _old(estate, "region_id")
        if old_region is None or old_region == estate.region_id:
            continue
        query = select(Permit.status, func.count(Permit.id)).where(Permit.estate_id == estate.id)
        for status, n in session.execute(query.group_by(Permit.status)).all():
            deltas[(old_region, _status(status))] -= n
            deltas[(estate.region_id, _status(status))] += n


def _changed_permits(session: Session, deltas: Counter[Key]) -> None:
    for permit in (o for o in session.new if isinstance(o, Permit)):
        deltas[(_region_of(session, permit), _status(permit.status))] += 1
    for permit in (o for o in session.dirty if isinstance(o, Permit)):
        old_status, old_estate = _old(permit, "status"), _old(permit, "estate_id")
        if (old_status is None or old_status == permit.status) and (old_estate in (None, permit.estate_id)):
            continue
        deltas[(_region_of(session, permit, old_estate), _status(old_status or permit.status))] -= 1
        deltas[(_region_of(session, permit), _status(permit.status))] += 1
    for permit in (o for o in session.deleted if isinstance(o, Permit)):
        deltas[
            (_region_of(session, permit, _old(permit, "estate_id")), _status(_old(permit, "status") or permit.status))
        ] -= 1


def register() -> None:
    """Keep the counts in every session's flushes (once)."""
    if not event.contains(Session, "before_flush", _keep_tally):
        event.listen(Session, "before_flush", _keep_tally)


def _keep_tally(session: Session, _context, _instances) -> None:
    deltas: Counter[Key] = Counter()
    with session.no_autoflush:
        _moved_estates(session, deltas)
        _changed_permits(session, deltas)
        _apply(session, deltas)


def _apply(session: Session, deltas: Counter[Key]) -> None:
    changes = sorted((key, n) for key, n in deltas.items() if n and key[0] is not None)
    if not changes:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = PermitTally.__table__
    for (region_id, status), n in changes:
        statement = insert(table).values(region_id=region_id, status=status, permits=n)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.region_id, table.c.status], set_={"permits": table.c.permits + n}
        )
        session.execute(statement)
