"""Security headers on every response (Flask-Talisman): CSP without inline scripts, no framing, no sniffing; and
``Cache-Control: no-store`` on every response to a signed-in user (pages, CSV and JSON exports, downloads), so that
no browser, shared computer or proxy keeps a copy of what only that user may see."""

from __future__ import annotations

from flask import Flask, Response, request, session
from flask_talisman import Talisman

from app.maps import content_security_policy

talisman = Talisman()
# The app's own CSS, scripts and fonts are the same for everybody: they may be cached.
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})


def install_security_headers(app: Flask) -> None:
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config.get("SESSION_COOKIE_SECURE", False),
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        session_cookie_http_only=True,
        content_security_policy=content_security_policy(app.config),
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
    )

    @app.after_request
    def no_store_for_signed_in_users(response: Response) -> Response:
        # Signed in = Flask-Login's key in the session: asking ``current_user`` here could reload the user from the
        # database after the view's commit, and a database lost at that moment would turn the 503 into a 500 (an
        # error in an after_request hook reaches no error handler; found by make soak).
        if request.endpoint in STATIC_ENDPOINTS or "_user_id" not in session:
            return response
        if "no-store" not in (response.headers.get("Cache-Control") or ""):
            response.headers["Cache-Control"] = "no-store"
        return response
