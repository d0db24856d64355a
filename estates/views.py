"""Pages for investors, estates, zones and claims.

Each view validates a form, calls a service, commits once, flashes and redirects; a refused save shows
the form again with messages beside the fields and writes nothing. Unknown ids are a 404.

Who may come in: the DPMPTSP office (administrators, officers, the governor's office) reads every page;
investor users have their own portal and get 403 here. Only ``EDITORS`` reach the pages that change data.
What they see: every read and write goes through the signed-in user's ``Scope``, so an estate outside an
officer's kab/kota (with its zones, claims and permits) is a 404, as if it did not exist.

Other packages add panels to the estate page through ``register_estate_panel`` (estates never imports them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, get_template_attribute, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import Select
from werkzeug.wrappers import Response

from app.formatting import hectares, number, rupiah_short
from app.fragments import cached, scope_key
from app.listing import csv_download, every_row
from app.maps import tile_layer
from app.pagination import paginate
from app.row_pages import paginate_rows
from app.security import EDITORS, OFFICE, Scope, current_scope, role_required
from app.transactions import refusal
from estates import exports, forms, lists, queries, rows, services
from estates.models import CapitalStatus, ClaimMetric, Estate, EstateStatus

bp = Blueprint("estates", __name__, template_folder="templates")


EstatePanel = Callable[[Estate], str]
_estate_panels: list[EstatePanel] = []
T = TypeVar("T")


def register_estate_panel(panel: EstatePanel) -> EstatePanel:
    """Add a panel to the estate detail page; panels render in registration order.

    ``panel(estate)`` returns safe HTML (render it with ``render_template``). Registering the same
    function twice (e.g. one per app in tests) keeps one copy. Usable as a decorator.
    """
    if panel not in _estate_panels:
        _estate_panels.append(panel)
    return panel


def _found(obj: T | None) -> T:
    if obj is None:
        abort(404)
    return obj


def _save(form: forms.ServiceForm, service: Callable[..., T], *args: object, **kwargs: object) -> T | None:
    """Call ``service(*args, form.to_fields(), **kwargs)``; on a rule error show it on the form (nothing is
    saved) and return None."""
    result = None
    with refusal(services.EstateRuleError) as refused:
        result = service(*args, form.to_fields(), **kwargs)
    if refused:
        form.add_rule_error(refused.error)
    return result


# --- investors -------------------------------------------------------------------------------------------


def _investors(scope: Scope, filters: forms.InvestorFilters) -> Select:
    return lists.search_investors(filters.q, filters.capital_status, filters.sort, scope=scope)


@bp.get("/investors")
@role_required(*OFFICE)
def investor_list() -> ResponseReturnValue:
    scope = current_scope()
    filters = forms.investor_filters(request.args)
    page = paginate(_investors(scope, filters))
    return render_template(
        "estates/investor_list.html",
        page=page,
        stats=lists.investor_stats([investor.id for investor in page.items], scope),
        filters=filters,
        capital_statuses=list(CapitalStatus),
    )


@bp.get("/investors.csv")
@role_required(*OFFICE)
def investor_list_csv() -> ResponseReturnValue:
    """The investors list with the same search, order and scope, every row, as UTF-8 CSV (audited)."""
    scope = current_scope()
    investors = every_row(_investors(scope, forms.investor_filters(request.args)))
    stats = lists.investor_stats([investor.id for investor in investors], scope)
    return csv_download("investors", "investors.csv", *exports.investor_table(investors, stats))


@bp.get("/investors/<int:investor_id>")
@role_required(*OFFICE)
def investor_detail(investor_id: int) -> ResponseReturnValue:
    """The investor, with only the estates (and claims about estates) of the officer's kab/kota."""
    scope = current_scope()
    investor = _found(queries.get_investor(investor_id, scope))
    estates = queries.investor_estates(investor, scope)
    claims = queries.group_claims(queries.claims_about_investor(investor, scope))
    return render_template("estates/investor_detail.html", investor=investor, estates=estates, claims=claims)


@bp.route("/investors/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def investor_create() -> ResponseReturnValue:
    form = forms.InvestorForm()
    if form.validate_on_submit():
        investor = _save(form, services.create_investor, scope=current_scope())
        if investor is not None:
            flash(_("Investor %(name)s added.", name=investor.legal_name), "success")
            return redirect(url_for(".investor_detail", investor_id=investor.id))
    return render_template("estates/investor_form.html", form=form, investor=None)


@bp.route("/investors/<int:investor_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def investor_edit(investor_id: int) -> ResponseReturnValue:
    scope = current_scope()
    investor = _found(queries.get_investor(investor_id, scope))
    form = forms.InvestorForm(obj=investor, investor_id=investor.id)
    if form.validate_on_submit() and _save(form, services.update_investor, investor, scope=scope) is not None:
        flash(_("Investor %(name)s saved.", name=investor.legal_name), "success")
        return redirect(url_for(".investor_detail", investor_id=investor.id))
    return render_template("estates/investor_form.html", form=form, investor=investor)


# --- estates ---------------------------------------------------------------------------------------------


def _estates(scope: Scope, filters: forms.EstateFilters) -> Select:
    return lists.search_estates(filters.q, filters.region_id, filters.status, filters.sort, scope=scope)


@bp.get("/estates")
@role_required(*OFFICE)
def estate_list() -> ResponseReturnValue:
    scope = current_scope()
    filters = forms.estate_filters(request.args)
    totals = cached(  # the count and sums of every estate the filters match: the same for every page and order
        "estate-totals",
        (*scope_key(scope), filters.q, filters.region_id, filters.status),
        lambda: lists.estate_totals(filters.q, filters.region_id, filters.status, scope=scope),
    )
    few = totals.count <= lists.FEW_MATCHES  # a search of few matches reads them as one set (``_estate_filter``)

    def ids(limit: int, offset: int) -> list[int]:  # by a statement built once per shape of the filters
        args = (filters.q, filters.region_id, filters.status, filters.sort)
        return lists.estate_page_of_ids(*args, scope=scope, few=few, limit=limit, offset=offset)

    page = paginate_rows(ids, totals.count)  # the same estates, counted once by their totals
    page.items = rows.estate_rows(page.items)
    return render_template(
        "estates/estate_list.html",
        page=page,
        rows=rows.estate_list_rows(page.items),
        totals=totals,
        filters=filters,
        filter_bar=_filter_bar(scope, filters),
    )


_TYPED = "\x1fq\x1f"  # stands for the search typed in the kept filter bar (no search is ever this: a control char)


def _filter_bar(scope: Scope, filters: forms.EstateFilters) -> Markup:
    """The estates list's filter bar, rendered once per scope, language and choice of kab/kota, status and order
    (``app.fragments``), with the search typed put in its box (escaped) for each page."""

    def render() -> str:
        regions = cached("estate-regions", scope_key(scope), lambda: queries.region_choices(scope))
        bar = get_template_attribute("estates/_parts.html", "estate_filter_bar")
        typed = replace(filters, q=_TYPED if filters.q else "")
        return str(bar(url_for(".estate_list"), typed, regions, list(EstateStatus), scope.region_id))

    key = (*scope_key(scope), filters.region_id, filters.status, filters.sort, bool(filters.q))
    html = cached("estate-filter-bar", key, render)
    return Markup(html.replace(_TYPED, str(escape(filters.q)), 1))  # noqa: S704 - a rendered macro, the search escaped


@bp.get("/estates.csv")
@role_required(*OFFICE)
def estate_list_csv() -> ResponseReturnValue:
    """The estates list with the same filters, order and scope, every row, as UTF-8 CSV (audited)."""
    estates = every_row(_estates(current_scope(), forms.estate_filters(request.args)))
    return csv_download("estates", "estates.csv", *exports.estate_table(estates))


@bp.get("/estates/map")
@role_required(*OFFICE)
def estate_map() -> ResponseReturnValue:
    """The estates of the list's filters on a map (those with coordinates), with the same estates listed beside
    it: the list is the page's accessible equivalent, and the map's markers are read from it."""
    scope = current_scope()
    filters = forms.estate_filters(request.args)
    estates = every_row(_estates(scope, filters))
    return render_template(
        "estates/estate_map.html",
        placed=[e for e in estates if e.latitude is not None],
        unplaced=[e for e in estates if e.latitude is None],
        filters=filters,
        regions=queries.region_choices(scope),
        statuses=list(EstateStatus),
        tiles=tile_layer(),
    )


def _recorded_figures(estate: Estate, zones: Sequence[Any]) -> dict[ClaimMetric, str]:
    """The estate's own figures, shown above the claims so that a reader can compare them (``zones``: its rows)."""
    figures = {ClaimMetric.AREA: hectares(estate.area_ha)}
    if estate.planned_investment_rp is not None:
        figures[ClaimMetric.INVESTMENT] = rupiah_short(estate.planned_investment_rp)
    jobs = [z.planned_direct_jobs for z in zones if z.planned_direct_jobs is not None]
    if jobs:
        figures[ClaimMetric.JOBS] = _("%(n)s planned in the zones", n=number(sum(jobs)))
    return figures


@bp.get("/estates/<int:estate_id>")
@role_required(*OFFICE)
def estate_detail(estate_id: int) -> ResponseReturnValue:
    estate, zones = _found(queries.estate_page(estate_id, current_scope()))
    return render_template(
        "estates/estate_detail.html",
        estate=estate,
        zones=zones,  # plain rows: ``estate.zones`` is not read
        zoned=queries.zones_area(zones),
        segments=queries.area_breakdown(estate, zones),
        min_area=cached("estate-min-area", (), queries.minimum_estate_area),  # a setting: plain data, kept
        claims=queries.group_claims(estate.claims),
        recorded=_recorded_figures(estate, zones),
        panels=[Markup(panel(estate)) for panel in _estate_panels],  # noqa: S704 - panels return safe HTML
    )


@bp.route("/estates/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def estate_create() -> ResponseReturnValue:
    scope = current_scope()
    investor_id = forms.id_arg(request.args, "investor")  # "new estate" from an investor's page
    form = forms.EstateForm(data={"investor_id": investor_id} if investor_id else None, scope=scope)
    if form.validate_on_submit():
        estate = _save(form, services.create_estate, scope=scope)
        if estate is not None:
            flash(_("Estate %(name)s added.", name=estate.name), "success")
            return redirect(url_for(".estate_detail", estate_id=estate.id))
    return render_template("estates/estate_form.html", form=form, estate=None)


@bp.route("/estates/<int:estate_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def estate_edit(estate_id: int) -> ResponseReturnValue:
    scope = current_scope()
    estate = _found(queries.get_estate(estate_id, scope))
    form = forms.EstateForm(obj=estate, estate=estate, scope=scope)
    if form.validate_on_submit() and _save(form, services.update_estate, estate, scope=scope) is not None:
        flash(_("Estate %(name)s saved.", name=estate.name), "success")
        return redirect(url_for(".estate_detail", estate_id=estate.id))
    return render_template("estates/estate_form.html", form=form, estate=estate)


# --- zones -----------------------------------------------------------------------------------------------


def _to_zones(estate_id: int) -> Response:
    return redirect(url_for(".estate_detail", estate_id=estate_id, _anchor="zones"))


@bp.route("/estates/<int:estate_id>/zones/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def zone_create(estate_id: int) -> ResponseReturnValue:
    scope = current_scope()
    estate = _found(queries.get_estate(estate_id, scope))
    form = forms.ZoneForm(estate=estate)
    if form.validate_on_submit():
        zone = _save(form, services.add_zone, estate, scope=scope)
        if zone is not None:
            flash(_("Zone added: %(kind)s, %(area)s.", kind=zone.kind.label, area=hectares(zone.area_ha)), "success")
            return _to_zones(estate_id)
    return render_template("estates/zone_form.html", form=form, estate=estate, zone=None)


@bp.route("/zones/<int:zone_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def zone_edit(zone_id: int) -> ResponseReturnValue:
    scope = current_scope()
    zone = _found(queries.get_zone(zone_id, scope))
    estate = zone.estate
    form = forms.ZoneForm(obj=zone, estate=estate, zone_id=zone.id)
    if form.validate_on_submit() and _save(form, services.update_zone, zone, scope=scope) is not None:
        flash(_("Zone saved."), "success")
        return _to_zones(estate.id)
    return render_template("estates/zone_form.html", form=form, estate=estate, zone=zone)


@bp.route("/zones/<int:zone_id>/delete", methods=["GET", "POST"])
@role_required(*EDITORS)
def zone_delete(zone_id: int) -> ResponseReturnValue:
    """GET asks for confirmation; only a POST (with its CSRF token) deletes."""
    scope = current_scope()
    zone = _found(queries.get_zone(zone_id, scope))
    estate_id = zone.estate_id
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        services.delete_zone(zone, scope=scope)
        flash(_("Zone deleted."), "success")
        return _to_zones(estate_id)
    return render_template("estates/zone_delete.html", form=form, zone=zone, estate=zone.estate)


# --- claims ----------------------------------------------------------------------------------------------


@bp.route("/estates/<int:estate_id>/claims/new", methods=["GET", "POST"])
@bp.route("/investors/<int:investor_id>/claims/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def claim_create(estate_id: int | None = None, investor_id: int | None = None) -> ResponseReturnValue:
    scope = current_scope()
    estate = _found(queries.get_estate(estate_id, scope)) if estate_id is not None else None
    investor = _found(queries.get_investor(investor_id, scope)) if investor_id is not None else None
    form = forms.ClaimForm()
    if form.validate_on_submit():
        claim = _save(form, services.add_claim, scope=scope, estate=estate, investor=investor)
        if claim is not None:
            flash(_("Claim recorded."), "success")
            return _claims_of(claim.estate_id, claim.investor_id)
    return render_template("estates/claim_form.html", form=form, estate=estate, investor=investor, claim=None)


@bp.route("/claims/<int:claim_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def claim_edit(claim_id: int) -> ResponseReturnValue:
    scope = current_scope()
    claim = _found(queries.get_claim(claim_id, scope))
    form = forms.ClaimForm(obj=claim)
    if form.validate_on_submit() and _save(form, services.update_claim, claim, scope=scope) is not None:
        flash(_("Claim saved."), "success")
        return _claims_of(claim.estate_id, claim.investor_id)
    return render_template(
        "estates/claim_form.html", form=form, estate=claim.estate, investor=claim.investor, claim=claim
    )


def _claims_of(estate_id: int | None, investor_id: int | None) -> Response:
    if estate_id is not None:
        return redirect(url_for(".estate_detail", estate_id=estate_id, _anchor="claims"))
    return redirect(url_for(".investor_detail", investor_id=investor_id, _anchor="claims"))
