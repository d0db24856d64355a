"""Scheduled work of the permits package: plain functions, also run by commands (see permits/cli.py)."""

from __future__ import annotations

from datetime import date

from permits.calendar import is_working_day
from permits.stalls import scan_stalled
from permits.workflow import today_wib


def stall_scan(as_of: date | None = None) -> dict:
    """The morning scan of stalled approvals; on a day that is not a working day it only records that it ran.

    Flushes; ``run_job`` (or the command) commits.
    """
    as_of = as_of or today_wib()
    if not is_working_day(as_of):
        return {"skipped": "not a working day", "as_of": as_of.isoformat()}
    return scan_stalled(as_of).as_dict()
