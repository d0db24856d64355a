"""The API's documentation page: Swagger UI, served by the app itself (``app/static/vendor/swagger-ui``, with its
licence), started by a static script (the CSP forbids inline ones). Public, like the document it reads: both
describe the API's shape and hold no data, so a system can be planned before its token exists."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from api.core import PREFIX

bp = Blueprint("api_docs", __name__, url_prefix=PREFIX, template_folder="templates")


@bp.get("/docs")
def docs():
    return render_template("api/docs.html", spec_url=url_for("api-docs.openapi_json"))
