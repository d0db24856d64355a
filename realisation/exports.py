"""The LKPM list and the missing reports as CSV tables, in the page's order (the views send them through
``app.listing.csv_download``, which audits the export)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from flask_babel import gettext as _

from realisation.models import LkpmEntry, LkpmFlag

Table = tuple[list[str], Iterator[list[object]]]


def entry_table(entries: Sequence[LkpmEntry]) -> Table:
    header = [
        _("Period"),
        _("Investor"),
        "NIB",
        _("Estate"),
        _("Kab/kota"),
        _("Realised investment (Rp)"),
        "TKI",
        "TKA",
        _("OSS status"),
        _("Reported on"),
    ]
    rows = (
        [
            entry.period,
            entry.investor.legal_name,
            entry.investor.nib,
            entry.estate.name if entry.estate else _("Whole company"),
            entry.estate.region.name if entry.estate else "",
            entry.investment_rp,
            entry.tki,
            entry.tka,
            entry.status.label,
            entry.reported_on.isoformat(),
        ]
        for entry in entries
    )
    return header, rows


def flag_table(flags: Sequence[LkpmFlag]) -> Table:
    header = [_("Flag"), _("Investor"), "NIB", _("Period"), _("Deadline"), _("Periods missed"), _("Raised on")]
    rows = (
        [
            flag.kind.label,
            flag.investor.legal_name,
            flag.investor.nib,
            flag.period,
            flag.due_on.isoformat(),
            flag.periods_missed,
            flag.raised_on.isoformat(),
        ]
        for flag in flags
    )
    return header, rows
