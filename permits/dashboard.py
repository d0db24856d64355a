"""The home page: estates, investment in the pipeline, permits by status, regions and the largest estates.

The office's page: its figures cover what the user's scope sees (all of Banten, or an officer's kab/kota).
An investor user's home is the portal, where this page sends it. Officers and administrators also see a
warning when the morning stall scan has not succeeded within SCAN_MISSED_AFTER_HOURS (a missed scan is an
alarm: nobody is told of overdue permits).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.models import Role
from app.monitoring import scan_overdue
from app.panels import dashboard_panels
from app.scheduler import last_success
from app.security import EDITORS, OFFICE, current_scope, role_required
from permits.figures import dashboard_figures

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.before_request
def _investors_to_their_portal() -> ResponseReturnValue | None:
    """An investor user opening "/" (a bookmark, the logo) lands on its portal rather than on a 403."""
    if current_user.is_authenticated and current_user.role == Role.INVESTOR:
        return redirect(url_for("portal.home"))
    return None


@bp.get("/")
@role_required(*OFFICE)
def index():
    """Figures come from GROUP BY queries in ``permits.figures.dashboard_figures``."""
    scope = current_scope()
    last_scan = last_success("stall-scan")
    return render_template(
        "dashboard/index.html",
        figures=dashboard_figures(scope),
        last_scan=last_scan,
        scan_missed=scope.role in EDITORS and scan_overdue(last_scan),
        panels=dashboard_panels(scope),
    )
