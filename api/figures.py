"""Reference data and figures through the API: permit types, agencies, stall flags, LKPM reports, layoffs, and
the job forecast (series, held-back jobs, skills demand, snapshots).

Each read goes through the owning package's read service with the token owner's ``Scope``. What the pages show
the office only (flags, layoffs, the forecast) is for the office's tokens only: an investor's token gets 403, as
its owner would on those pages.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields as f

from api.core import ID, PageArgs, blueprint, listed, page_schema, paged, scope, sort_arg, sort_of
from api.schemas import AgencySchema, DecimalText, PermitTypeSchema
from app.listing import sort_rows
from app.security import OFFICE, role_required
from forecast import reading as forecast
from permits import services as permits
from permits.agencies.services import all_agencies
from permits.stalls.models import FlagKind
from permits.stalls.services import FLAG_SORTS, flags_query
from realisation import queries as lkpm
from realisation.layoffs import services as layoffs
from realisation.models import LkpmStatus

bp = blueprint("figures", "Catalogue, agencies, flags, LKPM reports, layoffs and the job forecast")


class FlagSchema(ma.Schema):
    id = f.Integer(required=True)
    permit_id = f.Integer()
    kind = f.Enum(FlagKind, by_value=True)
    raised_on = f.Date()
    last_confirmed_on = f.Date()
    resolved_on = f.Date(allow_none=True)


class LkpmSchema(ma.Schema):
    id = f.Integer(required=True)
    investor_id = f.Integer()
    estate_id = f.Integer(allow_none=True)
    period = f.String()
    status = f.Enum(LkpmStatus, by_value=True)
    investment_rp = DecimalText()
    fixed_capital_rp = DecimalText(allow_none=True)
    working_capital_rp = DecimalText(allow_none=True)
    tki = f.Integer()
    tka = f.Integer()
    reported_on = f.Date()
    version = f.Integer()
    import_batch_id = f.Integer(allow_none=True)


class LayoffSchema(ma.Schema):
    id = f.Integer(required=True)
    region_id = f.Integer()
    period = f.String()
    kbli_section = f.String()
    workers = f.Integer()
    source = f.String()
    source_date = f.Date()
    source_url = f.String(allow_none=True)
    notes = f.String(allow_none=True)


# The agencies' order: the register's (level, kab/kota, kind) unless asked by name or level.
AGENCY_SORTS = {"name": lambda a: a.name_id.casefold(), "code": lambda a: a.code, "level": lambda a: a.level.value}


class AgencyArgs(PageArgs):
    sort = sort_arg(AGENCY_SORTS, None)


class FlagArgs(PageArgs):
    kind = f.Enum(FlagKind, by_value=True, load_default=None)
    open = f.Boolean(load_default=True, metadata={"description": "only the flags not resolved yet"})
    sort = sort_arg(FLAG_SORTS, "-raised")


class LkpmArgs(PageArgs):
    q = f.String(load_default="", validate=ma.validate.Length(max=100))
    period = f.String(load_default="", validate=ma.validate.Regexp(r"^(\d{4}-(Q[1-4]|S[12]))?\Z"))
    status = f.Enum(LkpmStatus, by_value=True, load_default=None)
    region_id = f.Integer(load_default=None, validate=ID)
    sort = sort_arg(lkpm.ENTRY_SORTS, "-period")


class LayoffArgs(PageArgs):
    region_id = f.Integer(load_default=None, validate=ID)
    period = f.String(load_default="", validate=ma.validate.Regexp(r"^(\d{4}-Q[1-4])?\Z"))
    section = f.String(load_default="", validate=ma.validate.Regexp(r"^[A-U]?\Z"))
    sort = sort_arg(layoffs.LAYOFF_SORTS, "-period")


@bp.get("/permit-types")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(PermitTypeSchema, "PermitTypePage"))
def permit_types(args: dict):
    """The catalogue, in the usual order of the chain."""
    return listed(permits.catalogue(), args)


@bp.get("/agencies")
@bp.arguments(AgencyArgs, location="query")
@bp.response(200, page_schema(AgencySchema, "AgencyPage"))
def agencies(args: dict):
    """The issuing agencies with their level, kab/kota and contact: central, province, then each kab/kota, unless
    ``sort`` asks for another order."""
    return listed(sort_rows(all_agencies(), sort_of(AGENCY_SORTS, args), AGENCY_SORTS), args)


@bp.get("/flags")
@role_required(*OFFICE)
@bp.arguments(FlagArgs, location="query")
@bp.response(200, page_schema(FlagSchema, "FlagPage"))
def flags(args: dict):
    """Stall flags (at risk, overdue, deemed granted or withdrawn by law) of the permits the token may see."""
    return paged(flags_query(scope(), args["kind"], args["open"], sort_of(FLAG_SORTS, args)), args)


@bp.get("/lkpm")
@bp.arguments(LkpmArgs, location="query")
@bp.response(200, page_schema(LkpmSchema, "LkpmPage"))
def lkpm_entries(args: dict):
    """LKPM reports the token may see (an investor's token: its own), the latest period first."""
    filters = lkpm.EntryFilters(
        q=args["q"],
        period=args["period"],
        status=args["status"],
        region_id=args["region_id"],
        sort=sort_of(lkpm.ENTRY_SORTS, args),
    )
    return paged(lkpm.search_entries(filters, scope=scope()), args)


@bp.get("/layoffs")
@role_required(*OFFICE)
@bp.arguments(LayoffArgs, location="query")
@bp.response(200, page_schema(LayoffSchema, "LayoffPage"))
def layoff_records(args: dict):
    filters = layoffs.LayoffFilters(
        region_id=args["region_id"],
        period=args["period"],
        section=args["section"],
        sort=sort_of(layoffs.LAYOFF_SORTS, args),
    )
    return paged(layoffs.search_layoffs(filters, scope=scope()), args)


# --- the job forecast --------------------------------------------------------------------------------------


class ForecastArgs(ma.Schema):
    run_id = f.Integer(load_default=None, validate=ID, metadata={"description": "a snapshot; default: the latest"})
    region_id = f.Integer(load_default=None, validate=ID)
    investor_id = f.Integer(load_default=None, validate=ID)
    estate_id = f.Integer(load_default=None, validate=ID)


class QuarterSchema(ma.Schema):
    quarter = f.String()
    phase = f.String()
    low = f.Integer()
    central = f.Integer()
    high = f.Integer()


class HeldSchema(ma.Schema):
    agency_id = f.Integer(allow_none=True)
    agency_name = f.String()
    permit_type = f.String()
    job_quarters = f.Integer()
    investment_rp = DecimalText()
    permit_ids = f.List(f.Integer())


class SkillSchema(ma.Schema):
    quarter = f.String()
    phase = f.String()
    skill = f.String()
    jobs = DecimalText()


class RunSchema(ma.Schema):
    id = f.Integer(required=True)
    computed_at = f.AwareDateTime()
    as_of = f.Date()
    horizon_quarters = f.Integer()
    is_snapshot = f.Boolean()
    label = f.String(allow_none=True)


class ForecastSchema(ma.Schema):
    run = f.Nested(RunSchema, allow_none=True, metadata={"description": "empty until a forecast was computed"})
    series = f.List(f.Nested(QuarterSchema))
    held_back = f.List(f.Nested(HeldSchema))
    skills = f.List(f.Nested(SkillSchema))


@bp.get("/forecast")
@role_required(*OFFICE)
@bp.arguments(ForecastArgs, location="query")
@bp.response(200, ForecastSchema)
def forecast_figures(args: dict):
    """Quarterly direct jobs (low, central, high) by phase, the job-quarters each overdue permit holds back, and
    the skills demand, for the estates the token may see."""
    run = forecast.get_run(args["run_id"]) if args["run_id"] else forecast.current_run()
    if run is None:
        return {"run": None, "series": [], "held_back": [], "skills": []}
    filters = forecast.Filters(
        region_id=args["region_id"], investor_id=args["investor_id"], estate_id=args["estate_id"]
    )
    series = [
        {"quarter": quarter, "phase": phase, "low": low, "central": central, "high": high}
        for phase, quarters in forecast.series(run, filters, scope()).items()
        for quarter, (low, central, high) in quarters.items()
    ]
    skills = [
        {"quarter": quarter, "phase": phase, "skill": skill, "jobs": jobs}
        for (quarter, phase, skill), jobs in forecast.skills(run, filters, scope()).items()
    ]
    return {"run": run, "series": series, "held_back": forecast.held_lines(run, filters, scope()), "skills": skills}


@bp.get("/forecast/snapshots")
@role_required(*OFFICE)
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(RunSchema, "SnapshotPage"))
def forecast_snapshots(args: dict):
    """The frozen forecasts, newest first, each with its label (the reason it was kept)."""
    return listed(forecast.snapshots(), args)
