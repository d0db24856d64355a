"""The investor portal's pages: only investor users reach them (``guard_blueprint``), and every record comes
through ``portal.services`` for the user's own investor. The portal shows the official history of each permit
(event notes are the agency's and the investor's communication) but never the officers' internal notes. The one
thing an investor can do is answer a return for revision: documents and a message, which move the permit back
to the agency (``permits.documents.services.answer_return``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from app.conflicts import CONFLICT, Conflict
from app.fragments import cached, scope_key
from app.models import Role
from app.pagination import paginate
from app.row_pages import paginate_rows
from app.security import current_scope, guard_blueprint
from app.timezone import today_wib
from app.transactions import refusal
from forecast.panels import estate_panel
from permits.calendar import site_calendar
from permits.catalogue import type_of
from permits.clock import clock_state
from permits.documents import services as documents
from permits.documents import uploads
from permits.documents.views import limit_request_size, too_large_message
from permits.models import Permit
from permits.page_reads import page_rule, permit_for_page
from permits.stages import RESUMES_TO, TransitionError
from permits.workflow import ConcurrentEdit, clock_fields, limits_of
from portal.forms import AnswerForm
from portal.rows import permits_table
from portal.services import (
    HelpDesk,
    PermitLine,
    Who,
    agency_label,
    help_desk,
    investor_documents_query,
    investor_estate,
    investor_estate_count,
    investor_estates_page,
    investor_of,
    investor_permit,
    investor_scope,
    lkpm_entries_query,
    lkpm_overview,
    permit_events,
    permit_lines,
    single_permit_line,
)

# Each estate shows a table of its permits (about ten lines): five estates a page keep the home page near fifty
# lines, readable on a phone and quick to render (twenty estates made 200 lines: issue 13).
ESTATES_PER_PAGE = 5

bp = Blueprint("portal", __name__, url_prefix="/portal", template_folder="templates")
guard_blueprint(bp, Role.INVESTOR)


def _investor_id() -> int:
    investor_id = current_scope().investor_id
    if investor_id is None:  # the database refuses an investor user without an investor; never guess one
        abort(404)
    return investor_id


@bp.context_processor
def _help_desk() -> dict:
    """Whom to ask about a late file and where to complain: read (one query, kept for the request) only by a page
    that shows one; the home page asks once per estate table."""

    def desk() -> HelpDesk:
        if "help_desk" not in g:
            g.help_desk = cached("help-desk", (), help_desk)  # settings: plain data, kept until the next write
        return g.help_desk

    def table(lines: Sequence[PermitLine], table_id: str = "permits") -> Markup:
        return permits_table(lines, desk, table_id)

    return {"help_desk": desk, "permits_table": table}


@bp.before_request
def _limit_upload_size() -> None:
    limit_request_size(documents.MAX_FILES_PER_UPLOAD)


@bp.get("")
def home():
    """Each estate of the investor with, per permit, whose move it is, the deadline and the next step."""
    investor_id = _investor_id()
    key, today = scope_key(current_scope()), today_wib()  # the investor's own scope and language
    count = cached("portal-estate-count", key, lambda: investor_estate_count(investor_id))
    estates = partial(investor_estates_page, investor_id)  # (limit, offset): by a statement built once
    pagination = paginate_rows(estates, count, at_most=ESTATES_PER_PAGE)
    lines = permit_lines(pagination.items)
    todo = [(estate, line) for estate in pagination.items for line in lines[estate.id] if line.who is Who.YOU]
    return render_template(
        "portal/home.html",
        pagination=pagination,
        lines=lines,
        todo=todo,
        investor=investor_of(investor_id),
        lkpm=cached("portal-lkpm", (*key, today), lambda: lkpm_overview(investor_id, today)),  # plain data, a day's
    )


@bp.get("/lkpm")
def lkpm():
    """The company's own LKPM reports as the office holds them, the reports overdue and the next one due."""
    investor_id = _investor_id()
    return render_template(
        "portal/lkpm.html",
        pagination=paginate(lkpm_entries_query(investor_id)),
        overview=lkpm_overview(investor_id, today_wib()),
        investor=investor_of(investor_id),
    )


@bp.get("/estates/<int:estate_id>")
def estate_detail(estate_id: int):
    estate = investor_estate(_investor_id(), estate_id)
    return render_template(
        "portal/estate.html",
        estate=estate,
        lines=permit_lines([estate])[estate.id],
        forecast_panel=estate_panel(estate),
    )


@bp.get("/documents")
def document_list():
    pagination = paginate(investor_documents_query(_investor_id()))
    return render_template("portal/documents.html", pagination=pagination)


@bp.get("/permits/<int:permit_id>")
def permit_detail(permit_id: int):
    permit = permit_for_page(permit_id, investor_scope(_investor_id()))  # as the officer's page reads it
    form = AnswerForm(formdata=None)
    form.version.data = str(permit.version)
    return _render_permit(permit, form)


def _render_permit(permit: Permit, form: AnswerForm | None, status: int = 200, conflict: Conflict | None = None):
    """The permit page, its type and rule from the kept catalogue (``permit_type`` and ``permit_rule`` unread)."""
    today, ptype = today_wib(), type_of(permit.permit_type_id)
    rule = page_rule(permit, ptype, today)
    events = permit_events(permit.id)
    clock = clock_state(permit.status, clock_fields(permit), limits_of(rule), today, site_calendar())
    page = render_template(
        "portal/permit.html",
        conflict=conflict,
        permit=permit,
        ptype=ptype,
        line=single_permit_line(permit, events, clock, ptype),
        clock=clock,
        events=events,
        documents=documents.permit_documents_page(permit.id),
        form=form if permit.status in RESUMES_TO else None,
    )
    return page, status


@bp.post("/permits/<int:permit_id>/answer")
def answer(permit_id: int):
    """Send the revision: documents and a message; the permit goes back to the agency. Refused: nothing stored.

    A bad file or message shows the form again (422); an answer from a stale page (the permit is no longer returned
    for revision, or was changed since the page was loaded) answers 409 with the page as it is now.
    """
    investor_id = _investor_id()
    permit = investor_permit(investor_id, permit_id)
    form = AnswerForm()
    if permit.status not in RESUMES_TO:  # a stale page: say so, rather than a form that is gone
        return _conflict(permit, form, documents.NotAwaitingAnswer())
    if form.validate_on_submit():
        with refusal(uploads.DocumentRejected, TransitionError) as refused:
            documents.answer_return(
                permit,
                form.uploads(),
                note=form.note.data,
                uploaded_by_id=current_user.id,
                actor=current_user._get_current_object(),
                expected_version=form.expected_version,
            )
        if isinstance(refused.error, uploads.DocumentRejected):
            form.documents.errors = [*form.documents.errors, str(refused.error)]
        elif isinstance(refused.error, ConcurrentEdit | documents.NotAwaitingAnswer):
            return _conflict(investor_permit(investor_id, permit_id), form, refused.error)
        elif refused:  # the stage machine refused the move (its date): show the page afresh
            flash(_("Nothing was sent: %(reason)s", reason=str(refused.error)), "error")
            return redirect(url_for("portal.permit_detail", permit_id=permit_id))
        else:
            agency = agency_label(permit.agency, permit.issuing_authority)
            flash(_("Your revision was sent to %(agency)s.", agency=agency), "success")
            return redirect(url_for("portal.permit_detail", permit_id=permit.id))
        permit = investor_permit(investor_id, permit_id)
        form.version.data = str(permit.version)
    return _render_permit(permit, form, 422)


def _conflict(permit: Permit, form: AnswerForm, error: Exception):
    """The permit page as it is now, answered 409, with why nothing was sent and a link to reload."""
    message = _("Nothing was sent: %(reason)s", reason=str(error))
    reload_url = url_for("portal.permit_detail", permit_id=permit.id)
    return _render_permit(permit, form, CONFLICT, Conflict(message, reload_url))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """A body over the limit was not read: show the permit page again with the reason beside the files."""
    permit_id = (request.view_args or {}).get("permit_id")
    message = too_large_message(documents.MAX_FILES_PER_UPLOAD)
    if not current_user.is_authenticated or current_user.role is not Role.INVESTOR or permit_id is None:
        return render_template("portal/message.html", title=_("The upload is too large"), message=message), 413
    permit = investor_permit(_investor_id(), permit_id)
    form = AnswerForm(formdata=None)
    form.version.data = str(permit.version)
    form.documents.errors = [message]
    return _render_permit(permit, form, 413)
