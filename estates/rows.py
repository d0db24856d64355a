"""The estates list's rows rendered in Python (issue 13): one query of the columns the rows show, and each row
written with ``markupsafe`` instead of four macro calls and a dozen filter calls per row.

The HTML is the one the templates gave (``estates/_parts.html``'s ``estate_cells``, ``money`` and
``estate_status``, ``_macros.html``'s ``demo_badge``): the badges are rendered by those macros once per page and
per distinct value, the figures by ``app.formatting``; every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from flask import get_template_attribute
from markupsafe import Markup, escape
from sqlalchemy import Select, bindparam, select

from app.formatting import hectares, rupiah, rupiah_short
from app.html_rows import MacroOnce
from app.listing import plain_rows
from app.models import Region
from app.statements import kept_statement
from app.urls import id_url
from estates.models import Estate, EstateStatus, Investor


def estate_rows(ids: Sequence[int]) -> list[Any]:
    """The rows of the estates ``ids`` (a page of the list) with the columns the list shows, in that order."""
    if not ids:
        return []
    found = {row.id: row for row in plain_rows(kept_statement("estate-rows", (), _rows_query), {"ids": list(ids)})}
    return [found[i] for i in ids if i in found]


def _rows_query() -> Select:
    return (
        select(
            Estate.id,
            Estate.name,
            Estate.investor_id,
            Investor.legal_name,
            Investor.is_demo,
            Region.name.label("region_name"),
            Estate.kecamatan,
            Estate.area_ha,
            Estate.planned_investment_rp,
            Estate.status,
        )
        .join(Investor, Investor.id == Estate.investor_id)
        .join(Region, Region.id == Estate.region_id)
        .where(Estate.id.in_(bindparam("ids", expanding=True)))
    )


def _money(value: Any) -> str:
    if value is None:
        return '<span class="text-body-secondary">—</span>'
    return f'<span title="{escape(rupiah(value))}">{escape(rupiah_short(value))}</span>'


def estate_list_rows(rows: Sequence[Any]) -> Markup:
    """The ``<tr>`` of each row of ``estate_rows`` as the estates list shows it."""
    estate_url = id_url("estates.estate_detail", "estate_id")
    investor_url = id_url("estates.investor_detail", "investor_id")
    status = MacroOnce("estates/_parts.html", "estate_status")
    demo_badge = get_template_attribute("_macros.html", "demo_badge")
    demo = Markup(demo_badge(SimpleNamespace(is_demo=True)))  # noqa: S704 - an autoescaping macro's output
    out = []
    for row in rows:  # plain text: every value is escaped (or a macro's Markup) before it goes in
        place = escape(row.region_name)
        if row.kecamatan:
            place += Markup('<div class="small text-body-secondary">%s</div>') % row.kecamatan
        out.append(
            f'<tr><td><a class="fw-medium" href="{estate_url(row.id)}">{escape(row.name)}</a></td>'
            f'<td><a href="{investor_url(row.investor_id)}">{escape(row.legal_name)}</a> {demo if row.is_demo else ""}'
            f'</td><td>{place}</td><td class="num">{escape(hectares(row.area_ha))}</td>'
            f'<td class="num">{_money(row.planned_investment_rp)}</td>'
            f"<td>{status(row.status, EstateStatus(row.status))}</td></tr>\n"
        )
    return Markup("".join(out))  # noqa: S704 - every text escaped above, the macros' cells autoescaped
