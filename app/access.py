"""Who may reach which page: signed-in users only, except the endpoints named below.

Roles are checked on each view (``role_required``) and records are scoped by the services (``Scope``);
this gate only makes sure nothing is reachable without signing in by accident. A new public page must be
added here, with the reason, and to the route table test (tests/test_access.py).
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user

from app.security import Scope, current_scope

PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",  # the sign-in page itself
        "core.set_language",  # the language can be chosen before signing in
        "core.healthz",  # probes of the load balancer and the operators: no data, only "up or not"
        "static",  # the app's CSS and images
        "bootstrap.static",  # Bootstrap's CSS, JS and icon font, served locally (no CDN)
        "api-docs.openapi_json",  # the API's OpenAPI document: its shape, no data
        "api_docs.docs",  # the API's documentation page, for whoever integrates a system before having a token
    }
)
API_PATH = "/api/v1/"


def install_access_gate(app: Flask) -> None:
    @app.before_request
    def require_sign_in():
        if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
            return None  # unknown URLs answer 404; public pages answer to anybody
        if request.path.startswith(API_PATH):
            return None  # the JSON API authenticates every call by its token (api.core), never by the session
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        return None

    @app.context_processor
    def inject_scope() -> dict:
        scope: Scope | None = current_scope() if current_user.is_authenticated else None
        return {"scope": scope, "can_edit": bool(scope and scope.can_edit)}
