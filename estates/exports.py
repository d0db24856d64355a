"""The investors and estates lists as CSV tables: a header and the rows, in the list's order (the view sends them
through ``app.listing.csv_download``, which audits the export)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from flask_babel import gettext as _

from estates.lists import InvestorStats
from estates.models import Estate, Investor

Table = tuple[list[str], Iterator[list[object]]]


def investor_table(investors: Sequence[Investor], stats: Mapping[int, InvestorStats]) -> Table:
    header = [
        _("Legal name"),
        _("Capital status"),
        _("Country of origin"),
        "NIB",
        _("Estates"),
        _("Planned investment (Rp)"),
    ]
    rows = (
        [
            investor.legal_name,
            investor.capital_status.value.upper(),
            investor.country_of_origin,
            investor.nib,
            stats[investor.id].estates,
            stats[investor.id].investment_rp,
        ]
        for investor in investors
    )
    return header, rows


def estate_table(estates: Sequence[Estate]) -> Table:
    header = [
        _("Estate"),
        _("Investor"),
        _("Kabupaten/kota"),
        _("Kecamatan"),
        _("Area (ha)"),
        _("Planned investment (Rp)"),
        _("Status"),
        _("Latitude"),
        _("Longitude"),
    ]
    rows = (
        [
            estate.name,
            estate.investor.legal_name,
            estate.region.name,
            estate.kecamatan,
            estate.area_ha,
            estate.planned_investment_rp,
            estate.status.label,
            estate.latitude,
            estate.longitude,
        ]
        for estate in estates
    )
    return header, rows
