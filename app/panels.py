"""Panels that upper packages add to the pages of lower ones (the dashboard belongs to permits; the forecast, above
it, adds its card here, so that permits never imports forecast)."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from app.security import Scope

DashboardPanel = Callable[[Scope], str]
_dashboard_panels: list[DashboardPanel] = []


def register_dashboard_panel(panel: DashboardPanel) -> DashboardPanel:
    """Add a card to the office's dashboard; ``panel(scope)`` returns rendered HTML ("" for nothing). Registering
    the same function twice keeps one copy."""
    if panel not in _dashboard_panels:
        _dashboard_panels.append(panel)
    return panel


def dashboard_panels(scope: Scope) -> list[Markup]:
    return [Markup(html) for panel in _dashboard_panels if (html := panel(scope))]  # noqa: S704 - rendered templates
