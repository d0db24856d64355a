"""The register through the API: investors, estates with their zones and claims; written by officers.

Reads use the pages' read services with the token owner's ``Scope`` (an investor's token sees its own company
and estates, an officer of one kab/kota the estates there); writes go through the same services as the forms,
and a refusal of theirs answers 422 naming the field.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _

from api.core import ID, PageArgs, blueprint, page_schema, paged, scope, sort_arg
from api.schemas import EstateDetailSchema, EstateIn, EstateSchema, InvestorIn, InvestorSchema, ZoneIn, ZoneSchema
from app.errors import found, problem
from app.security import EDITORS, role_required
from estates import queries, reading, services
from estates.fields import EstateFields, InvestorFields, ZoneFields
from estates.lists import ESTATE_SORTS
from estates.models import CapitalStatus, EstateStatus

bp = blueprint("register", "Investors, their estates, zones and claims")


def refused(error: services.EstateRuleError):
    errors = {error.field: [error.message]} if error.field else {}
    return problem(422, _("Refused"), error.message, errors=errors)


bp.register_error_handler(services.EstateRuleError, refused)


class InvestorArgs(PageArgs):
    q = ma.fields.String(load_default=None, validate=ma.validate.Length(max=100))
    capital_status = ma.fields.Enum(CapitalStatus, by_value=True, load_default=None)
    sort = ma.fields.String(load_default="name", validate=ma.validate.OneOf(list(reading.INVESTOR_SORTS)))


class EstateArgs(PageArgs):
    q = ma.fields.String(load_default=None, validate=ma.validate.Length(max=100))
    region_id = ma.fields.Integer(load_default=None, validate=ID, metadata={"description": "the kab/kota"})
    investor_id = ma.fields.Integer(load_default=None, validate=ID)
    status = ma.fields.Enum(EstateStatus, by_value=True, load_default=None)
    sort = sort_arg(ESTATE_SORTS, "name")


@bp.get("/investors")
@bp.arguments(InvestorArgs, location="query")
@bp.response(200, page_schema(InvestorSchema, "InvestorPage"))
def investor_list(args: dict):
    """Investors the token may see (an investor's token: its own), sorted by ``sort``."""
    return paged(reading.investors_query(args["q"], args["capital_status"], args["sort"], scope=scope()), args)


@bp.get("/investors/<int:investor_id>")
@bp.response(200, InvestorSchema)
def investor_detail(investor_id: int):
    return found(queries.get_investor(investor_id, scope()))


@bp.post("/investors")
@role_required(*EDITORS)
@bp.arguments(InvestorIn)
@bp.response(201, InvestorSchema)
def investor_create(data: dict):
    """Record an investor (officers and administrators)."""
    return services.create_investor(InvestorFields(**data), scope=scope())


@bp.put("/investors/<int:investor_id>")
@role_required(*EDITORS)
@bp.arguments(InvestorIn)
@bp.response(200, InvestorSchema)
def investor_update(data: dict, investor_id: int):
    investor = found(queries.get_investor(investor_id, scope()))
    return services.update_investor(investor, InvestorFields(**data), scope=scope())


@bp.get("/estates")
@bp.arguments(EstateArgs, location="query")
@bp.response(200, page_schema(EstateSchema, "EstatePage"))
def estate_list(args: dict):
    """Estates the token may see, filtered by kab/kota, investor and status, sorted by ``sort``."""
    query = reading.estates_query(
        args["q"], args["region_id"], args["status"], args["sort"], args["investor_id"], scope=scope()
    )
    return paged(query, args)


@bp.get("/estates/<int:estate_id>")
@bp.response(200, EstateDetailSchema)
def estate_detail(estate_id: int):
    """One estate with its zones and the claims made about it; another investor's estate is a 404."""
    return found(queries.get_estate(estate_id, scope()))


@bp.post("/estates")
@role_required(*EDITORS)
@bp.arguments(EstateIn)
@bp.response(201, EstateDetailSchema)
def estate_create(data: dict):
    return services.create_estate(EstateFields(**data), scope=scope())


@bp.put("/estates/<int:estate_id>")
@role_required(*EDITORS)
@bp.arguments(EstateIn)
@bp.response(200, EstateDetailSchema)
def estate_update(data: dict, estate_id: int):
    estate = found(queries.get_estate(estate_id, scope()))
    return services.update_estate(estate, EstateFields(**data), scope=scope())


@bp.post("/estates/<int:estate_id>/zones")
@role_required(*EDITORS)
@bp.arguments(ZoneIn)
@bp.response(201, ZoneSchema)
def zone_create(data: dict, estate_id: int):
    estate = found(queries.get_estate(estate_id, scope()))
    return services.add_zone(estate, ZoneFields(**data), scope=scope())


@bp.put("/zones/<int:zone_id>")
@role_required(*EDITORS)
@bp.arguments(ZoneIn)
@bp.response(200, ZoneSchema)
def zone_update(data: dict, zone_id: int):
    zone = found(queries.get_zone(zone_id, scope()))
    return services.update_zone(zone, ZoneFields(**data), scope=scope())
