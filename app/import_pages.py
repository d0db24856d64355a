"""The import page every CSV/XLSX import shares (LKPM reports, layoffs, OSS permits): the form, the size limit
before the body is read, the check-then-apply view with its row-by-row report, and the template downloads.

A package names its import endpoints with ``import_endpoints(...)``: a POST to one of them announcing a body larger
than ``IMPORT_MAX_BYTES`` (and the form around it) is refused (413) before it is read, with a clear page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField

from app.errors import NotFound
from app.imports import (
    Actor,
    Columns,
    Importer,
    ImportRefused,
    import_file,
    max_import_bytes,
    megabytes,
    receive,
    recent_batches,
    template_csv,
    template_xlsx,
)
from app.transactions import refusal

FORM_OVERHEAD = 256 * 1024  # the form's other fields and the multipart framing
IMPORT_ENDPOINTS: set[str] = set()


class ImportForm(FlaskForm):
    """A CSV or XLSX file to check and, unless ``check_only``, apply."""

    file = FileField(_l("File (CSV or XLSX)"))
    check_only = BooleanField(_l("Only check the file; change nothing"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file.flags.required = True


def import_endpoints(*endpoints: str) -> None:
    IMPORT_ENDPOINTS.update(endpoints)


def limit_import_size() -> None:
    """Before an import is read: refuse (413) a body announced larger than a file may be, and cap what is read."""
    if request.method != "POST" or request.endpoint not in IMPORT_ENDPOINTS:
        return
    limit = max_import_bytes() + FORM_OVERHEAD
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


def too_large(error: RequestEntityTooLarge):
    message = _(
        "The file is larger than %(max)s: nothing was imported. Split it into smaller files.",
        max=megabytes(max_import_bytes()),
    )
    return render_template("errors/error.html", code=413, title=_("The file is too large"), message=message), 413


def import_page(
    importer: Importer, template: str, applied_url: Callable[[int], str], **context: object
) -> ResponseReturnValue:
    """Show the import form; on a POST, check the whole file and apply it unless asked only to check.

    A refused file (unreadable, wrong columns, or one bad row) answers 422 with the report; nothing is written. An
    applied file redirects to ``applied_url(batch_id)``. A check, or a file that changes nothing, shows the report.
    """
    form = ImportForm()
    report, status = None, 200
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not upload.filename:
            form.file.errors.append(_("Choose a CSV or XLSX file."))
            status = 422
        else:
            with refusal(ImportRefused) as refused:
                source = receive(upload.filename, upload.stream)
                actor = Actor(current_user.name, current_user.id)
                report = import_file(importer, source, actor=actor, dry_run=bool(form.check_only.data))
            if refused:
                form.file.errors.append(str(refused.error))
                status = 422
            elif report.refused:
                status = 422
            elif report.applied:
                flash(_("The file was imported: %(rows)s rows checked.", rows=report.rows_checked), "success")
                return redirect(applied_url(report.batch_id))
    elif form.is_submitted():
        status = 422
    return render_template(
        template, form=form, report=report, recent=recent_batches(importer.kind), columns=importer.columns, **context
    ), status


def template_download(columns: Columns, examples: tuple, name: str, fmt: str) -> Response:
    """The blank file to fill in, with example rows, as CSV or XLSX (any other format: 404)."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound(fmt)
    if fmt == "xlsx":
        body = template_xlsx(columns, examples, name)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = template_csv(columns, examples)
        mimetype = "text/csv; charset=utf-8"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
