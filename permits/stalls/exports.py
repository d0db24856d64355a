"""The stalled list and the figures by agency as CSV tables, in the page's order (the views send them through
``app.listing.csv_download``, which audits the export)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from flask_babel import get_locale
from flask_babel import gettext as _

from permits.exports import permit_cells, permit_columns
from permits.stages import Holder
from permits.stalls.stats import StallRow, StallStatistics


def stall_table(rows: Sequence[StallRow]) -> tuple[list[str], Iterator[list[object]]]:
    header = [
        *permit_columns(),
        _("Flags"),
        _("Working days late"),
        _("Late party"),
        _("Due on"),
        _("Issuing agency"),
        _("Raised on"),
    ]
    locale = str(get_locale() or "id")

    def line(row: StallRow) -> list[object]:
        permit, clock = row.permit, row.clock
        late_by = _("by the agency") if row.late_party is Holder.AGENCY else _("by the investor")
        return [
            *permit_cells(permit),
            "; ".join(str(flag.kind.label) for flag in row.flags),
            row.days_overdue,
            late_by if row.days_overdue else "",
            clock.due_on.isoformat() if clock.running and clock.due_on else "",
            permit.agency_name(locale),
            row.raised_on.isoformat(),
        ]

    return header, (line(row) for row in rows)


def figure_header(group_label: str) -> list[str]:
    return [
        group_label,
        _("Open with the agency"),
        _("Overdue now"),
        _("Decided"),
        _("Median working days to decision"),
        _("90th percentile working days to decision"),
        _("Decided within the limit"),
        _("Share decided within the limit (%)"),
        _("Working days past the limit, decided permits"),
        _("Clock stops"),
        _("Late clock stops"),
    ]


def figure_rows(figures: StallStatistics) -> Iterator[list[object]]:
    """Each group's figures in the page's order, then the total."""
    for figure in [*figures.rows, figures.total]:
        share = figure.share_within
        yield [
            figure.label or _("Total"),
            figure.running,
            figure.overdue_now,
            figure.decided,
            figure.median_days if figure.median_days is not None else "",
            figure.p90_days if figure.p90_days is not None else "",
            figure.within_limit,
            f"{share * 100:.1f}" if share is not None else "",
            figure.late_days,
            figure.stops,
            figure.late_stops,
        ]
