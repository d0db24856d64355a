"""The home page: estates, investment in the pipeline, permits by status, regions and the largest estates."""

from __future__ import annotations

from flask import Blueprint, render_template

from permits.services import dashboard_figures

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.get("/")
def index():
    """Figures come from GROUP BY queries in ``permits.services.dashboard_figures``."""
    return render_template("dashboard/index.html", figures=dashboard_figures())
