"""Panels the forecast adds to other packages' pages: the dashboard card (jobs expected in the next four quarters
and held back now), and the estate's expected jobs on the office's estate page and in the investor's portal."""

from __future__ import annotations

from flask import Flask, render_template
from markupsafe import Markup

from app.errors import NotFound
from app.security import Scope, current_scope
from estates.models import Estate
from forecast import reading


def dashboard_card(scope: Scope) -> str:
    """Jobs expected in the next four quarters and held back now (the governor's dashboard)."""
    run = reading.current_run()
    if run is None:
        return ""
    total = reading.total_series(reading.series(run, reading.Filters(), scope))[:4]
    held = reading.held_total(run, reading.Filters(), scope)
    return render_template("forecast/_dashboard_card.html", run=run, next_four=total, held=held)


def estate_panel(estate: Estate) -> Markup | str:
    """The estate's expected jobs by quarter and the permit that holds them back ("" outside the user's scope): the
    current run kept as plain data, the zones, their series and the held-back permits in one query."""
    run = reading.current_run_info()
    if run is None:
        return ""
    try:
        quarters, zones, held = reading.estate_view(run, estate.id, current_scope())
    except NotFound:
        return ""
    html = render_template("forecast/_estate_panel.html", run=run, quarters=quarters, zones=zones, held=held)
    return Markup(html)  # noqa: S704 - a rendered (autoescaped) template


def register_panels(app: Flask) -> None:
    from app.panels import register_dashboard_panel
    from estates.views import register_estate_panel

    register_dashboard_panel(dashboard_card)
    register_estate_panel(estate_panel)
