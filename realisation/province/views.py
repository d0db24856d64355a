"""The province's published totals beside the LKPM reports in Pantau, and recording a new release.

The office reads; a province-wide editor (administrator or a province officer) records a release.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.security import EDITORS, OFFICE, current_scope, role_required
from app.timezone import today_wib
from app.transactions import refusal
from realisation.province import services
from realisation.province.forms import ReleaseForm

bp = Blueprint("province", __name__, url_prefix="/realisation/province", template_folder="templates")


@bp.get("")
@role_required(*OFFICE)
def coverage() -> ResponseReturnValue:
    """Each published period: the release in force and the others, beside the sum of the reports in Pantau."""
    scope = current_scope()
    return render_template("province/coverage.html", rows=services.coverage(scope))


@bp.route("/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def release_create() -> ResponseReturnValue:
    scope = current_scope()
    services.check_can_record(scope)
    form = ReleaseForm()
    if form.validate_on_submit():
        with refusal(services.ReleaseRuleError) as refused:
            services.add_release(form.fields(), scope=scope, actor=current_user.name, today=today_wib())
        if not refused:
            flash(_("The published figure was recorded."), "success")
            return redirect(url_for(".coverage"))
        form.add_problem(services.Problem(refused.error.field, refused.error.message))
    return render_template("province/form.html", form=form), 422 if form.errors else 200
