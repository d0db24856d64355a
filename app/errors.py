"""Error pages in the site's design; they never show a stack trace or SQL."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import db

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        return render_template(
            "errors/error.html",
            code=400,
            title=_("The form expired"),
            message=_("The form was out of date or incomplete. Go back, reload the page and try again."),
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        code = error.code or 500
        if code == 404:
            return render_template("errors/404.html"), 404
        return render_template(
            "errors/error.html",
            code=code,
            title=error.name,
            message=_("The request could not be completed."),
        ), code

    @app.errorhandler(IntegrityError)
    @app.errorhandler(StaleDataError)
    def conflict(error: Exception):
        """A save that lost a race with another one (same unique name, same record edited): nothing saved."""
        db.session.rollback()
        log.info("conflicting save refused: %s", type(error).__name__)
        return render_template(
            "errors/error.html",
            code=409,
            title=_("Saved by someone else first"),
            message=_(
                "Someone else saved the same record or the same name a moment ago. Nothing of yours was "
                "saved: go back, reload the page and try again."
            ),
        ), 409

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        log.exception("unhandled error")
        return render_template("errors/500.html"), 500
