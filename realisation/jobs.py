"""Scheduled work of the realisation package: plain functions, also run by commands (``flask lkpm scan`` and
``flask scheduler run-job lkpm-scan``)."""

from __future__ import annotations

from datetime import date

from app.timezone import today_wib
from realisation.scan import scan_missing_reports


def lkpm_scan(as_of: date | None = None) -> dict:
    """The morning scan of missing LKPM reports (every day: it is idempotent). Flushes; ``run_job`` commits.

    Digests of these flags (as the permit flags have) are not sent yet: the flags are on the missing-reports page.
    """
    return scan_missing_reports(as_of or today_wib()).as_dict()
