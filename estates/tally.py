"""The estates counted per kab/kota, capital status (PMA/PMDN) and estate status (``estate_tally``), with their
area and planned investment summed: the dashboard's estate figures without joining every estate to its investor
on every request.

Kept by the session in the same flush, hence the same transaction, as every change that moves a figure: a new or
deleted estate, an estate's kab/kota, status, area, planned investment or investor changed, and an investor's
capital status changed (all its estates, as they stand in the database, move with it; an estate changed in the
same flush counts its own change from there). Each change adds its difference with one upsert per key, in key
order, so that two writers committing at once never wait for each other in a cycle. The area is kept in square
metres and the investment in whole rupiah, both integers, so that additions are exact on every engine. Writers
that bypass the session (``devtools.synth``'s bulk load) call ``recount_estate_tally`` afterwards;
``estate_tally_mismatches`` compares the kept figures with a recount.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, ColumnElement, ForeignKey, String, cast, delete, event, func, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from estates.models import CapitalStatus, Estate, EstateStatus, Investor

Key = tuple[int, str, str]  # (region id, capital status value, estate status value)
Figures = list[int]  # [estates, area in m², planned investment in rupiah]
M2_PER_HA = 10_000


class EstateTally(db.Model):
    """How many estates of one kab/kota, capital status and estate status, with their area and investment."""

    __tablename__ = "estate_tally"

    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), primary_key=True)
    capital_status: Mapped[str] = mapped_column(String(8), primary_key=True)
    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    estates: Mapped[int] = mapped_column(default=0, server_default="0")
    area_m2: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    investment_rp: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


def recount_query(visible: ColumnElement[bool] | None = None):
    """The figures per key counted from the estates (those ``visible`` only, when given)."""
    query = (
        select(
            Estate.region_id,
            Investor.capital_status,
            Estate.status,
            func.count(Estate.id),
            cast(func.coalesce(func.sum(func.round(Estate.area_ha * M2_PER_HA)), 0), BigInteger),
            cast(func.coalesce(func.sum(Estate.planned_investment_rp), 0), BigInteger),
        )
        .join(Estate.investor)
        .group_by(Estate.region_id, Investor.capital_status, Estate.status)
    )
    return query.where(visible) if visible is not None else query


def _recounted() -> dict[Key, tuple[int, int, int]]:
    rows = db.session.execute(recount_query()).all()
    return {
        (region, CapitalStatus(capital).value, EstateStatus(status).value): (int(n), int(area), int(rp))
        for region, capital, status, n, area, rp in rows
    }


def recount_estate_tally() -> None:
    """Rebuild every figure from the estates (after a bulk load). Flushes, never commits."""
    db.session.flush()
    db.session.execute(delete(EstateTally))
    rows = [
        {"region_id": r, "capital_status": c, "status": s, "estates": n, "area_m2": area, "investment_rp": rp}
        for (r, c, s), (n, area, rp) in _recounted().items()
    ]
    if rows:
        db.session.execute(EstateTally.__table__.insert(), rows)


def estate_tally_mismatches() -> dict[Key, tuple[tuple[int, int, int], tuple[int, int, int]]]:
    """Every key whose kept figures differ from the recount: {key: (kept, recounted)}."""
    db.session.flush()
    recounted = _recounted()
    columns = (EstateTally.estates, EstateTally.area_m2, EstateTally.investment_rp)
    kept = {
        (r, c, s): (n, area, rp)
        for r, c, s, n, area, rp in db.session.execute(
            select(EstateTally.region_id, EstateTally.capital_status, EstateTally.status, *columns)
        )
        if (n, area, rp) != (0, 0, 0)
    }
    zero = (0, 0, 0)
    keys = set(recounted) | set(kept)
    return {k: (kept.get(k, zero), recounted.get(k, zero)) for k in keys if kept.get(k, zero) != recounted.get(k, zero)}


# --- kept by the session ----------------------------------------------------------------------------------


def area_m2(area_ha: Decimal | None) -> int:
    """Hectares as stored (four decimals) in whole square metres."""
    if area_ha is None:
        return 0
    return int(Decimal(area_ha).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) * M2_PER_HA)


def _rupiah(amount: Decimal | None) -> int:
    return int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)) if amount is not None else 0


def _value(value, enum):
    return enum(value).value if value is not None else None


def _old(obj, name: str):
    """The attribute's value as the database holds it (its current one when unchanged)."""
    history = inspect(obj).attrs[name].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else getattr(obj, name)


def _capital_of(session: Session, investor_id: int | None, investor: Investor | None = None) -> str | None:
    """The investor's capital status as the session holds it (changed in this flush or not)."""
    if investor is None and investor_id is not None:
        investor = session.get(Investor, investor_id)
    return _value(investor.capital_status, CapitalStatus) if investor is not None else None


def _given(estate: Estate, relation: str):
    """The record just given to ``relation`` (whose id the flush will write in place of the column's), if any."""
    added = inspect(estate).attrs[relation].history.added
    return added[0] if added and added[0] is not None else None


def _new_side(session: Session, estate: Estate) -> tuple[Key, Figures]:
    region = _given(estate, "region")
    region_id = region.id if region is not None else estate.region_id
    capital = _capital_of(session, estate.investor_id, _given(estate, "investor"))
    status = _value(estate.status or EstateStatus.PLANNED, EstateStatus)
    figures = [1, area_m2(estate.area_ha), _rupiah(estate.planned_investment_rp)]
    return (region_id, capital, status), figures


def _old_side(session: Session, estate: Estate) -> tuple[Key, Figures]:
    investor_id = _old(estate, "investor_id")
    status = _value(_old(estate, "status"), EstateStatus)
    figures = [1, area_m2(_old(estate, "area_ha")), _rupiah(_old(estate, "planned_investment_rp"))]
    return (_old(estate, "region_id"), _capital_of(session, investor_id), status), figures


def _add(deltas: dict[Key, Figures], key: Key, figures: Figures, sign: int) -> None:
    kept = deltas[key]
    for i, n in enumerate(figures):
        kept[i] += sign * n


# What moves an estate's figures: its columns, or a record given to its relations (written as the column at flush)
TRACKED = ("region_id", "investor_id", "status", "area_ha", "planned_investment_rp", "region", "investor")


def _changed_estates(session: Session, deltas: dict[Key, Figures]) -> None:
    for estate in (o for o in session.new if isinstance(o, Estate)):
        _add(deltas, *_new_side(session, estate), 1)
    for estate in (o for o in session.dirty if isinstance(o, Estate)):
        if any(inspect(estate).attrs[name].history.has_changes() for name in TRACKED):
            _add(deltas, *_old_side(session, estate), -1)
            _add(deltas, *_new_side(session, estate), 1)
    for estate in (o for o in session.deleted if isinstance(o, Estate)):
        _add(deltas, *_old_side(session, estate), -1)


def _changed_investors(session: Session, deltas: dict[Key, Figures]) -> None:
    """An investor whose capital status changed takes its estates' figures along, as the database holds them."""
    for investor in (o for o in session.dirty if isinstance(o, Investor) and o.id is not None):
        old, new = _value(_old(investor, "capital_status"), CapitalStatus), _capital_of(session, None, investor)
        if old is None or old == new:
            continue
        query = recount_query(Estate.investor_id == investor.id)
        for region, _capital, status, n, area, rp in session.execute(query).all():
            status = EstateStatus(status).value
            _add(deltas, (region, old, status), [n, area, rp], -1)
            _add(deltas, (region, new, status), [n, area, rp], 1)


def register() -> None:
    """Keep the figures in every session's flushes (once)."""
    if not event.contains(Session, "before_flush", _keep_tally):
        event.listen(Session, "before_flush", _keep_tally)


def _keep_tally(session: Session, _context, _instances) -> None:
    deltas: dict[Key, Figures] = defaultdict(lambda: [0, 0, 0])
    with session.no_autoflush:
        _changed_investors(session, deltas)
        _changed_estates(session, deltas)
        _apply(session, deltas)


def _apply(session: Session, deltas: dict[Key, Figures]) -> None:
    changes = sorted((k, v) for k, v in deltas.items() if any(v) and None not in k)
    if not changes:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = EstateTally.__table__
    for (region_id, capital, status), (n, area, rp) in changes:
        statement = insert(table).values(
            region_id=region_id, capital_status=capital, status=status, estates=n, area_m2=area, investment_rp=rp
        )
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.region_id, table.c.capital_status, table.c.status],
            set_={
                "estates": table.c.estates + n,
                "area_m2": table.c.area_m2 + area,
                "investment_rp": table.c.investment_rp + rp,
            },
        )
        session.execute(statement)
