"""Is the morning scan running? A scan that did not run is itself an alarm."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.database import utcnow
from app.models import JobRun
from app.scheduler import last_success


def scan_overdue(last: JobRun | None = None) -> bool:
    """True when no stall scan has succeeded within SCAN_MISSED_AFTER_HOURS (a never-run scan is overdue)."""
    last = last if last is not None else last_success("stall-scan")
    limit = timedelta(hours=float(current_app.config["SCAN_MISSED_AFTER_HOURS"]))
    return last is None or last.finished_at is None or utcnow() - last.finished_at > limit
