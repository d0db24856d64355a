"""Scheduled work of the permits package."""

from __future__ import annotations

from permits.calendar import is_working_day
from permits.workflow import today_wib


def stall_scan() -> dict:
    """The morning scan of stalled approvals (flags come with permits/stalls.py); skips non-working days."""
    today = today_wib()
    if not is_working_day(today):
        return {"skipped": "not a working day", "as_of": today.isoformat()}
    return {"as_of": today.isoformat()}
