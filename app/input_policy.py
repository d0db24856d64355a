"""One input policy at the edge: control characters are refused before any view, hook or query reads them.

PostgreSQL refuses a NUL byte in text (a 500 when one reached a query) and SQLite stores it silently; no other
control character belongs in what a person types or a browser sends either. So before the sign-in gate loads the
user, and before any view runs, the request's path, every query-string key and value, every form field name and
value and every uploaded file's name is read once: a control character (Unicode category Cc: C0, DEL and C1)
answers **400** with a page that says what was refused and where. Tab, carriage return and line feed are allowed in
the values of text areas only: the ``TextAreaField``s of the app's forms, known by field name (a prefixed form's
field by the name after its prefix).

A sign-in refused here is still a failed sign-in: ``on_refusal`` lets a package note it (accounts writes the audit
row), with the refused text made printable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.fields.core import UnboundField

from app.errors import problem, wants_json
from app.extensions import db

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # every Cc character
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # the same, less tab, line feed, return
PREFIX_SEPARATOR = "-"  # WTForms joins a form's prefix and a field's name with it; our field names never hold one
_TEXT_AREAS = "input_policy.text_areas"
_REFUSAL_HOOKS: dict[str, Callable[[], None]] = {}


def printable(text: str) -> str:
    """``text`` with each control character replaced by U+FFFD, to quote or log what was refused."""
    return CONTROL.sub("\ufffd", text)


def on_refusal(endpoint: str, hook: Callable[[], None]) -> None:
    """Call ``hook`` (in the request, before the 400 is answered and committed) when a request to ``endpoint``
    is refused here."""
    _REFUSAL_HOOKS[endpoint] = hook


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def text_area_names() -> frozenset[str]:
    """The names of every ``TextAreaField`` declared on a ``FlaskForm`` subclass imported so far."""
    names = set()
    for form_class in _subclasses(FlaskForm):
        for name, value in vars(form_class).items():
            if isinstance(value, UnboundField) and issubclass(value.field_class, TextAreaField):
                names.add(name)
    return frozenset(names)


def _allows_line_breaks(field_name: str, text_areas: frozenset[str]) -> bool:
    return field_name.rpartition(PREFIX_SEPARATOR)[2] in text_areas


def find_control_character(text_areas: frozenset[str]) -> tuple[str, str] | None:
    """(kind of place, name) of the first place in the request holding a refused control character, or None."""
    if CONTROL.search(request.path):
        return "path", request.path
    for key, value in request.args.items(multi=True):
        if CONTROL.search(key) or CONTROL.search(value):
            return "query", key
    for key, value in request.form.items(multi=True):
        pattern = CONTROL_IN_TEXT if _allows_line_breaks(key, text_areas) else CONTROL
        if CONTROL.search(key) or pattern.search(value):
            return "form", key
    for key, upload in request.files.items(multi=True):
        if CONTROL.search(key) or CONTROL.search(upload.filename or ""):
            return "file", key
    return None


def _where(place: str, name: str) -> str:
    name = printable(name)[:60]
    if place == "query":
        return _("The search or filter “%(name)s” contains invisible control characters.", name=name)
    if place == "form":
        return _("The field “%(name)s” contains invisible control characters.", name=name)
    if place == "file":
        return _("The name of the file sent as “%(name)s” contains invisible control characters.", name=name)
    return _("The address of the page contains invisible control characters.")


def _refusal(place: str, name: str) -> Response | tuple[str, int]:
    title = _("Invisible characters refused")
    message = " ".join(
        (
            _where(place, name),
            _(
                "Pantau does not accept them (a NUL byte, for instance): nothing was read or saved. Go back, type "
                "the text again rather than pasting it (or rename the file) and try again."
            ),
        )
    )
    if wants_json():
        return problem(400, title, message)
    return render_template("errors/error.html", code=400, title=title, message=message), 400


def install_input_policy(app: Flask) -> None:
    """Check every request before the hooks registered after this one (the sign-in gate, the views)."""

    @app.before_request
    def refuse_control_characters():
        text_areas = app.extensions.get(_TEXT_AREAS)
        if text_areas is None:  # the forms are imported by now: every package registered its views
            text_areas = app.extensions[_TEXT_AREAS] = text_area_names()
        found = find_control_character(text_areas)
        if found is None:
            return None
        hook = _REFUSAL_HOOKS.get(request.endpoint or "")
        if hook is not None:
            hook()
            db.session.commit()  # what the hook noted is kept: no view runs, so no commit point comes
        return _refusal(*found)
