"""Stale saves: the version a form was built from, and how a save based on an old version is answered.

A form that changes a versioned record (a permit's move, its edit, the investor's answer) carries the record's
version in a ``VersionField``; the service compares it and raises ``ConcurrentEdit`` when someone saved first. The
view then answers **409 Conflict** with its own page, the user's input kept, and above it a ``Conflict``: the
message and a link that reloads the page (``base.html`` shows it). A race lost at the commit itself is answered
409 by the error handlers (``app.errors``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from wtforms import HiddenField
from wtforms.form import BaseForm
from wtforms.validators import StopValidation

from app.numbers import strict_int
from app.urls import MAX_ID

CONFLICT = 409


@dataclass(frozen=True)
class Conflict:
    """What ``base.html`` shows above a page answered 409: why nothing was saved, and where to reload."""

    message: str
    reload_url: str


class VersionField(HiddenField):
    """The version of the record a form was built from, for the stale-save check (optimistic locking).

    Required: a missing or malformed version (``abc``, ``-1``, ``²``, 5,000 digits) is refused with a message,
    never read as "no check". ``data`` is the version as an ``int`` (1..MAX_ID). Its error is also a form error,
    because a hidden field shows none of its own.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = strict_int(valuelist[0], maximum=MAX_ID) if valuelist else None

    def pre_validate(self, form: BaseForm) -> None:
        if not self.data:  # versions start at 1
            message = _(
                "The form came without its version stamp, or the stamp was altered, so Pantau cannot tell whether "
                "someone else changed this record meanwhile. Nothing was saved: reload the page and try again."
            )
            form.form_errors.append(message)
            raise StopValidation(message)
