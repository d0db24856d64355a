"""The portal's cells written by Python (``portal.rows``: whose move, the deadline, the status) read exactly as
the macros of ``portal/_macros.html`` and ``_macros.html`` write them, in both languages (issue 13)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import Flask, get_template_attribute, session
from flask_babel import gettext, ngettext

from app import i18n
from app.timezone import today_wib
from permits.models import PermitStatus
from permits.workflow import due_is_estimated
from portal import rows
from portal.services import Who


def _estimated_day():
    today = today_wib()
    return next(today + timedelta(days=n) for n in range(1, 2000) if due_is_estimated(today + timedelta(days=n)))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_cells_read_as_the_macros_wrote_them(app: Flask, lang: str) -> None:
    with app.test_request_context():
        session["lang"] = lang
        cells = rows._Cells()
        who_cell = get_template_attribute("portal/_macros.html", "who_cell")
        for who in Who:
            line = SimpleNamespace(who=who, agency_label="Dinas <Perizinan> & Co")
            assert cells.who(line) == str(who_cell(line)), who
        deadline_cell = get_template_attribute("portal/_macros.html", "deadline_cell")
        today, estimated = today_wib(), _estimated_day()
        cases = [(None, None), (today, None), (today, 0), (today, 1), (today, 7), (today, -1), (today, -12)]
        cases += [(None, 3), (None, -2), (estimated, 4), (estimated, None)]
        for due_on, days_left in cases:
            expected = str(deadline_cell(SimpleNamespace(due_on=due_on, days_left=days_left)))
            assert cells.deadline(due_on, days_left) == expected, (due_on, days_left)
        assert "(" in cells.deadline(estimated, None)  # the estimated date is among the cases
        status_badge = get_template_attribute("_macros.html", "status_badge")
        for status in PermitStatus:
            assert cells.status(status) == str(status_badge(status)), status


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_kept_translations_give_flask_babels_texts(app: Flask, lang: str) -> None:
    with app.test_request_context():
        session["lang"] = lang
        message = "Pay the fee in OSS: %(agency)s checks the file once it is paid."
        assert i18n.gettext(message, agency="Dinas <X>") == gettext(message, agency="Dinas <X>")
        assert i18n.gettext("Not filed yet") == gettext("Not filed yet")
        for num in (1, 3):
            texts = (
                "Nothing to do: %(agency)s has %(num)d working day left.",
                "Nothing to do: %(agency)s has %(num)d working days left.",
            )
            assert i18n.ngettext(*texts, num, agency="BPN") == ngettext(*texts, num, agency="BPN")
        assert (lang == "id") == (i18n.gettext("Not filed yet") != "Not filed yet")
