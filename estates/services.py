"""The rules for investors, estates, zones and claims: every change to them goes through here.

Functions take plain arguments (no request objects) so that a later JSON API can call them. They flush,
never commit: the caller commits once. A broken rule raises a named ``EstateRuleError`` (a ``ValueError``)
whose ``field`` names the form field the message belongs to; nothing is written when one is raised.

Every change takes the caller's ``Scope`` and checks it before anything else: a scope that may not edit
(the governor's office, an investor) raises ``ReadOnlyScope``; a record outside the scope raises
``NotInScope`` (answered as an unknown id: 404); an officer of one kab/kota choosing another for an estate
gets ``RegionOutOfScope`` on the region field. The views load records through the scoped reads first, so
these checks matter for callers that skip them (a JSON API, a script).

The reads (single records, look-ups, the lists' queries) live in ``estates.queries``; the list queries
are re-exported here, so ``services.search_estates`` and ``services.search_investors`` work too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import NotInScope, ReadOnlyScope
from app.extensions import db
from app.formatting import hectares, number
from app.models import Region
from app.security import Scope
from estates.fields import ClaimFields, EstateFields, InvestorFields, ZoneFields, _assign
from estates.models import (
    CapitalStatus,
    Claim,
    Estate,
    EstateStatus,
    Investor,
    Zone,
    ZoneKind,
)
from estates.queries import (
    can_see_claim,
    can_see_estate,
    can_see_investor,
    estate_name_taken,
    investor_name_taken,
    limited_region,
    nib_taken,
    zoned_area,
)
from estates.queries import search_estates as search_estates  # re-exported: part of the services' API
from estates.queries import search_investors as search_investors

INDONESIA = "ID"
# Limits that keep figures plausible and inside their columns (the forms say the same beside each field).
MAX_ESTATE_AREA_HA = Decimal(10_000)
MAX_INVESTMENT_RP = Decimal(10**15)  # Rp1.000 triliun, whole rupiah
MAX_ZONE_COUNT = 1_000_000  # jobs or housing units in one zone
MAX_CLAIM_VALUE = Decimal(10**15)  # what a source may claim; far below the Numeric(20, 4) column
BANTEN_LATITUDE = (Decimal("-7.1"), Decimal("-5.7"))
BANTEN_LONGITUDE = (Decimal("105.0"), Decimal("106.9"))


def check_can_edit(scope: Scope) -> None:
    """Raise ``ReadOnlyScope`` unless the scope may record and change investors, estates and permits."""
    if not scope.can_edit:
        raise ReadOnlyScope(scope.role)


def check_estate_in_scope(estate: Estate, scope: Scope) -> None:
    """Raise ``ReadOnlyScope`` for a read-only scope, ``NotInScope`` for an estate the scope may not see."""
    check_can_edit(scope)
    if not can_see_estate(estate, scope):
        raise NotInScope(estate.id)


class EstateRuleError(ValueError):
    """A rule of this package refused the change; ``field`` is the form field the message belongs to."""

    field: str | None = None

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class OutOfRange(EstateRuleError):
    """A number outside its accepted range, or a fraction where only whole numbers make sense."""


def _in_range(value: Decimal | int | None, low: Decimal, high: Decimal, field: str, *, above: bool = False) -> None:
    """Refuse ``value`` outside ``[low, high]`` (``(low, high]`` when ``above``); ``None`` passes."""
    if value is None:
        return
    if value < low or value > high or (above and value == low):
        raise OutOfRange(_("Must be between %(low)s and %(high)s.", low=number(low), high=number(high)), field=field)


class NameTaken(EstateRuleError):
    """Another investor or estate already has this name (compared without regard to case)."""


class NibTaken(EstateRuleError):
    field = "nib"


class CountryMismatch(EstateRuleError):
    """A PMA investor must come from abroad; a PMDN investor is Indonesian."""

    field = "country_of_origin"


class UnknownReference(EstateRuleError):
    """The investor or region named by id does not exist."""


class RegionOutOfScope(EstateRuleError):
    """An officer of one kab/kota may only record estates in it."""

    field = "region_id"


class StopOrderIncomplete(EstateRuleError):
    """A stopped estate needs the stop order's date and reason."""


class EstateAreaBelowZones(EstateRuleError):
    field = "area_ha"


class ZoneAreaExceeded(EstateRuleError):
    """The zones' total area would exceed the estate's; ``left`` is the area still unzoned."""

    field = "area_ha"

    def __init__(self, message: str, left: Decimal) -> None:
        super().__init__(message)
        self.left = left


class HousingUnitsOutsideHousing(EstateRuleError):
    field = "housing_units"


class ClaimRangeInverted(EstateRuleError):
    field = "value_high"


# --- investors -------------------------------------------------------------------------------------------


def _check_investor(data: InvestorFields, exclude_id: int | None) -> None:
    if investor_name_taken(data.legal_name, exclude_id):
        raise NameTaken(_("Another investor already has this legal name."), field="legal_name")
    if data.nib and nib_taken(data.nib, exclude_id):
        raise NibTaken(_("Another investor already has this NIB."))
    if data.capital_status is CapitalStatus.PMA and data.country_of_origin == INDONESIA:
        raise CountryMismatch(_("A PMA (foreign) investor must have a foreign country of origin."))
    if data.capital_status is CapitalStatus.PMDN and data.country_of_origin != INDONESIA:
        raise CountryMismatch(_("A PMDN (domestic) investor is Indonesian: choose Indonesia."))


def create_investor(data: InvestorFields, *, scope: Scope, is_demo: bool = False) -> Investor:
    """Add an investor. Any editor may, an officer of one kab/kota too (a company is not tied to a region).
    Raises ``ReadOnlyScope``, ``NameTaken``, ``NibTaken`` or ``CountryMismatch``; flushes."""
    check_can_edit(scope)
    _check_investor(data, None)
    investor = Investor(is_demo=is_demo)
    _assign(investor, data)
    db.session.add(investor)
    db.session.flush()
    return investor


def update_investor(investor: Investor, data: InvestorFields, *, scope: Scope) -> Investor:
    """Replace the investor's facts with ``data``; same rules and errors as ``create_investor``, and
    ``NotInScope`` for an investor the scope may not see."""
    check_can_edit(scope)
    if not can_see_investor(investor, scope):
        raise NotInScope(investor.id)
    _check_investor(data, investor.id)
    _assign(investor, data)
    db.session.flush()
    return investor


# --- estates ---------------------------------------------------------------------------------------------


def _lock_estate(estate: Estate) -> None:
    # Two officers adding zones at once must not both pass the area check (PostgreSQL; SQLite writes serially).
    db.session.execute(select(Estate.id).where(Estate.id == estate.id).with_for_update())


def _check_estate_values(data: EstateFields) -> None:
    _in_range(data.area_ha, Decimal(0), MAX_ESTATE_AREA_HA, "area_ha", above=True)
    _in_range(data.planned_investment_rp, Decimal(0), MAX_INVESTMENT_RP, "planned_investment_rp")
    rupiah = data.planned_investment_rp
    if rupiah is not None and rupiah != rupiah.to_integral_value():
        raise OutOfRange(_("Whole rupiah only: no fractions of a rupiah."), field="planned_investment_rp")
    if (data.latitude is None) != (data.longitude is None):
        raise EstateRuleError(_("Give both latitude and longitude, or neither."), field="longitude")
    _in_range(data.latitude, *BANTEN_LATITUDE, "latitude")
    _in_range(data.longitude, *BANTEN_LONGITUDE, "longitude")
    if data.status is EstateStatus.STOPPED:
        if data.stop_order_on is None:
            raise StopOrderIncomplete(_("A stopped estate needs the date of the stop order."), field="stop_order_on")
        if not data.stop_order_reason:
            raise StopOrderIncomplete(_("A stopped estate needs the reason for the stop order."), "stop_order_reason")


def _check_estate(data: EstateFields, estate: Estate | None, scope: Scope) -> None:
    check_can_edit(scope)
    if estate is not None and not can_see_estate(estate, scope):
        raise NotInScope(estate.id)
    region_id = limited_region(scope)
    if region_id is not None and data.region_id != region_id:
        raise RegionOutOfScope(_("You record estates in your own kabupaten/kota only: choose it."))
    _check_estate_values(data)
    if db.session.get(Investor, data.investor_id) is None:
        raise UnknownReference(_("Choose an investor from the list."), field="investor_id")
    if db.session.get(Region, data.region_id) is None:
        raise UnknownReference(_("Choose one of Banten's eight kabupaten/kota."), field="region_id")
    if estate_name_taken(data.name, estate.id if estate else None):
        raise NameTaken(_("Another estate already has this name."), field="name")
    if estate is not None:
        _lock_estate(estate)
        zoned = zoned_area(estate.id)
        if data.area_ha < zoned:
            raise EstateAreaBelowZones(
                _("The zones already cover %(zoned)s; the area cannot be less than that.", zoned=hectares(zoned))
            )


def create_estate(data: EstateFields, *, scope: Scope) -> Estate:
    """Add an estate. Raises ``ReadOnlyScope``, ``RegionOutOfScope`` (an officer of one kab/kota naming
    another), ``OutOfRange``, ``UnknownReference``, ``NameTaken`` or ``StopOrderIncomplete``; flushes."""
    _check_estate(data, None, scope)
    estate = Estate()
    _assign(estate, data)
    db.session.add(estate)
    db.session.flush()
    return estate


def update_estate(estate: Estate, data: EstateFields, *, scope: Scope) -> Estate:
    """Replace the estate's facts; as ``create_estate``, ``NotInScope`` for an estate outside the scope, and
    ``EstateAreaBelowZones`` if it would shrink below its zones' total area. A new stop order runs the hooks of
    ``on_stop_order`` (the notices) in the same transaction."""
    _check_estate(data, estate, scope)
    stopped_before = estate.status is EstateStatus.STOPPED
    _assign(estate, data)
    db.session.flush()
    if estate.status is EstateStatus.STOPPED and not stopped_before:
        for hook in _STOP_ORDER_HOOKS:
            hook(estate, scope.user_id)
    return estate


StopOrderHook = Callable[[Estate, "int | None"], None]
_STOP_ORDER_HOOKS: list[StopOrderHook] = []


def on_stop_order(hook: StopOrderHook) -> StopOrderHook:
    """Register ``hook(estate, actor_id)`` to run when an estate receives a stop order (estates never import the
    packages that listen). Registering the same function twice keeps one."""
    if hook not in _STOP_ORDER_HOOKS:
        _STOP_ORDER_HOOKS.append(hook)
    return hook


# --- zones -----------------------------------------------------------------------------------------------


def _check_zone(estate: Estate, data: ZoneFields, exclude_zone_id: int | None) -> None:
    _in_range(data.area_ha, Decimal(0), MAX_ESTATE_AREA_HA, "area_ha", above=True)
    _in_range(data.planned_direct_jobs, Decimal(0), Decimal(MAX_ZONE_COUNT), "planned_direct_jobs")
    _in_range(data.housing_units, Decimal(0), Decimal(MAX_ZONE_COUNT), "housing_units")
    if data.housing_units is not None and data.kind is not ZoneKind.HOUSING:
        raise HousingUnitsOutsideHousing(_("Housing units can only be given for a housing zone."))
    _lock_estate(estate)
    left = estate.area_ha - zoned_area(estate.id, exclude_zone_id)
    if data.area_ha > left:
        raise ZoneAreaExceeded(
            _(
                "The zones may not exceed the estate's %(total)s: only %(left)s is left unzoned.",
                total=hectares(estate.area_ha),
                left=hectares(max(left, Decimal(0))),
            ),
            left=max(left, Decimal(0)),
        )


def add_zone(estate: Estate, data: ZoneFields, *, scope: Scope) -> Zone:
    """Add a zone to the estate. Raises ``ReadOnlyScope`` or ``NotInScope`` (see ``check_estate_in_scope``),
    ``ZoneAreaExceeded`` when the zones would cover more than the estate, ``HousingUnitsOutsideHousing`` for
    housing units on another kind; flushes."""
    check_estate_in_scope(estate, scope)
    _check_zone(estate, data, None)
    zone = Zone(estate=estate)
    _assign(zone, data)
    db.session.add(zone)
    db.session.flush()
    return zone


def update_zone(zone: Zone, data: ZoneFields, *, scope: Scope) -> Zone:
    """Replace the zone's facts; same rules and errors as ``add_zone``."""
    check_estate_in_scope(zone.estate, scope)
    _check_zone(zone.estate, data, zone.id)
    _assign(zone, data)
    db.session.flush()
    return zone


def delete_zone(zone: Zone, *, scope: Scope) -> None:
    """Remove the zone from its estate; flushes. Raises ``ReadOnlyScope`` or ``NotInScope``."""
    estate = zone.estate
    check_estate_in_scope(estate, scope)
    if zone in estate.zones:
        estate.zones.remove(zone)
    db.session.delete(zone)
    db.session.flush()


# --- claims ----------------------------------------------------------------------------------------------


def _check_claim(data: ClaimFields) -> None:
    _in_range(data.value, Decimal(0), MAX_CLAIM_VALUE, "value")
    _in_range(data.value_high, Decimal(0), MAX_CLAIM_VALUE, "value_high")
    if data.value_high is not None and data.value_high < data.value:
        raise ClaimRangeInverted(_("The upper value of a range cannot be below the value."))


def add_claim(
    data: ClaimFields, *, scope: Scope, estate: Estate | None = None, investor: Investor | None = None
) -> Claim:
    """Record a claim about an estate or an investor (exactly one). Claims are never merged: each is kept
    with its own source and date. Raises ``ReadOnlyScope``, ``NotInScope`` (the estate or investor is outside
    the scope) or ``ClaimRangeInverted``; flushes."""
    if (estate is None) == (investor is None):
        raise EstateRuleError(_("A claim is about one estate or one investor."))
    if estate is not None:
        check_estate_in_scope(estate, scope)
    elif investor is not None:
        check_can_edit(scope)
        if not can_see_investor(investor, scope):
            raise NotInScope(investor.id)
    _check_claim(data)
    claim = Claim(estate=estate, investor=investor)
    _assign(claim, data)
    db.session.add(claim)
    db.session.flush()
    return claim


def update_claim(claim: Claim, data: ClaimFields, *, scope: Scope) -> Claim:
    """Correct a claim's figures or source; same rules as ``add_claim``."""
    check_can_edit(scope)
    if not can_see_claim(claim, scope):
        raise NotInScope(claim.id)
    _check_claim(data)
    _assign(claim, replace(data, recorded_by=claim.recorded_by))  # who recorded the claim stays
    db.session.flush()
    return claim
