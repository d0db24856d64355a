"""Scheduled work of the realisation package: plain functions, also run by commands (``flask lkpm scan`` and
``flask scheduler run-job lkpm-scan``)."""

from __future__ import annotations

from datetime import date

from app.timezone import today_wib
from permits.jobs import with_digests
from realisation.scan import scan_missing_reports


def lkpm_scan(as_of: date | None = None) -> dict:
    """The morning scan of missing LKPM reports (every day: it is idempotent), then, on working days, the day's
    digests, which tell the new flags as the stall scan's do (``realisation.notify``). Flushes; ``run_job``
    commits."""
    as_of = as_of or today_wib()
    return with_digests(scan_missing_reports(as_of).as_dict(), as_of)
