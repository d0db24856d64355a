"""Pages of LKPM reports: the list, one report with its history, recording and correcting one, the import (with
its template) and the missing reports; plus the import page every realisation import shares (``import_page``).

The office reads (``OFFICE``: administrators, officers, the governor's office); only ``EDITORS`` record, correct
and import. Each read and write carries the user's ``Scope``: an officer of one kab/kota sees and records the
reports of estates there only, and another region's report is a 404.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import found
from app.extensions import db
from app.import_pages import import_endpoints, template_download, too_large
from app.import_pages import import_page as shared_import_page
from app.imports import (
    Importer,
)
from app.listing import Sort, csv_download, every_row, read_sort
from app.models import ImportBatch
from app.pagination import paginate
from app.scheduler import last_success
from app.security import EDITORS, OFFICE, current_scope, role_required
from app.timezone import today_wib
from app.transactions import refusal
from estates.queries import get_estate, get_investor, region_choices
from realisation import forms, queries, services
from realisation.evidence import build_evidence, get_flag
from realisation.exports import entry_table, flag_table
from realisation.importing import COLUMNS, EXAMPLES, LkpmImporter
from realisation.models import LkpmFlagKind, LkpmStatus
from realisation.periods import Period
from realisation.rules import reporting_rules

bp = Blueprint("realisation", __name__, url_prefix="/realisation", template_folder="templates")

import_endpoints("realisation.lkpm_import", "layoffs.layoff_import")


def import_page(importer: Importer, template: str, **context: object) -> ResponseReturnValue:
    """The shared import page (``app.import_pages``); an applied file leads to its batch."""
    return shared_import_page(
        importer, template, lambda batch_id: url_for("realisation.import_detail", batch_id=batch_id), **context
    )


bp.register_error_handler(RequestEntityTooLarge, too_large)


@bp.get("/imports/<int:batch_id>")
@role_required(*OFFICE)
def import_detail(batch_id: int) -> ResponseReturnValue:
    """One applied import: the file, who sent it and when, what it changed."""
    batch = found(db.session.get(ImportBatch, batch_id))
    return render_template("realisation/import_detail.html", batch=batch)


# --- LKPM reports ------------------------------------------------------------------------------------------


@bp.get("/lkpm")
@role_required(*OFFICE)
def entry_list() -> ResponseReturnValue:
    scope = current_scope()
    filters = queries.entry_filters(request.args)
    return render_template(
        "realisation/entry_list.html",
        page=paginate(queries.search_entries(filters, scope=scope)),
        filters=filters,
        periods=queries.periods_on_record(scope),
        statuses=list(LkpmStatus),
        regions=region_choices(scope),
    )


@bp.get("/lkpm.csv")
@role_required(*OFFICE)
def entry_list_csv() -> ResponseReturnValue:
    """The LKPM list with the same filters, order and scope, every row, as UTF-8 CSV (audited)."""
    entries = every_row(queries.search_entries(queries.entry_filters(request.args), scope=current_scope()))
    return csv_download("lkpm reports", "lkpm-reports.csv", *entry_table(entries))


@bp.route("/lkpm/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def entry_create() -> ResponseReturnValue:
    scope = current_scope()
    form = forms.EntryForm(scope=scope)
    if form.validate_on_submit():
        investor = found(get_investor(form.investor_id.data, scope))
        estate = found(get_estate(form.estate_id.data, scope)) if form.estate_id.data else None
        entry = None
        with refusal(services.LkpmRuleError) as refused:
            entry = services.create_entry(
                investor, estate, form.period.data, form.values(), scope=scope, actor=current_user.name
            )
        if refused:
            form.add_problem(services.Problem(refused.error.field, refused.error.message))
        else:
            flash(_("The report for %(period)s was recorded.", period=entry.period), "success")
            return redirect(url_for(".entry_detail", entry_id=entry.id))
    return render_template("realisation/entry_form.html", form=form, entry=None), 422 if form.errors else 200


@bp.get("/lkpm/<int:entry_id>")
@role_required(*OFFICE)
def entry_detail(entry_id: int) -> ResponseReturnValue:
    entry = queries.get_entry(entry_id, current_scope())
    period = Period.parse(entry.period)
    return render_template(
        "realisation/entry_detail.html", entry=entry, period=period, due_on=reporting_rules().due_on(period)
    )


@bp.route("/lkpm/<int:entry_id>/correct", methods=["GET", "POST"])
@role_required(*EDITORS)
def entry_correct(entry_id: int) -> ResponseReturnValue:
    scope = current_scope()
    entry = queries.get_entry(entry_id, scope)
    form = forms.CorrectionForm.for_entry(entry)
    if form.validate_on_submit():
        changed = False
        with refusal(services.LkpmRuleError) as refused:
            changed = services.correct_entry(
                entry,
                form.values(),
                scope=scope,
                actor=current_user.name,
                reason=form.reason.data,
                expected_version=form.expected_version,
            )
        if refused:
            form.add_problem(services.Problem(refused.error.field, refused.error.message))
        else:
            message = _("The report was corrected; the earlier values are in its history.")
            flash(message if changed else _("Nothing changed: the values are the same."), "success")
            return redirect(url_for(".entry_detail", entry_id=entry_id))
    return render_template("realisation/entry_form.html", form=form, entry=entry), 422 if form.errors else 200


@bp.route("/lkpm/import", methods=["GET", "POST"])
@role_required(*EDITORS)
def lkpm_import() -> ResponseReturnValue:
    return import_page(
        LkpmImporter(current_scope()), "realisation/lkpm_import.html", template_endpoint="realisation.lkpm_template"
    )


@bp.get("/lkpm/template.<fmt>")
@role_required(*OFFICE)
def lkpm_template(fmt: str) -> Response:
    return template_download(COLUMNS, EXAMPLES, "lkpm-template", fmt)


def _missing_reports() -> tuple[LkpmFlagKind | None, Sort, Select]:
    try:
        kind = LkpmFlagKind(request.args.get("kind") or "")
    except ValueError:
        kind = None
    sort = read_sort(queries.FLAG_SORTS)
    return kind, sort, queries.open_flags_query(current_scope(), kind, sort)


@bp.get("/missing-reports.csv")
@role_required(*OFFICE)
def missing_reports_csv() -> ResponseReturnValue:
    """The open flags with the page's filter, order and scope, as UTF-8 CSV (audited)."""
    _kind, _sort, query = _missing_reports()
    return csv_download("missing lkpm reports", "missing-lkpm-reports.csv", *flag_table(every_row(query)))


@bp.get("/missing-reports")
@role_required(*OFFICE)
def missing_reports() -> ResponseReturnValue:
    """Open flags: reports missing after their deadline, and runs of them that risk a sanction."""
    scope = current_scope()
    kind, sort, query = _missing_reports()
    return render_template(
        "realisation/missing_reports.html",
        page=paginate(query),
        kind=kind,
        sort=sort,
        kinds=list(LkpmFlagKind),
        rules=reporting_rules(),
        resolved=queries.recently_resolved(scope, today_wib() - timedelta(days=30)),
        last_scan=last_success("lkpm-scan"),
        scan_time=current_app.config["LKPM_SCAN_TIME"],
    )


@bp.get("/missing-reports/<int:flag_id>/evidence")
@role_required(*OFFICE)
def flag_evidence(flag_id: int) -> ResponseReturnValue:
    """The printable evidence of a missing-report flag, with its SHA-256 fingerprint."""
    return render_template("realisation/flag_evidence.html", ev=build_evidence(get_flag(flag_id, current_scope())))


@bp.get("/missing-reports/<int:flag_id>/evidence.json")
@role_required(*OFFICE)
def flag_evidence_json(flag_id: int) -> ResponseReturnValue:
    """The canonical JSON whose SHA-256 is the evidence page's fingerprint, byte for byte."""
    ev = build_evidence(get_flag(flag_id, current_scope()))
    name = f"pantau-lkpm-evidence-{ev.flag.id}.json"
    return Response(
        ev.canonical,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Evidence-SHA256": ev.fingerprint},
    )
