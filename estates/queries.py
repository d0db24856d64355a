"""Reads for investors, estates, zones and claims: single records, look-ups and the lists' queries.

Nothing here writes. ``estates.services`` holds the rules that change data and uses these reads; the list
queries return a ``Select`` that the view hands to ``db.paginate``. A query argument that makes no sense
(an impossible id, an unknown sort key, an over-long search) gives an empty or default answer, never an error.

Every read of records takes the caller's ``Scope`` (``app.security``): a record outside it is ``None`` for a
single read (the page answers 404, as for an unknown id) and absent from a list or a total. The rule lives in
one place, ``estates_visible_to`` (SQL) and ``can_see_estate`` (Python), which permits and the portal reuse:
the administrator, the governor's office and a province officer see every estate; an officer of one kab/kota
sees the estates there; an investor user sees its own investor's estates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    Select,
    String,
    bindparam,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, contains_eager, joinedload, selectinload
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app.models import Region, Role, Setting
from app.security import Scope
from app.statements import kept_statement
from app.urls import MAX_ID
from estates.models import Claim, ClaimMetric, Estate, Investor, Zone, ZoneKind

MAX_SEARCH_LENGTH = 100
MIN_AREA_SETTING = "estate.min_area_ha"


def _valid_id(obj_id: int | None) -> bool:
    return obj_id is not None and 0 < obj_id <= MAX_ID


# --- who sees what -----------------------------------------------------------------------------------------


def _region_of(scope: Scope) -> int | None:
    """The kab/kota an officer is limited to, or ``None`` when the scope is not limited to one."""
    return scope.region_id if scope.role == Role.OFFICER and not scope.sees_everything else None


def estates_visible_to(scope: Scope) -> ColumnElement[bool]:
    """SQL condition on ``Estate``: the estates the scope may see (and, for editors, change)."""
    if scope.sees_everything:
        return true()
    if (region_id := _region_of(scope)) is not None:
        return Estate.region_id == region_id
    if scope.role == Role.INVESTOR and scope.investor_id is not None:
        return Estate.investor_id == scope.investor_id
    return false()


def can_see_estate(estate: Estate, scope: Scope) -> bool:
    """The same rule as ``estates_visible_to``, for an estate already loaded."""
    if scope.sees_everything:
        return True
    if (region_id := _region_of(scope)) is not None:
        return estate.region_id == region_id
    if scope.role == Role.INVESTOR and scope.investor_id is not None:
        return estate.investor_id == scope.investor_id
    return False


def investors_visible_to(scope: Scope) -> ColumnElement[bool]:
    """SQL condition on ``Investor``. A company is not tied to one kab/kota: every officer sees every investor
    (only its estates are limited); an investor user sees its own."""
    if scope.role == Role.INVESTOR:
        return Investor.id == scope.investor_id if scope.investor_id is not None else false()
    return true()


def can_see_investor(investor: Investor, scope: Scope) -> bool:
    if scope.role == Role.INVESTOR:
        return scope.investor_id is not None and investor.id == scope.investor_id
    return True


def can_see_claim(claim: Claim, scope: Scope) -> bool:
    """A claim about an estate follows the estate; a claim about an investor follows the investor."""
    if claim.estate is not None:
        return can_see_estate(claim.estate, scope)
    return claim.investor is not None and can_see_investor(claim.investor, scope)


def limited_region(scope: Scope) -> int | None:
    """The only kab/kota the scope sees, for the pages that offer one (``None``: all of Banten)."""
    return _region_of(scope)


# --- single records --------------------------------------------------------------------------------------


def get_investor(investor_id: int, scope: Scope) -> Investor | None:
    """The investor, or ``None`` for an unknown id or one outside the scope. Its estates are not loaded:
    ``investor_estates`` gives those the scope may see."""
    if not _valid_id(investor_id):
        return None
    stmt = select(Investor).where(Investor.id == investor_id, investors_visible_to(scope))
    return db.session.scalars(stmt).one_or_none()


def investor_estates(investor: Investor, scope: Scope) -> list[Estate]:
    """The investor's estates that the scope may see (a Kota Serang officer: those in Kota Serang), by name."""
    stmt = (
        select(Estate)
        .where(Estate.investor_id == investor.id, estates_visible_to(scope))
        .options(joinedload(Estate.region))
        .order_by(Estate.name, Estate.id)
    )
    return list(db.session.scalars(stmt))


def get_estate(estate_id: int, scope: Scope) -> Estate | None:
    """The estate with its investor, region, zones and claims loaded, or ``None`` for an unknown id or an
    estate outside the scope (the page answers 404 either way: nobody learns that it exists). The claims (few, most
    estates none) come joined to the estate's row, the zones by a second statement (issue 13: one fewer)."""
    if not _valid_id(estate_id):
        return None
    stmt = kept_statement("estate-with-zones", scope, lambda: _estate_query(scope).options(selectinload(Estate.zones)))
    return db.session.scalars(stmt, {"estate_id": estate_id}).unique().one_or_none()


# What the estate page shows of each zone (``estate_page``), by these names.
ZONE_COLUMNS = (Zone.id, Zone.kind, Zone.name, Zone.notes, Zone.area_ha, Zone.planned_direct_jobs, Zone.housing_units)


def estate_page(estate_id: int, scope: Scope) -> tuple[Estate, Sequence[Any]] | None:
    """``get_estate`` for the estate page: the estate with its investor, region and claims by one statement, and
    its zones (by id) as plain rows of ``ZONE_COLUMNS`` by a second one, ``estate.zones`` left unread: no zone
    object made for a page that only shows them (issue 13: about 0.45 ms of the page). ``None`` as ``get_estate``."""
    if not _valid_id(estate_id):
        return None
    stmt = kept_statement("estate-page", scope, lambda: _estate_query(scope))
    estate = db.session.scalars(stmt, {"estate_id": estate_id}).unique().one_or_none()
    if estate is None:
        return None
    zones = kept_statement("estate-page-zones", (), _zones_query)
    return estate, db.session.execute(zones, {"estate_id": estate.id}).all()


def _estate_query(scope: Scope) -> Select:
    """The estate of ``bindparam("estate_id")`` in the scope with its investor, region and claims (built once per
    scope by the callers, ``app.statements``)."""
    return (
        select(Estate)
        .where(Estate.id == bindparam("estate_id"), estates_visible_to(scope))
        .options(joinedload(Estate.investor), joinedload(Estate.region), joinedload(Estate.claims))
    )


def _zones_query() -> Select:
    return select(*ZONE_COLUMNS).where(Zone.estate_id == bindparam("estate_id")).order_by(Zone.id)


def zones_area(zones: Sequence[Any]) -> Decimal:
    """The zones' total area (``Estate.zoned_area_ha`` of the page's rows)."""
    return sum((z.area_ha for z in zones), Decimal(0))


def get_zone(zone_id: int, scope: Scope) -> Zone | None:
    """The zone with its estate, or ``None`` when unknown or when its estate is outside the scope."""
    if not _valid_id(zone_id):
        return None
    stmt = (
        select(Zone)
        .join(Zone.estate)
        .where(Zone.id == zone_id, estates_visible_to(scope))
        .options(contains_eager(Zone.estate))
    )
    return db.session.scalars(stmt).one_or_none()


def get_claim(claim_id: int, scope: Scope) -> Claim | None:
    """The claim, or ``None`` when unknown or when the estate or investor it is about is outside the scope."""
    if not _valid_id(claim_id):
        return None
    stmt = select(Claim).where(Claim.id == claim_id).options(joinedload(Claim.estate), joinedload(Claim.investor))
    claim = db.session.scalars(stmt).one_or_none()
    return claim if claim is not None and can_see_claim(claim, scope) else None


def investor_choices() -> list[tuple[int, str]]:
    """Every investor as (id, legal name), by name: the choices of the estate and account forms."""
    return [
        (row.id, row.legal_name)
        for row in db.session.execute(
            select(Investor.id, Investor.legal_name).order_by(Investor.legal_name, Investor.id)
        )
    ]


def investor_names(investor_ids: list[int | None]) -> dict[int, str]:
    """The legal names of these investors, in one query."""
    ids = {i for i in investor_ids if i is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(Investor.id, Investor.legal_name).where(Investor.id.in_(ids)))
    return {row.id: row.legal_name for row in rows}


def investor_exists(investor_id: int) -> bool:
    return _valid_id(investor_id) and db.session.get(Investor, investor_id) is not None


def investor_id_by_nib(nib: str) -> int | None:
    return db.session.scalar(select(Investor.id).where(Investor.nib == nib.strip()))


def region_choices(scope: Scope) -> list[tuple[int, str]]:
    """Banten's eight kab/kota in BPS code order; only its own for an officer of one kab/kota."""
    stmt = select(Region.id, Region.name).order_by(Region.bps_code)
    if (region_id := limited_region(scope)) is not None:
        stmt = stmt.where(Region.id == region_id)
    return [(row.id, row.name) for row in db.session.execute(stmt)]


def investor_name_taken(name: str, exclude_id: int | None = None) -> bool:
    return _taken(Investor.legal_name, name, Investor.id, exclude_id)


def estate_name_taken(name: str, exclude_id: int | None = None) -> bool:
    return _taken(Estate.name, name, Estate.id, exclude_id)


def nib_taken(nib: str, exclude_id: int | None = None) -> bool:
    stmt = select(Investor.id).where(Investor.nib == nib)
    if exclude_id is not None:
        stmt = stmt.where(Investor.id != exclude_id)
    return db.session.scalar(stmt.limit(1)) is not None


def _taken(column: InstrumentedAttribute, value: str, id_column: InstrumentedAttribute, exclude_id: int | None) -> bool:
    """Whether another row has this name, ignoring case (SQLite's lower() knows ASCII only: exact match too)."""
    value = value.strip()
    stmt = select(id_column).where(or_(column == value, func.lower(column) == value.lower()))
    if exclude_id is not None:
        stmt = stmt.where(id_column != exclude_id)
    return db.session.scalar(stmt.limit(1)) is not None


# --- figures the pages and the rules need ----------------------------------------------------------------


def zoned_area(estate_id: int, exclude_zone_id: int | None = None) -> Decimal:
    """The total area of the estate's zones (read from the database, not from loaded objects)."""
    stmt = select(func.coalesce(func.sum(Zone.area_ha), 0)).where(Zone.estate_id == estate_id)
    if exclude_zone_id is not None:
        stmt = stmt.where(Zone.id != exclude_zone_id)
    return Decimal(db.session.scalar(stmt) or 0)


@dataclass(frozen=True)
class MinimumArea:
    hectares: Decimal
    source: str | None
    confirmed: bool


def minimum_estate_area() -> MinimumArea | None:
    """The minimum estate area from the ``estate.min_area_ha`` setting, or ``None`` if unset or unreadable.

    The figure is UNCONFIRMED under PP 20/2024, so it lives in a setting an administrator edits; estates
    below it are flagged, never refused.
    """
    setting = db.session.get(Setting, MIN_AREA_SETTING)
    if setting is None:
        return None
    try:
        value = Decimal(setting.value.strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        return None
    if not value.is_finite() or value <= 0:
        return None
    return MinimumArea(value, setting.source, setting.confirmed)


@dataclass(frozen=True)
class AreaSegment:
    """A share of an estate's area: a zone kind (``None`` for the unzoned rest), hectares and share 0..1."""

    kind: ZoneKind | None
    area_ha: Decimal
    share: Decimal


def area_breakdown(estate: Estate, zones: Sequence[Any] | None = None) -> list[AreaSegment]:
    """The estate's area by zone kind in the kinds' order, then the unzoned rest (if any); ``zones``: the estate's
    (its rows on the estate page, by default ``estate.zones``)."""
    if estate.area_ha <= 0:
        return []
    by_kind: dict[ZoneKind, Decimal] = {}
    for zone in estate.zones if zones is None else zones:
        by_kind[zone.kind] = by_kind.get(zone.kind, Decimal(0)) + zone.area_ha
    segments = [
        AreaSegment(kind, by_kind[kind], by_kind[kind] / estate.area_ha) for kind in ZoneKind if kind in by_kind
    ]
    rest = estate.area_ha - sum(by_kind.values(), Decimal(0))
    if rest > 0:
        segments.append(AreaSegment(None, rest, rest / estate.area_ha))
    return segments


def claims_about_investor(investor: Investor, scope: Scope) -> list[Claim]:
    """Claims about the investor itself and about each of its estates the scope may see, oldest first."""
    estate_ids = select(Estate.id).where(Estate.investor_id == investor.id, estates_visible_to(scope))
    stmt = (
        select(Claim)
        .where(or_(Claim.investor_id == investor.id, Claim.estate_id.in_(estate_ids)))
        .options(joinedload(Claim.estate))
        .order_by(Claim.claimed_on, Claim.id)
    )
    return list(db.session.scalars(stmt))


def group_claims(claims: Sequence[Claim]) -> dict[ClaimMetric, list[Claim]]:
    """Claims by metric (every metric present, possibly empty), each list ordered by date claimed."""
    groups: dict[ClaimMetric, list[Claim]] = {metric: [] for metric in ClaimMetric}
    for claim in sorted(claims, key=lambda c: (c.claimed_on, c.id or 0)):
        groups[claim.metric].append(claim)
    return groups


# --- lists -----------------------------------------------------------------------------------------------


class _ContainsText(FunctionElement):
    """``ILIKE`` of a column and a pattern escaped by ``\\``; on SQLite a plain ``LIKE``, which ignores the case of
    the same letters as ``lower()`` (ASCII: neither folds other letters without the ICU extension, which Pantau
    does not load), without two calls of ``lower()`` per row (issue 13: a search reads every estate's and every
    investor's name on SQLite, where no index helps; 4 ms → 1 ms for 20,000 names)."""

    type = Boolean()
    inherit_cache = True
    name = "contains_text"
    _is_implicitly_boolean = True  # a condition as it stands: no "= 1" after it on SQLite


@compiles(_ContainsText)
def _ilike(element: _ContainsText, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = element.clauses
    return compiler.process(column.ilike(pattern, escape="\\"), **kw)


@compiles(_ContainsText, "sqlite")
def _like_sqlite(element: _ContainsText, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = element.clauses
    return compiler.process(column.like(pattern, escape="\\"), **kw)


def contains_text(column: InstrumentedAttribute, text: str | BindParameter) -> ColumnElement[bool]:
    """``column`` contains ``text``, any case (ASCII letters on SQLite, every letter on PostgreSQL: as
    ``ilike``), with ``%``, ``_`` and ``\\`` taken literally; ``text`` may be a ``bindparam`` given
    ``contains_pattern(text)`` when the statement runs (a statement built once, ``app.statements``)."""
    if isinstance(text, BindParameter):
        return _ContainsText(column, text)
    return _ContainsText(column, literal(contains_pattern(text), String()))


def contains_pattern(text: str) -> str:
    """The ``LIKE`` pattern of ``contains_text``: ``text`` anywhere, its wildcards and escapes taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
