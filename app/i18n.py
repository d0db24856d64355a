"""Interface language: Indonesian by default, English on request (kept in the session)."""

from __future__ import annotations

from flask import current_app, has_request_context, session


def select_locale() -> str:
    """The session's language when a request asked for one, else the default (also outside requests)."""
    if has_request_context():
        lang = session.get("lang")
        if lang in current_app.config["LANGUAGES"]:
            return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]
