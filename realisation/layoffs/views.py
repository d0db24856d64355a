"""Pages of layoff records: the list, recording and correcting one, and the import with its template.

The office reads (``OFFICE``); ``EDITORS`` record, correct and import, an officer of one kab/kota for it only.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.listing import csv_download, every_row
from app.pagination import paginate
from app.security import EDITORS, OFFICE, current_scope, role_required
from app.transactions import refusal
from estates.queries import region_choices
from realisation.layoffs import services
from realisation.layoffs.forms import LayoffForm
from realisation.layoffs.importing import COLUMNS, EXAMPLES, LayoffImporter
from realisation.views import import_page, template_download, too_large

bp = Blueprint("layoffs", __name__, url_prefix="/realisation/layoffs", template_folder="templates")
bp.register_error_handler(RequestEntityTooLarge, too_large)


@bp.get("")
@role_required(*OFFICE)
def layoff_list() -> ResponseReturnValue:
    scope = current_scope()
    filters = services.layoff_filters(request.args)
    return render_template(
        "layoffs/list.html",
        page=paginate(services.search_layoffs(filters, scope=scope)),
        total=services.layoff_total(filters, scope=scope),
        filters=filters,
        regions=region_choices(scope),
        sections=services.section_choices(),
        section_names=services.section_names(),
    )


@bp.get("/export.csv")
@role_required(*OFFICE)
def layoff_list_csv() -> ResponseReturnValue:
    """The layoffs list with the same filters, order and scope, every row, as UTF-8 CSV (audited)."""
    records = every_row(services.search_layoffs(services.layoff_filters(request.args), scope=current_scope()))
    names = services.section_names()
    header = [_("Quarter"), _("Kab/kota"), _("Sector"), _("Workers"), _("Source"), _("Source date"), _("Link")]
    rows = (
        [
            r.period,
            r.region.name,
            names.get(r.kbli_section, r.kbli_section),
            r.workers,
            r.source,
            r.source_date,
            r.source_url,
        ]
        for r in records
    )
    return csv_download("layoffs", "layoffs.csv", header, rows)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def layoff_create() -> ResponseReturnValue:
    scope = current_scope()
    form = LayoffForm(scope=scope)
    if form.validate_on_submit():
        with refusal(services.LayoffRuleError) as refused:
            services.create_layoff(form.fields(), scope=scope, actor=current_user.name)
        if not refused:
            flash(_("The layoff record was saved."), "success")
            return redirect(url_for(".layoff_list"))
        form.add_problem(services.Problem(refused.error.field, refused.error.message))
    return render_template("layoffs/form.html", form=form, record=None), 422 if form.errors else 200


@bp.route("/<int:layoff_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def layoff_edit(layoff_id: int) -> ResponseReturnValue:
    scope = current_scope()
    record = services.get_layoff(layoff_id, scope)
    form = LayoffForm(obj=record, scope=scope)
    if form.validate_on_submit():
        with refusal(services.LayoffRuleError) as refused:
            services.update_layoff(record, form.fields(), scope=scope, actor=current_user.name)
        if not refused:
            flash(_("The layoff record was saved."), "success")
            return redirect(url_for(".layoff_list"))
        form.add_problem(services.Problem(refused.error.field, refused.error.message))
    return render_template("layoffs/form.html", form=form, record=record), 422 if form.errors else 200


@bp.route("/import", methods=["GET", "POST"])
@role_required(*EDITORS)
def layoff_import() -> ResponseReturnValue:
    return import_page(
        LayoffImporter(current_scope()), "layoffs/import.html", template_endpoint="layoffs.layoff_template"
    )


@bp.get("/template.<fmt>")
@role_required(*OFFICE)
def layoff_template(fmt: str) -> Response:
    return template_download(COLUMNS, EXAMPLES, "phk-template", fmt)
