"""The forecast's calendar (``preloaded_calendar``): the site's calendar, overrides and setting included, that reads
nothing from the database once made (the refresh computes zones while its connection is busy copying rows)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Setting
from permits.admin.closures import add_override
from permits.calendar import CUTI_BERSAMA_SETTING, invalidate_calendar_cache, preloaded_calendar, site_calendar
from permits.models import CalendarOverrideKind


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    invalidate_calendar_cache()
    yield
    invalidate_calendar_cache()


@pytest.mark.parametrize("cuti", ["true", "false"])
def test_the_preloaded_calendar_is_the_site_s_and_reads_nothing_once_made(app, cuti: str) -> None:
    db.session.get(Setting, CUTI_BERSAMA_SETTING).value = cuti
    add_override(date(2025, 4, 8), CalendarOverrideKind.CLOSED, "Surat Edaran Gubernur (test)", "admin")
    add_override(date(2027, 3, 6), CalendarOverrideKind.WORKING, "Office open on Saturday (test)", "admin")
    invalidate_calendar_cache()
    preloaded = preloaded_calendar()
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        days = [date(2024, 12, 20) + timedelta(days=7 * i + i % 5) for i in range(300)]  # into 2030
        got = [(preloaded.add_working_days(d, n), preloaded.working_days_between(d, d + timedelta(days=90)))
               for d in days for n in (1, 14, 60)]  # fmt: skip
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert statements == []
    site = site_calendar()
    assert got == [(site.add_working_days(d, n), site.working_days_between(d, d + timedelta(days=90)))
                   for d in days for n in (1, 14, 60)]  # fmt: skip
    assert preloaded.add_working_days(date(2025, 4, 7), 1) == date(2025, 4, 9)  # the closure
    assert preloaded.is_working_day(date(2027, 3, 6))  # the Saturday opened
