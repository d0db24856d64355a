"""The home page: estates, investment in the pipeline, permits by status, regions and the largest estates.

The office's page: its figures cover what the user's scope sees (all of Banten, or an officer's kab/kota).
An investor user's home is the portal, where this page sends it. Officers and administrators also see a
warning when the morning stall scan has not succeeded within SCAN_MISSED_AFTER_HOURS (a missed scan is an
alarm: nobody is told of overdue permits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from app.fragments import cached, scope_key
from app.models import Role
from app.monitoring import scan_overdue
from app.panels import dashboard_panels
from app.scheduler import last_success
from app.security import EDITORS, OFFICE, Scope, current_scope, role_required
from permits.figures import dashboard_figures
from permits.queries import work_counts
from permits.workflow import today_wib

bp = Blueprint("dashboard", __name__, template_folder="templates")


@dataclass(frozen=True)
class WorkItem:
    """One line of the officer's "what needs doing": a count and the filtered list it comes from."""

    key: str
    label: str
    count: int
    url: str


WorkSource = Callable[[Scope], WorkItem]
_work_sources: list[WorkSource] = []


def register_work_item(source: WorkSource) -> WorkSource:
    """Add a line to the work panel from a sub-package (the stalls add the flagged permits); one copy each."""
    if source not in _work_sources:
        _work_sources.append(source)
    return source


def work_items(scope: Scope) -> list[WorkItem]:
    """What needs doing in the scope, each a link to the list it counts."""
    counts = work_counts(scope)
    items = [
        WorkItem("overdue", _l("Overdue"), counts["overdue"], url_for("permits.permit_list", band="overdue")),
        WorkItem("at_risk", _l("At risk"), counts["at_risk"], url_for("permits.permit_list", band="at_risk")),
        WorkItem("answered", _l("Answers arrived"), counts["answered"], url_for("permits.permit_list", answered="1")),
    ]
    return items + [source(scope) for source in _work_sources]


@bp.before_request
def _investors_to_their_portal() -> ResponseReturnValue | None:
    """An investor user opening "/" (a bookmark, the logo) lands on its portal rather than on a 403."""
    if current_user.is_authenticated and current_user.role == Role.INVESTOR:
        return redirect(url_for("portal.home"))
    return None


@bp.get("/")
@role_required(*OFFICE)
def index():
    """Figures come from GROUP BY queries in ``permits.figures.dashboard_figures``; the page's parts around the
    scan's warning are rendered once per scope, language and day and kept until the next committed write
    (``app.fragments``): every officer of a scope, and every request until something changes, shares them."""
    scope = current_scope()
    last_scan = last_success("stall-scan")
    return render_template(
        "dashboard/index.html",
        parts=cached("dashboard", (*scope_key(scope), today_wib()), lambda: _parts(scope)),
        last_scan=last_scan,
        scan_missed=scope.role in EDITORS and scan_overdue(last_scan),
    )


def _parts(scope: Scope) -> tuple[Markup, Markup]:
    """The work panel and the title; the figures and the panels of upper packages (rendered HTML)."""
    figures = dashboard_figures(scope)
    work = work_items(scope) if scope.role in EDITORS else []
    head = render_template("dashboard/_head.html", figures=figures, work=work)
    body = render_template("dashboard/_figures.html", figures=figures, panels=dashboard_panels(scope))
    return Markup(head), Markup(body)  # noqa: S704 - rendered templates
