"""The errors every package raises, and how they are answered: pages for browsers, JSON problem details
(RFC 9457, ``application/problem+json``) for ``/api/...`` and for clients that ask for JSON.

Services raise ``NotFound`` (or its ``NotInScope``) and ``ReadOnlyScope``, never ``abort``: they know nothing of
HTTP, so the pages, the commands and a later API share them. No answer shows a stack trace or SQL.
"""

from __future__ import annotations

import logging
from typing import TypeVar

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import db

log = logging.getLogger(__name__)

T = TypeVar("T")
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE for a duplicate key


class NotFound(LookupError):
    """No such record, or none the caller may see: answered as an unknown id (404)."""


class NotInScope(NotFound):
    """The record lies outside the caller's scope. Answered as an unknown id (404): an officer of another
    kab/kota or another investor must not even learn that it exists."""


def found(value: T | None) -> T:
    """``value``, or ``NotFound`` when there is none: how a service loads the one record a caller asked for."""
    if value is None:
        raise NotFound
    return value


class ReadOnlyScope(PermissionError):
    """The caller may read these records but not change them (the governor's office; investor users): 403."""


def wants_json() -> bool:
    """True for ``/api/...`` and for clients that prefer JSON to HTML."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or best == "application/json"


def problem(status: int, title: str, detail: str) -> Response:
    """A JSON problem details answer."""
    response = jsonify({"type": "about:blank", "title": title, "status": status, "detail": detail})
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def is_known_race(error: IntegrityError) -> bool:
    """A duplicate key: two saves raced for the same unique name or row. Any other integrity error (a foreign
    key, a CHECK, a NOT NULL) is a defect the forms should have caught, not someone else's save."""
    original = error.orig
    if getattr(original, "sqlstate", None) == UNIQUE_VIOLATION:
        return True
    return "UNIQUE constraint failed" in str(original)  # SQLite names no code


def _answer(status: int, title: str, message: str, template: str = "errors/error.html"):
    if wants_json():
        return problem(status, title, message)
    return render_template(template, code=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        return _answer(
            400,
            _("The form expired"),
            _("The form was out of date or incomplete. Go back, reload the page and try again."),
        )

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        db.session.rollback()
        return _page_not_found()

    @app.errorhandler(ReadOnlyScope)
    def read_only(error: ReadOnlyScope):
        db.session.rollback()
        return _forbidden(_("Your account may read these records but not change them."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        code = error.code or 500
        if code == 404:
            return _page_not_found()
        if code == 403:
            return _forbidden(_("This page is not open to your account. If you need it, ask an administrator."))
        return _answer(code, error.name, _("The request could not be completed."))

    @app.errorhandler(IntegrityError)
    @app.errorhandler(StaleDataError)
    def conflict(error: Exception):
        """A save that lost a race with another one (same unique name, same record edited): nothing saved."""
        db.session.rollback()
        if isinstance(error, IntegrityError) and not is_known_race(error):
            log.error("integrity error that is not a race: %s", error.orig)
            return _server_error()
        log.info("conflicting save refused: %s", type(error).__name__)
        return _answer(
            409,
            _("Saved by someone else first"),
            _(
                "Someone else saved the same record or the same name a moment ago. Nothing of yours was "
                "saved: go back, reload the page and try again."
            ),
        )

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        log.exception("unhandled error")
        return _server_error()


def _page_not_found():
    if wants_json():
        return problem(404, "Not Found", _("The page or record does not exist."))
    return render_template("errors/404.html"), 404


def _forbidden(message: str):
    """403: in the user's language, with a way back that fits the role (errors/_home.html)."""
    if wants_json():
        return problem(403, "Forbidden", message)
    return render_template("errors/403.html", message=message), 403


def _server_error():
    if wants_json():
        return problem(500, "Internal Server Error", _("The request could not be completed."))
    return render_template("errors/500.html"), 500
