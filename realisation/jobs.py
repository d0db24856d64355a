"""Scheduled work of the realisation package: plain functions, also run by commands (``flask lkpm scan`` and
``flask scheduler run-job lkpm-scan``)."""

from __future__ import annotations

from datetime import date

from app.timezone import today_wib
from realisation.scan import scan_missing_reports


def lkpm_scan(as_of: date | None = None) -> dict:
    """The morning scan of missing LKPM reports (every day: it is idempotent). Flushes; ``run_job`` commits.

    It runs before the stall scan (``LKPM_SCAN_TIME``), whose digests tell the flags it raised
    (``realisation.notify``) under the same rules as the stall flags, the same morning.
    """
    return scan_missing_reports(as_of or today_wib()).as_dict()
