"""The permits list as CSV: the rows the list shows (same filters, order and scope), every page at once."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from flask_babel import get_locale
from flask_babel import gettext as _

from permits.clock import ClockState
from permits.figures import ClockStopFigure
from permits.models import Permit


def permit_columns() -> list[str]:
    """The header of the columns that name a permit, shared by the lists of permits."""
    return [_("Permit type"), _("Reference number"), _("Estate"), _("Investor"), _("Kab/kota"), _("Status")]


def permit_cells(permit: Permit) -> list[object]:
    """The cells under ``permit_columns``: the whole reference number, the estate, investor and kab/kota."""
    estate = permit.estate
    return [
        permit.permit_type.code,
        permit.reference_number,
        estate.name,
        estate.investor.legal_name,
        estate.region.name,
        permit.status.label,
    ]


def permit_header() -> list[str]:
    return [*permit_columns(), _("Submitted on"), _("Due on"), _("Deadline"), _("Issuing agency")]


def permit_rows(permits: Sequence[Permit], clocks: Mapping[int, ClockState]) -> Iterator[list[object]]:
    locale = str(get_locale() or "id")
    for permit in permits:
        clock = clocks.get(permit.id)
        yield [
            *permit_cells(permit),
            permit.submitted_on.isoformat() if permit.submitted_on else "",
            clock.due_on.isoformat() if clock is not None and clock.due_on else "",
            clock.band.label if clock is not None else "",
            permit.agency_name(locale),
        ]


def clock_stop_table(rows: Sequence[ClockStopFigure]) -> tuple[list[str], Iterator[list[object]]]:
    """The clock stops by agency: the shares as percentages of the limit, one decimal."""
    locale = str(get_locale() or "id")
    header = [
        _("Issuing agency"),
        _("Clock stops"),
        _("Permits"),
        _("Average point of the stop (share of the limit, %)"),
        _("Latest stop (share of the limit, %)"),
        _("Late stops"),
    ]
    lines = (
        [
            f.agency.name(locale) if f.agency else _("Agency not recorded"),
            f.stops,
            f.permits,
            f"{f.average_share * 100:.1f}",
            f"{f.latest_share * 100:.1f}",
            f.late_stops,
        ]
        for f in rows
    )
    return header, lines
