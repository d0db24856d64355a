"""Pages for the permits of each estate: create, edit, detail, the list across estates, the estate panel.

Views validate a form, call a service, commit once, flash and redirect; the rules and queries live in
``permits.services``. Every page is for the office (``OFFICE``: investor users get 403 and use the portal);
only ``EDITORS`` reach the pages that change a permit. Each service call carries the user's ``Scope``, so a
permit of an estate outside an officer's kab/kota is a 404.
"""

from __future__ import annotations

from dataclasses import replace
from operator import attrgetter

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.conflicts import CONFLICT, Conflict
from app.extensions import db
from app.fragments import cached, scope_key
from app.html_rows import KeptTable, kept_pager, request_args
from app.listing import Sort, csv_download, every_row, read_sort, sort_rows
from app.row_pages import paginate_rows
from app.security import EDITORS, OFFICE, current_scope, role_required
from app.transactions import refusal
from estates.models import Estate
from estates.queries import get_estate
from estates.views import register_estate_panel
from permits import figures, list_rows, page_parts, page_reads, queries, services, tally
from permits.agency_choice import rule_agency
from permits.calendar import cuti_bersama_non_working, site_calendar
from permits.catalogue import catalogue, type_of
from permits.clock import clock_state
from permits.exports import clock_stop_table, permit_header, permit_rows
from permits.forms import MoveForm, PermitFilterForm, PermitForm, PermitRecordForm
from permits.queries import PermitFilters
from permits.stages import TransitionError, allowed_targets
from permits.stalls.evidence import STAGE_LABELS, evidence_for, stage_usage
from permits.workflow import ConcurrentEdit, clock_fields, limits_of, permit_clocks, regime_for, today_wib

bp = Blueprint("permits", __name__, template_folder="templates")


def _parsed_filters(scope) -> tuple[PermitFilterForm, PermitFilters]:
    form = PermitFilterForm(formdata=request.args, choices=list_rows.filter_choices(scope))
    return form, form.filters()


def _list_filters(scope) -> tuple[PermitFilters, tuple]:
    """The filters the query arguments ask for and the filter form's values as it left them (an invalid value
    cleared): the form parsed once per scope, language and arguments (the page's number aside) until the next
    committed write (``app.fragments``; it checks the values against the kept choices), not on every page."""

    def parse() -> tuple[PermitFilters, tuple]:
        form, filters = _parsed_filters(scope)
        return filters, tuple(sorted(form.data.items()))

    return cached("permit-filter-args", (*scope_key(scope), request_args()), parse)


@bp.get("/permits")
@role_required(*OFFICE)
def permit_list():
    scope = current_scope()
    filters, values = _list_filters(scope)
    today = today_wib()
    count = cached(  # the same for every page and order of the filters, until something is written
        "permit-count",
        (*scope_key(scope), replace(filters, sort=Sort()), today),
        lambda: int(db.session.scalar(tally.list_count(filters, scope, today)) or 0),
    )
    pagination = paginate_rows(lambda limit, offset: list_rows.page_rows(filters, scope, today, limit, offset), count)
    rows = list_rows.permit_list_rows(pagination.items, list_rows.row_clocks(pagination.items, today))
    bar = cached(  # the filter bar as the form's values left it: its selects hold every type, kab/kota and agency
        "permit-filter-bar",
        (*scope_key(scope), values),
        lambda: Markup(render_template("permits/_list_filters.html", form=_parsed_filters(scope)[0], filters=filters)),  # noqa: S704
    )
    table = KeptTable("permit-table", "permits/_list_table.html", sort=filters.sort)
    pager = kept_pager(pagination, "permits.permit_list") if pagination.pages > 1 else ""
    return render_template(
        "permits/list.html", bar=bar, filters=filters, pagination=pagination, rows=rows, table=table, pager=pager
    )


@bp.get("/permits.csv")
@role_required(*OFFICE)
def permit_list_csv():
    """The permits list with the same filters, order and scope, every row, as UTF-8 CSV (the export is audited)."""
    scope = current_scope()
    filters, _values = _list_filters(scope)
    permits = every_row(queries.permit_list_query(filters, scope))
    return csv_download("permits", "permits.csv", permit_header(), permit_rows(permits, permit_clocks(permits)))


def _clock_stops() -> tuple[Sort, list[figures.ClockStopFigure]]:
    locale = str(get_locale() or "id")
    keys = {
        "agency": lambda f: f.agency.name(locale).casefold() if f.agency else None,
        **{name: attrgetter(name) for name in ("stops", "permits", "average_share", "latest_share", "late_stops")},
    }
    sort = read_sort(keys, default=Sort("stops", descending=True))
    return sort, sort_rows(figures.clock_stops_by_agency(current_scope()), sort, keys)


@bp.get("/permits/clock-stops")
@role_required(*OFFICE)
def clock_stops():
    """How often and how late each agency stopped the clock by returning files (DOMAIN.md section 4), for the
    permits in the user's scope; the column headers sort the table."""
    sort, rows = _clock_stops()
    return render_template("permits/clock_stops.html", figures=rows, sort=sort)


@bp.get("/permits/clock-stops.csv")
@role_required(*OFFICE)
def clock_stops_csv():
    """The clock stops by agency in the page's order, as UTF-8 CSV (audited)."""
    _sort, rows = _clock_stops()
    return csv_download("clock stops", "clock-stops.csv", *clock_stop_table(rows))


@bp.get("/permits/<int:permit_id>")
@role_required(*OFFICE)
def permit_detail(permit_id: int):
    permit = page_reads.permit_for_page(permit_id, current_scope())
    move_form = MoveForm(targets=allowed_targets(permit.status))
    if not move_form.is_submitted():
        move_form.effective_on.data = today_wib()
        move_form.version.data = str(permit.version)
    return _render_detail(permit, move_form)


def _render_detail(permit, move_form: MoveForm, conflict: Conflict | None = None):
    today = today_wib()
    ptype = type_of(permit.permit_type_id)  # the catalogue kept as plain data: ``permit_type`` unread
    rule = page_reads.page_rule(permit, ptype, today)
    events = page_reads.page_events(permit.id)  # the timeline, and the sub-stages counted from them
    prerequisites, siblings = page_reads.related_applications(permit, ptype)
    return render_template(
        "permits/detail.html",
        conflict=conflict,
        permit=permit,
        ptype=ptype,
        rule=rule,
        stages=stage_usage(permit, events, today, rule) if permit.regime_id else (),
        stage_labels=STAGE_LABELS,
        cuti_bersama_counted=cuti_bersama_non_working(),
        clock=clock_state(permit.status, clock_fields(permit), limits_of(rule), today, site_calendar()),
        history=page_reads.history_html(events),
        law_facts=page_parts.law_facts(ptype, rule),
        move_form=move_form,
        move_fields=page_parts.move_fields(permit, move_form) if current_scope().can_edit else None,
        prerequisites=prerequisites,
        siblings=siblings,
    )


@bp.post("/permits/<int:permit_id>/move")
@role_required(*EDITORS)
def permit_move(permit_id: int):
    """Record one move of the stage machine; a refused move changes nothing and says why (422), a move based on a
    stale page answers 409 with the page as it is now and a link to reload it."""
    scope = current_scope()
    permit = services.get_permit(permit_id, scope)
    form = MoveForm(targets=allowed_targets(permit.status))
    if form.validate_on_submit():
        with refusal(TransitionError) as refused:
            services.move_permit(
                permit,
                form.target_status,
                scope=scope,
                actor=current_user,
                note=form.note.data,
                on=form.effective_on.data,
                expected_version=form.expected_version,
                evidence_fingerprint=evidence_for(permit, form.target_status, form.effective_on.data),
            )
        if isinstance(refused.error, ConcurrentEdit):
            reload_url = url_for("permits.permit_detail", permit_id=permit_id)
            conflict = Conflict(str(refused.error), reload_url)
            return _render_detail(services.get_permit(permit_id, scope), form, conflict), CONFLICT
        if refused:
            error = refused.error
            flash(str(error), "error")
            permit = services.get_permit(permit_id, scope)
            form.version.data = str(permit.version)
        else:
            flash(
                _("%(code)s is now: %(status)s.", code=permit.permit_type.code, status=permit.status.label), "success"
            )
            return redirect(url_for("permits.permit_detail", permit_id=permit.id))
    return _render_detail(permit, form), 422


@bp.route("/estates/<int:estate_id>/permits/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def permit_create(estate_id: int):
    scope = current_scope()
    estate = get_estate(estate_id, scope)
    if estate is None:
        abort(404)
    types = services.catalogue()
    form = PermitForm(types=types, estate_id=estate.id)
    if request.method == "GET":
        wanted = request.args.get("type", "")
        form.permit_type.data = next((t.id for t in types if t.code == wanted), None)
    if form.validate_on_submit():
        with refusal(services.PermitError) as refused:
            permit = services.create_permit(estate, **form.service_kwargs(), actor=current_user, scope=scope)
        if refused:
            error = refused.error
            form.add_errors(error.errors)
        else:
            flash(_("Permit %(code)s recorded.", code=permit.permit_type.code), "success")
            return redirect(url_for("permits.permit_detail", permit_id=permit.id))
    regime_id = regime_for(today_wib()).id
    current_rules = {t.id: t.rule_for(regime_id) for t in types}
    return render_template(
        "permits/form.html", form=form, estate=estate, permit=None, types=types, current_rules=current_rules
    )


@bp.route("/permits/<int:permit_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def permit_edit(permit_id: int):
    scope = current_scope()
    permit = services.get_permit(permit_id, scope)
    form = PermitRecordForm(rule_agency=rule_agency(permit.estate, permit.permit_type_id))
    if request.method == "GET":
        form.fill_from(permit)
    if form.validate_on_submit():
        with refusal(ConcurrentEdit, services.PermitError) as refused:
            services.update_permit(
                permit,
                reference_number=form.reference_number.data,
                agency_id=form.agency.data,
                agency_override_reason=form.agency_override_reason.data,
                notes=form.notes.data,
                expected_version=form.version.data,
                scope=scope,
            )
        if isinstance(refused.error, services.PermitError):
            for name, message in refused.error.errors.items():
                form[name].errors = [*form[name].errors, message]
        elif refused:  # someone saved first: their version stays, the user's text stays in the form
            permit = services.get_permit(permit_id, scope)
            conflict = Conflict(str(refused.error), url_for("permits.permit_edit", permit_id=permit_id))
            return render_template("permits/edit.html", form=form, permit=permit, conflict=conflict), CONFLICT
        else:
            flash(_("Permit %(code)s saved.", code=permit.permit_type.code), "success")
            return redirect(url_for("permits.permit_detail", permit_id=permit.id))
    return render_template("permits/edit.html", form=form, permit=permit)


def estate_permits_panel(estate: Estate) -> Markup:
    """The permits panel of the estate detail page: one table row per permit, then the unfiled types."""
    scope = current_scope()
    permits = page_reads.estate_panel_permits(estate.id, scope)  # plain rows, no ORM object
    filed = {p.permit_type_id for p in permits}  # the estate is in scope (its page is shown): all its permits
    html = render_template(
        "permits/_estate_panel.html",
        estate=estate,
        permits=permits,
        rows=list_rows.estate_panel_rows(permits, list_rows.row_clocks(permits, today_wib())),
        unfiled=[t for t in catalogue() if t.id not in filed],  # kept plain data: no query, no lazy prerequisites
        granted={p.permit_type_id for p in permits if p.status.is_granted},
    )
    return Markup(html)  # noqa: S704 - rendered by an autoescaping template


register_estate_panel(estate_permits_panel)
