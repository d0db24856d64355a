"""Western Indonesia Time (WIB, UTC+7, no daylight saving): the offices' clock, for "today" in every rule."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")


def today_wib() -> date:
    """Today's date in WIB, where the offices' working days are counted."""
    return datetime.now(WIB).date()
