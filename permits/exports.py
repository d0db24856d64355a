"""The permits list as CSV: the rows the list shows (same filters, order and scope), every page at once."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from flask_babel import get_locale
from flask_babel import gettext as _

from permits.clock import ClockState
from permits.models import Permit

CSV_MAX_ROWS = 50_000


def cell(value: object) -> str:
    """A cell as text, with a leading formula character neutralised for spreadsheets."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(permits: Sequence[Permit], clocks: Mapping[int, ClockState]) -> str:
    locale = str(get_locale() or "id")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            _("Permit type"),
            _("Reference number"),
            _("Estate"),
            _("Investor"),
            _("Kab/kota"),
            _("Status"),
            _("Submitted on"),
            _("Due on"),
            _("Deadline"),
            _("Issuing agency"),
        ]
    )
    for permit in permits:
        clock = clocks.get(permit.id)
        writer.writerow(
            cell(v)
            for v in (
                permit.permit_type.code,
                permit.reference_number,
                permit.estate.name,
                permit.estate.investor.legal_name,
                permit.estate.region.name,
                permit.status.label,
                permit.submitted_on.isoformat() if permit.submitted_on else "",
                clock.due_on.isoformat() if clock is not None and clock.due_on else "",
                clock.band.label if clock is not None else "",
                permit.agency_name(locale),
            )
        )
    return out.getvalue()
