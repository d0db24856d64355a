"""The forecast against realisation: the page and its CSV (officers, the governor's office, administrators, each in
their scope), and the administrator's decision on the low case's calibration (``forecast.calibration``)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app import audit
from app.models import AuditEvent, Role
from app.security import OFFICE, current_scope, role_required
from app.spreadsheets import csv_bytes
from app.timezone import today_wib
from estates.queries import limited_region
from forecast import calibration, reading, variance
from realisation.province.services import coverage

PAGE_ROWS = 400  # the page shows at most this many lines of the chosen level (the CSV holds them all)
COVERAGE_ROWS = 8  # the latest periods the province published

bp = Blueprint("realised", __name__, url_prefix="/forecast", template_folder="templates")


def _total_name() -> str:
    return _("Your kab/kota") if limited_region(current_scope()) is not None else _("Banten (total)")


@bp.get("/realisation")
@role_required(*OFFICE)
def variance_page() -> ResponseReturnValue:
    scope = current_scope()
    level = request.args.get("level", "region")
    level = level if level in variance.LEVELS[1:] else "region"
    lines = variance.lines(scope, today_wib(), _total_name())
    shown = [x for x in lines if x.level in ("province", level)]
    observed = variance.observed_in_banten(today_wib())
    run = reading.current_run()
    return render_template(
        "forecast/realised.html",
        level=level,
        lines=shown[:PAGE_ROWS],
        more=max(0, len(shown) - PAGE_ROWS),
        observed=observed,
        in_force=calibration.ratio_in_force(),
        run_ratio=calibration.of_run(run.inputs) if run is not None else None,
        run=run,
        is_admin=scope.role == Role.ADMINISTRATOR,
        form=FlaskForm(),
        coverage=coverage(scope)[:COVERAGE_ROWS],
    )


@bp.get("/realisation.csv")
@role_required(*OFFICE)
def variance_csv() -> ResponseReturnValue:
    lines = variance.lines(current_scope(), today_wib(), _total_name())
    audit.record(AuditEvent.EXPORTED, user_id=current_user.id, detail={"what": "forecast against realisation"})
    response = Response(csv_bytes(variance.CSV_COLUMNS, variance.csv_rows(lines)), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="pantau-forecast-realisation.csv"'
    return response


@bp.post("/calibration")
@role_required(Role.ADMINISTRATOR)
def calibration_set() -> ResponseReturnValue:
    form = FlaskForm()
    use = request.form.get("use")
    if not form.validate_on_submit() or use not in ("observed", "off"):
        flash(_("The form expired: try again."), "danger")
        return redirect(url_for("realised.variance_page"))
    if use == "observed":
        observed = variance.observed_in_banten(today_wib())
        if observed.ratio is None:
            flash(_("No quarter has both a forecast and a report yet: there is nothing to calibrate with."), "warning")
            return redirect(url_for("realised.variance_page"))
        calibration.adopt(observed.ratio, observed.cases, current_user.id)
        flash(_("The low case is calibrated from the next refresh of the forecast."), "success")
    else:
        calibration.adopt(None, 0, current_user.id)
        flash(_("The low case is the model's own again from the next refresh of the forecast."), "success")
    return redirect(url_for("realised.variance_page"))
