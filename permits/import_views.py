"""The OSS permit import page (``/permits/import``) and its template; officers and administrators import, the
office downloads the template. The page is the shared import page (``app.import_pages``): the whole file is
checked first, with a progress bar while it is sent and checked."""

from __future__ import annotations

from flask import Blueprint, Response, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from app.import_pages import import_endpoints, import_page, template_download, too_large
from app.security import EDITORS, OFFICE, current_scope, role_required
from permits.importing import COLUMNS, EXAMPLES, PermitImporter

bp = Blueprint("permit_imports", __name__, url_prefix="/permits/import", template_folder="templates")
bp.register_error_handler(RequestEntityTooLarge, too_large)
import_endpoints("permit_imports.permit_import")


@bp.route("", methods=["GET", "POST"])
@role_required(*EDITORS)
def permit_import() -> ResponseReturnValue:
    return import_page(
        PermitImporter(current_scope()),
        "permits/import.html",
        lambda _batch_id: url_for("permit_imports.permit_import"),
        template_endpoint="permit_imports.permit_template",
    )


@bp.get("/template.<fmt>")
@role_required(*OFFICE)
def permit_template(fmt: str) -> Response:
    return template_download(COLUMNS, EXAMPLES, "izin-oss-template", fmt)
