"""Nightly refresh of the job-creation forecasts (ROADMAP item 1). No forecast exists yet: the job records that
it ran and had nothing to refresh, so the schedule, its monitoring and its tests are in place."""

from __future__ import annotations


def refresh_forecasts() -> dict:
    return {"refreshed": 0, "note": "no forecast module yet"}
