"""Officers add documents to a permit; everybody who may see a permit downloads its documents.

Uploads come from the partial ``permits/_documents.html`` on the officer's permit page (officers and
administrators; the governor's office may download but not upload). A download is the only way to a stored file:
it checks the caller's scope (another investor's document, or another region's, is a 404) and answers an
attachment that the browser will not sniff or render inline.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from app.fragments import cached
from app.models import Role
from app.security import EDITORS, current_scope, role_required
from app.transactions import refusal
from permits.documents import services as documents
from permits.documents import uploads
from permits.documents.forms import DocumentForm
from permits.models import Permit

bp = Blueprint("documents", __name__, template_folder="templates")

FORM_OVERHEAD = 256 * 1024  # the other fields of the form and the multipart framing, in bytes


# --- request size ------------------------------------------------------------------------------------------


def upload_limit(max_files: int) -> int:
    """The largest request body an upload of ``max_files`` documents may send (never above MAX_CONTENT_LENGTH)."""
    limit = max_files * uploads.max_document_bytes() + FORM_OVERHEAD
    app_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return min(limit, app_limit) if app_limit else limit


def limit_request_size(max_files: int) -> None:
    """Before an upload is read: refuse (413) a body announced larger than allowed, and cap what is read."""
    if request.method != "POST":
        return
    limit = upload_limit(max_files)
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


def too_large_message(max_files: int) -> str:
    each = uploads.file_size(uploads.max_document_bytes())
    if max_files == 1:
        return _("The file is too large: a document may be at most %(max)s. Nothing was uploaded.", max=each)
    return _(
        "The files are too large: each document may be at most %(max)s, and all of them together at most "
        "%(total)s. Nothing was uploaded: send fewer or smaller files.",
        max=each,
        total=uploads.file_size(upload_limit(max_files) - FORM_OVERHEAD),
    )


@bp.before_request
def _limit_upload_size() -> None:
    limit_request_size(max_files=1)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    return render_template(
        "errors/error.html", code=413, title=_("The upload is too large"), message=too_large_message(1)
    ), 413


# --- the panel on the officer's permit page ----------------------------------------------------------------


@dataclass(frozen=True)
class DocumentsPanel:
    """What ``permits/_documents.html`` shows: a page of documents and, for editors, the upload form (with the
    reason the last upload was refused beside the file field)."""

    pagination: Pagination
    form: DocumentForm | None
    page_arg: str = "documents_page"


REFUSAL_KEY = "documents.refused_upload"  # in the session, between the refused POST and the page it returns to


def _remember_refusal(permit_id: int, reason: str) -> None:
    """Keep why an upload was refused for the permit page the browser is sent back to (shown once)."""
    session[REFUSAL_KEY] = {"permit_id": permit_id, "reason": _("Nothing was uploaded: %(reason)s", reason=reason)}


def documents_panel(permit: Permit) -> DocumentsPanel:
    """The permit's documents (newest first, paginated by ``?documents_page=``) and the upload form for editors.

    The caller has already checked that the user may see ``permit``.
    """
    pagination = documents.permit_documents_page(permit.id, DocumentsPanel.page_arg, permit.document_count)
    form = None
    if current_scope().can_edit:
        form = DocumentForm(formdata=None)
        refused = session.get(REFUSAL_KEY)
        if refused and refused.get("permit_id") == permit.id:
            session.pop(REFUSAL_KEY)
            form.document.errors = [refused["reason"]]
    return DocumentsPanel(pagination=pagination, form=form)


def upload_fields(form: DocumentForm) -> Markup:
    """The upload form's fields (``permits/_upload_fields.html``, the ``field`` macro's markup): the same for every
    permit in a language, so kept with ``app.fragments``; with a refused upload's reason, written for this request.
    The form's CSRF token (per session) stays outside, in the panel."""

    def render() -> Markup:
        return Markup(render_template("permits/_upload_fields.html", form=form))  # noqa: S704 - a template's output

    if any(f.errors for f in form):
        return render()
    return cached("documents.upload_fields", (str(get_locale() or "id"), uploads.max_document_bytes()), render)


@bp.app_context_processor
def _template_helpers() -> dict:
    return {"documents_panel": documents_panel, "file_size": uploads.file_size, "upload_fields": upload_fields}


# --- routes ------------------------------------------------------------------------------------------------


@bp.post("/permits/<int:permit_id>/documents")
@role_required(*EDITORS)
def upload(permit_id: int):
    """Attach one document to a permit in the officer's scope; a refused file stores nothing and says why."""
    permit = documents.visible_permit(current_scope(), permit_id)
    back = url_for("permits.permit_detail", permit_id=permit.id, _anchor="documents")
    form = DocumentForm()
    if not form.validate_on_submit():
        _remember_refusal(permit.id, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    with refusal(uploads.DocumentRejected) as refused:
        (document,) = documents.store_documents(
            permit, form.uploads(), uploaded_by_id=current_user.id, note=form.note.data, max_files=1
        )
    if refused:
        _remember_refusal(permit.id, str(refused.error))
        return redirect(back)
    flash(_("%(name)s was added to %(code)s.", name=document.original_name, code=permit.permit_type.code), "success")
    return redirect(back)


@bp.get("/documents/<int:document_id>/download")
@role_required(Role.ADMINISTRATOR, Role.OFFICER, Role.GOVERNOR, Role.INVESTOR)
def download(document_id: int):
    """The stored file as an attachment, to whoever may see its permit (404 for anybody else)."""
    document, path = documents.open_document(current_scope(), document_id)
    response = send_file(
        path,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.download_name,
        conditional=True,
        etag=document.sha256,
        last_modified=document.uploaded_at,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
