"""The errors every package raises, and how they are answered: pages for browsers, JSON problem details
(RFC 9457, ``application/problem+json``) for ``/api/...`` and for clients that ask for JSON.

Services raise ``NotFound`` (or its ``NotInScope``) and ``ReadOnlyScope``, never ``abort``: they know nothing of
HTTP, so the pages, the commands and a later API share them. No answer shows a stack trace or SQL.
"""

from __future__ import annotations

import logging
from typing import TypeVar

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import db

log = logging.getLogger(__name__)

T = TypeVar("T")
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE for a duplicate key
# SQLSTATEs of a server that went away or is not accepting connections: class 08 (connection exception), and
# 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up or shutting down).
UNAVAILABLE_SQLSTATES = ("57P01", "57P02", "57P03")


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


def problem(status: int, title: str, detail: str, **extra: object) -> Response:
    """A JSON problem details answer; ``extra`` members (``errors``: what is wrong with each field) are added."""
    response = jsonify({"type": "about:blank", "title": title, "status": status, "detail": detail, **extra})
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


def is_disconnect(error: DBAPIError) -> bool:
    """The database server went away or refused the connection (a restart, a failover), rather than the query
    being wrong: SQLAlchemy invalidated the connection, or the driver's error names no SQLSTATE (a socket that
    failed) or a connection-level one. SQLite's errors (a locked file, say) are not disconnects."""
    if error.connection_invalidated:
        return True
    original = error.orig
    if not isinstance(error, OperationalError | InterfaceError):  # a DataError (a NUL byte) names no SQLSTATE either
        return False
    if type(original).__module__.split(".")[0] != "psycopg":
        return False
    sqlstate = getattr(original, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES


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

    app.register_error_handler(HTTPException, answer_http_error)

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

    app.register_error_handler(DBAPIError, database_error)
    app.teardown_request(forget_anonymous_stand_in)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        log.exception("unhandled error")
        return _server_error()


def answer_http_error(error: HTTPException):
    """An HTTP error (404, 403, 405, 413...) as a page, or as a JSON problem under ``/api``."""
    db.session.rollback()
    code = error.code or 500
    if code == 404:
        return _page_not_found()
    if code == 403:
        return _forbidden(_("This page is not open to your account. If you need it, ask an administrator."))
    return _answer(code, error.name, _("The request could not be completed."))


def database_error(error: DBAPIError):
    """The database is unreachable for a moment (a restart): 503 with a page that needs no database, and
    ``Retry-After``. The pool's pre-ping replaces the dead connections, so the next request recovers by
    itself. Any other database error is a defect: 500."""
    try:
        db.session.rollback()
    except DBAPIError:  # the connection is gone: the session is reset all the same
        db.session.close()
    if not is_disconnect(error):
        log.exception("database error")
        return _server_error()
    log.warning("database unavailable: %s", type(error.orig).__name__)
    # The signed-in user was loaded from the database and expired by the rollback: reading it again (the
    # templates' context processors, the Cache-Control hook) would raise once more. This answer is anonymous.
    g._login_user = current_app.login_manager.anonymous_user()  # how Flask-Login caches the request's user
    g.database_unavailable = True  # forgotten at the request's end (an app context may outlive it)
    title = _("Service temporarily unavailable")
    message = _("The database cannot be reached at the moment. Nothing was saved: try again in a few seconds.")
    if wants_json():
        response = problem(503, title, message)
    else:  # rendered without the context processors, which read the database
        page = current_app.jinja_env.get_template("errors/unavailable.html")
        html = page.render(title=title, message=message, lang=str(get_locale() or "id"), retry_url=request.path)
        response = Response(html, 503, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Retry-After"] = "5"
    return response


def forget_anonymous_stand_in(_error: BaseException | None) -> None:
    """Drop the anonymous user ``database_error`` put in ``g`` when the request ends."""
    if g.pop("database_unavailable", False):
        g.pop("_login_user", None)


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
