"""The API's shell: the OpenAPI document (flask-smorest), token authentication, problem answers and pages of
results, shared by every resource module.

Every call under ``/api/v1`` but the document and its documentation page is authenticated by a personal API
token (``Authorization: Bearer pantau_...``, ``accounts.tokens``) and by nothing else: a page session's cookie
is ignored, so the API needs no CSRF token and a browser's cookies can never act through it. The token's owner is
then the request's user, and the same ``Scope`` and services as the pages decide what it may see and change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import marshmallow as ma
from flask import Flask, Response, current_app, g, request
from flask_babel import gettext as _
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from accounts import tokens
from app.access import PUBLIC_ENDPOINTS
from app.errors import answer_http_error, problem
from app.extensions import db
from app.listing import Sort, read_sort, sort_params
from app.security import Scope, current_scope
from app.urls import MAX_ID

PREFIX = "/api/v1"
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details: what went wrong, in words a person can act on."""

    type = ma.fields.String()
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    errors = ma.fields.Dict(metadata={"description": "What is wrong with each field or parameter"})
    reason = ma.fields.String(
        metadata={
            "description": "Why a move was refused: not_allowed_from_status, note_required, missing_prerequisite, "
            "invalid_date, not_deemed_granted or too_many_revisions"
        }
    )


class PantauApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """The app's own handlers answer every error (JSON problem details under ``/api``); the blueprints add
        the validation errors (``problem_for_http_error``)."""

    def _openapi_json(self) -> Response:
        document = problem_media_types(self.spec.to_dict())
        return current_app.response_class(json.dumps(document, indent=2), mimetype="application/json")


def problem_media_types(document: dict) -> dict:
    """Every error answer of the document is what the API sends: ``application/problem+json`` with ``Problem``."""
    content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    errors = list(document.get("components", {}).get("responses", {}).values())
    for path in document["paths"].values():
        for method, operation in path.items():
            if method != "parameters":
                errors += [r for code, r in operation["responses"].items() if code[0] in "45" and "$ref" not in r]
    for response in errors:
        response["content"] = content
    return document


class ArgumentsParser(FlaskParser):
    """webargs' parser, with a JSON body nested too deeply for Python's decoder answered as invalid JSON (400)."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError as error:
            return self._handle_invalid_json_error(error, req)


class ResourceBlueprint(ApiBlueprint):
    ARGUMENTS_PARSER = ArgumentsParser()


def blueprint(name: str, description: str) -> ApiBlueprint:
    bp = ResourceBlueprint(f"api_{name}", __name__, url_prefix=PREFIX, description=description)
    bp.register_error_handler(HTTPException, problem_for_http_error)
    return bp


def problem_for_http_error(error: HTTPException) -> Response:
    """400 and 422 from the arguments' validation say which field is wrong; others answer as the app does."""
    db.session.rollback()
    messages = (getattr(error, "data", None) or {}).get("messages")
    code = error.code or 500
    if code in (400, 422) and messages:
        errors = messages.get("json") or messages.get("query") or messages.get("files") or messages
        detail = _("Some values are missing or wrong: see errors. Nothing was changed.")
        return problem(code, _("Invalid input"), detail, errors=_plain(errors))
    return answer_http_error(error)


def _plain(value: Any) -> Any:
    """Marshmallow's nested messages with only strings, lists and string keys (JSON-safe)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def authenticate() -> Response | None:
    """Before every call under ``/api/``: the token's owner becomes the request's user, or the call answers 401."""
    if not request.path.startswith(f"{PREFIX}/") or request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    g._login_user = current_app.login_manager.anonymous_user()  # the session cookie never authenticates a call
    scheme, _space, secret = request.headers.get("Authorization", "").strip().partition(" ")
    user = tokens.user_for_token(secret.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        response = problem(
            401,
            "Unauthorized",
            _(
                "Send a valid API token in the header Authorization: Bearer <token>. Make one on your profile "
                "page (API tokens); a revoked token no longer works."
            ),
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="pantau"'
        return response
    g._login_user = user  # how Flask-Login caches the request's user: current_user is now the token's owner
    return None


def no_store(response: Response) -> Response:
    if request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask) -> None:
    app.before_request(authenticate)  # after the access gate, which leaves /api/ to this hook
    app.after_request(no_store)


def scope() -> Scope:
    return current_scope()


# --- pages of results -------------------------------------------------------------------------------------


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, MAX_PAGE))
    per_page = ma.fields.Integer(load_default=20, validate=ma.validate.Range(1, MAX_PAGE_SIZE))


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The envelope of a list: one page of ``item`` and where it stands."""
    return type(
        name,
        (ma.Schema,),
        {
            "items": ma.fields.List(ma.fields.Nested(item), required=True),
            "page": ma.fields.Integer(required=True),
            "per_page": ma.fields.Integer(required=True),
            "total": ma.fields.Integer(required=True),
            "pages": ma.fields.Integer(required=True),
        },
    )


def paged(query, args: dict, convert: Callable[[Sequence], list] | None = None, count=None) -> dict:
    """One page of ``query`` (a select) as the envelope; ``convert`` turns its rows into items. ``count``, when
    given, is a cheaper statement of the same total (the list's table alone) than counting ``query``."""
    pagination = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False, count=count is None)
    if count is not None:
        pagination.total = db.session.scalar(count) or 0
    items = list(pagination.items)
    return {
        "items": convert(items) if convert else items,
        "page": pagination.page,
        "per_page": pagination.per_page,
        "total": pagination.total or 0,
        "pages": pagination.pages,
    }


def listed(items: Sequence, args: dict) -> dict:
    """The same envelope over a list already read (small lists: the catalogue, agencies, flags)."""
    size, page = args["per_page"], args["page"]
    total = len(items)
    return {
        "items": list(items[(page - 1) * size : page * size]),
        "page": page,
        "per_page": size,
        "total": total,
        "pages": (total + size - 1) // size,
    }


ID = ma.validate.Range(1, MAX_ID)


def sort_arg(keys, default: str | None) -> ma.fields.String:
    """The ``sort`` argument of a list: one of ``keys``, ``-key`` for descending (the pages' keys)."""
    return ma.fields.String(load_default=default, validate=ma.validate.OneOf(sort_params(keys)))


def sort_of(keys, args: dict) -> Sort:
    """The order ``sort_arg`` asked for, read as the pages read theirs (none given: the list's own order)."""
    return read_sort(keys, {"sort": args["sort"] or ""})
