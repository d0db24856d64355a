"""Stale saves: the version a form was built from, for the check that refuses a save based on an old version.

A form that changes a versioned record (a permit's move, its edit, the investor's answer) carries the record's
version in a ``VersionField``; the service compares it and raises ``ConcurrentEdit`` when someone saved first.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from wtforms import HiddenField
from wtforms.form import BaseForm
from wtforms.validators import StopValidation

from app.numbers import strict_int
from app.urls import MAX_ID


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
