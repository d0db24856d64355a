"""Pages of stalled approvals: the officers' list of flagged permits, the printable evidence of a permit's
clock (with its JSON download), and the governor's office figures per agency, permit type or kab/kota (with a
CSV export).

Every page is for the office (``OFFICE``) and read-only; each service call carries the user's ``Scope``, so an
officer of one kab/kota sees its permits only, and another region's permit is a 404. Bad query arguments are
dropped (the filter is cleared), never an error page.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.validators import Optional

from app.extensions import db
from app.fragments import cached, scope_key
from app.html_rows import KeptTable, kept_pager, request_args
from app.listing import Sort, csv_download, every_row, read_sort, sort_rows
from app.monitoring import scan_overdue
from app.pagination import page_number
from app.row_pages import paginate_rows
from app.scheduler import last_success
from app.security import OFFICE, current_scope, role_required
from app.urls import MAX_ID
from permits import services
from permits.calendar import MIN_YEAR
from permits.forms import FilterChoices, FilterSelectField
from permits.list_rows import filter_choices
from permits.stalls import exports, rows, stats
from permits.stalls.evidence import STAGE_LABELS, build_evidence
from permits.stalls.models import FlagKind
from permits.stalls.stats import Grouping, ListPage, StallFilters
from permits.workflow import today_wib

bp = Blueprint("stalls", __name__, template_folder="templates")

GROUPING_LABELS = {
    Grouping.AGENCY: _l("Issuing agency"),
    Grouping.PERMIT_TYPE: _l("Permit type"),
    Grouping.REGION: _l("Kab/kota"),
}


class StallFilterForm(FlaskForm):
    """The filter bar of the stalled list and of the figures (GET, no CSRF). An invalid value is dropped."""

    class Meta:
        csrf = False

    kind = FilterSelectField(_l("Flag"), validators=[Optional()])
    agency = FilterSelectField(_l("Issuing agency"), validators=[Optional()])
    type = FilterSelectField(_l("Permit type"), validators=[Optional()])
    region = FilterSelectField(_l("Kab/kota"), validators=[Optional()])
    group = FilterSelectField(_l("Group by"), validators=[Optional()])

    def __init__(self, *args, choices: FilterChoices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("Every flag")), *[(k.value, k.label) for k in FlagKind]]
        self.agency.choices = [("", _l("Every agency")), *choices.agencies]
        self.type.choices = [("", _l("All types")), *choices.types]
        self.region.choices = [("", _l("All kab/kota")), *choices.regions]
        self.group.choices = [(g.value, GROUPING_LABELS[g]) for g in Grouping]

    def filters(self) -> StallFilters:
        """The valid filters; a field whose value is not one of its choices is cleared and ignored."""
        self.validate()
        values: dict[str, str | None] = {}
        for name in ("kind", "agency", "type", "region", "group"):
            field = getattr(self, name)
            if field.errors:
                field.data, field.errors = "", []
            values[name] = (field.data or "").strip() or None
        return StallFilters(
            kind=FlagKind(values["kind"]) if values["kind"] else None,
            agency_id=int(values["agency"]) if values["agency"] else None,
            permit_type_code=values["type"],
            region_code=values["region"],
        )

    @property
    def grouping(self) -> Grouping:
        return Grouping(self.group.data) if self.group.data else Grouping.AGENCY


def _stall_list(form: StallFilterForm) -> StallFilters:
    return replace(form.filters(), sort=read_sort(stats.STALL_SORTS, default=Sort("late", descending=True)))


def _list_form(scope) -> tuple[StallFilterForm, StallFilters]:
    form = StallFilterForm(formdata=request.args, choices=filter_choices(scope))
    return form, _stall_list(form)


def _list_parse(scope) -> tuple[StallFilters, tuple]:
    """The stalled list's filters and order, and the form's values as it left them (an invalid value cleared):
    parsed once per scope, language and query arguments (the page's number aside) until the next committed write
    (``app.fragments``), not on every page."""
    form, filters = _list_form(scope)
    return filters, tuple(sorted(form.data.items()))


@bp.get("/stalls")
@role_required(*OFFICE)
def stalled_list():
    """The permits with open flags of the morning scan, longest late first, and when the scan last ran."""
    scope = current_scope()
    filters, values = cached("stall-filter-args", (*scope_key(scope), request_args()), lambda: _list_parse(scope))
    today = today_wib()
    total = cached(  # the same for every page and order of the filters, until something is written
        "stall-count",
        (*scope_key(scope), replace(filters, sort=Sort()), today),
        lambda: int(db.session.scalar(stats.stalled_count(filters, scope)) or 0),
    )
    pagination = paginate_rows(lambda limit, offset: rows.page(filters, scope, today, limit, offset), total)
    last = rows.last_scan(pagination.items)  # read with the page's rows
    if last is False:
        last = last_success(rows.SCAN_JOB)
    bar = cached(  # the filter bar as the form's values and the order left it: its selects hold every agency
        "stall-filter-bar",
        (*scope_key(scope), values, filters.sort, filters.active),
        lambda: Markup(render_template("stalls/_list_filters.html", form=_list_form(scope)[0], filters=filters)),  # noqa: S704
    )
    return render_template(
        "stalls/list.html",
        bar=bar,
        filters=filters,
        pagination=pagination,
        rows=rows.stalled_list_rows(pagination.items),
        table=KeptTable("stall-table", "stalls/_list_table.html", sort=filters.sort),
        pager=kept_pager(pagination, "stalls.stalled_list") if pagination.pages > 1 else "",
        last_scan=last,
        scan_missed=last is None or scan_overdue(last),  # none: no scan has run (not read a second time)
    )


@bp.get("/stalls.csv")
@role_required(*OFFICE)
def stalled_list_csv() -> ResponseReturnValue:
    """The stalled list with the same filters, order and scope, every row, as UTF-8 CSV (audited)."""
    scope = current_scope()
    filters = _stall_list(StallFilterForm(formdata=request.args, choices=filter_choices(scope)))
    rows = stats.stall_rows(every_row(stats.stalled_permits_query(filters, scope)), today_wib())
    return csv_download("stalled approvals", "stalled-approvals.csv", *exports.stall_table(rows))


def _as_of() -> tuple[date, str | None]:
    """The ``as_of`` query argument (a past day, to check an older copy), else today; and a message when the
    argument was given but could not be used."""
    today = today_wib()
    raw = request.args.get("as_of")
    if raw is None:
        return today, None
    try:
        day = date.fromisoformat(raw.strip()[:10])
    except ValueError:
        day = None
    if day is None or not date(MIN_YEAR, 1, 1) <= day <= today:
        message = _("The date %(value)s could not be used (a past day as YYYY-MM-DD); showing today.", value=raw[:40])
        return today, message
    return day, None


def _evidence(permit_id: int):
    if not 0 < permit_id <= MAX_ID:
        abort(404)
    permit = services.get_permit(permit_id, current_scope())
    as_of, problem = _as_of()
    return build_evidence(permit, as_of), problem


@bp.get("/permits/<int:permit_id>/evidence")
@role_required(*OFFICE)
def evidence(permit_id: int):
    """The printable evidence of the permit's clock, with its SHA-256 fingerprint."""
    found, problem = _evidence(permit_id)
    return render_template(
        "stalls/evidence.html", ev=found, as_of_problem=problem, today=today_wib(), stage_labels=STAGE_LABELS
    )


@bp.get("/permits/<int:permit_id>/evidence.json")
@role_required(*OFFICE)
def evidence_json(permit_id: int) -> ResponseReturnValue:
    """The canonical JSON whose SHA-256 is the evidence page's fingerprint, byte for byte."""
    found, _problem = _evidence(permit_id)
    name = f"pantau-evidence-{found.permit.id}-{found.as_of.isoformat()}.json"
    return Response(
        found.canonical,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Evidence-SHA256": found.fingerprint},
    )


def _statistics():
    scope = current_scope()
    form = StallFilterForm(formdata=request.args, choices=filter_choices(scope))
    filters = replace(form.filters(), sort=read_sort(stats.FIGURE_SORTS))
    figures = stats.stall_statistics(form.grouping, filters, scope, today_wib(), locale=str(get_locale() or "id"))
    figures = replace(figures, rows=sort_rows(figures.rows, filters.sort, stats.FIGURE_SORTS))
    return form, filters, figures


@bp.get("/stalls/agencies")
@role_required(*OFFICE)
def agency_stats():
    """Stalled approvals by agency, permit type or kab/kota, for the governor's office."""
    form, filters, stats = _statistics()
    page = ListPage(stats.rows, page_number(), current_app.config["PAGE_SIZE"])
    types = {t.code: t for t in services.catalogue()}
    return render_template("stalls/agencies.html", form=form, filters=filters, stats=stats, page=page, types=types)


@bp.get("/stalls/agencies.csv")
@role_required(*OFFICE)
def agency_stats_csv() -> ResponseReturnValue:
    """The same table as the page (same filters, grouping and order, every row and the total), as UTF-8 CSV."""
    _form, _filters, figures = _statistics()
    name = f"pantau-stalls-by-{figures.grouping.value}-{today_wib().isoformat()}.csv"
    header = exports.figure_header(str(GROUPING_LABELS[figures.grouping]))
    return csv_download("agency figures", name, header, exports.figure_rows(figures))
