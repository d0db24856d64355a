"""The portal's cells written by Python (``portal.rows``: whose move, the deadline, the status) read exactly as
the macros of ``portal/_macros.html`` and ``_macros.html`` write them, in both languages (issue 13)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import Flask, get_template_attribute, session

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
