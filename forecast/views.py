"""The forecast pages: ``/forecast`` (the governor's office, officers scoped to their kab/kota, administrators),
its downloads, the refresh, snapshots and their comparison, and the administrators' inputs page; plus the panels
other packages show (the dashboard card, the estate page). Pages read the stored run only."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.errors import NotFound
from app.models import Role
from app.security import EDITORS, OFFICE, current_scope, role_required
from app.transactions import refusal
from forecast import compare, export, forms, parts, reading, services
from forecast.inputs import input_rows
from forecast.models import ForecastInput, InputGroup

bp = Blueprint("forecast", __name__, url_prefix="/forecast", template_folder="templates")


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _filters() -> reading.Filters:
    kind = request.args.get("zone_kind") or None
    capital = request.args.get("capital_status") or None
    return reading.Filters(
        region_id=_int_arg("region"),
        investor_id=_int_arg("investor"),
        estate_id=_int_arg("estate"),
        zone_kind=kind,
        capital_status=capital if capital in ("pma", "pmdn") else None,
    )


def _run_or_none():
    run_id = _int_arg("run")
    return reading.get_run(run_id) if run_id is not None else reading.current_run()


@bp.get("")
@role_required(*OFFICE)
def index() -> ResponseReturnValue:
    scope = current_scope()
    run = _run_or_none()
    if run is None:
        return render_template("forecast/index.html", run=None, can_refresh=scope.can_edit)
    filters = _filters()
    return render_template(
        "forecast/index.html",
        run=run,
        parts=parts.page_parts(run, filters, scope),  # kept per run, scope, filters and language
        can_refresh=scope.can_edit,
        query=request.args.to_dict(),
        layoffs=parts.layoffs_part(run, filters.region_id, scope),  # layoffs change without a new run
    )


@bp.get("/download.<fmt>")
@role_required(*OFFICE)
def download(fmt: str) -> ResponseReturnValue:
    run = _run_or_none()
    if fmt not in ("csv", "xlsx"):
        raise NotFound
    if run is None:
        flash(_("No forecast has been computed yet."), "warning")
        return redirect(url_for("forecast.index"))
    scope = current_scope()
    if fmt == "csv":
        body, mimetype = export.forecast_csv(run, _filters(), scope), "text/csv"
    else:
        body = export.forecast_xlsx(run, _filters(), scope)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"pantau-forecast-{run.as_of.isoformat()}.{fmt}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.post("/refresh")
@role_required(*EDITORS)
def refresh() -> ResponseReturnValue:
    services.refresh_forecast(actor=current_user.email)
    flash(_("The forecast was recomputed from the data as it stands."), "success")
    return redirect(url_for("forecast.index"))


@bp.get("/snapshots")
@role_required(*OFFICE)
def snapshots() -> ResponseReturnValue:
    a, b = _int_arg("a"), _int_arg("b")
    comparison = None
    if a is not None and b is not None:
        comparison = compare.compare_runs(reading.get_run(a), reading.get_run(b), current_scope())
    return render_template(
        "forecast/snapshots.html",
        snapshots=reading.snapshots(),
        form=forms.SnapshotForm(),
        comparison=comparison,
        can_freeze=current_scope().can_edit,
    )


@bp.post("/snapshots")
@role_required(*EDITORS)
def snapshot_create() -> ResponseReturnValue:
    form = forms.SnapshotForm()
    if form.validate_on_submit():
        services.refresh_forecast(snapshot=True, label=form.label.data, actor=current_user.email)
        flash(_("Snapshot frozen."), "success")
    else:
        flash(_("Say why this snapshot is taken."), "danger")
    return redirect(url_for("forecast.snapshots"))


@bp.get("/assumptions")
@role_required(Role.ADMINISTRATOR)
def assumptions() -> ResponseReturnValue:
    return render_template(
        "forecast/assumptions.html", inputs=input_rows(), groups={g.value: g.label for g in InputGroup}
    )


@bp.route("/assumptions/<int:input_id>", methods=["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def input_edit(input_id: int) -> ResponseReturnValue:
    from app.extensions import db

    row = db.session.get(ForecastInput, input_id)
    if row is None:
        raise NotFound
    form = forms.InputForm(obj=row)
    if form.validate_on_submit():
        with refusal(services.InputRefused) as refused:
            services.update_input(
                input_id,
                low=form.low.data,
                value=form.value.data,
                high=form.high.data,
                source=form.source.data,
                source_kind=form.source_kind.data,
                source_year=form.source_year.data,
                actor=current_user.email,
            )
        if not refused:
            flash(_("Saved. The forecast uses it from its next refresh."), "success")
            return redirect(url_for("forecast.assumptions"))
        form.value.errors = [*form.value.errors, _("Low <= value <= high, no negative figure, shares at most 1.")]
    groups = {g.value: g.label for g in InputGroup}
    return render_template("forecast/input_form.html", form=form, row=row, groups=groups)
