"""Issue 12, "Lists": the clock stops by agency sort by their column headers and download as CSV in that order,
with the page's scope."""

from __future__ import annotations

from datetime import date

import time_machine

from app.extensions import db
from devtools.factories import make_estate, make_permit, region
from permits.models import PermitStatus as S
from permits.workflow import advance_permit
from tests.listing import csv_table


def _returned(bps: str, filed: date, returned: date):
    estate = make_estate(region=region(bps))
    make_permit("NIB", estate=estate, status=S.ISSUED)
    permit = make_permit("KKPR", estate=estate)
    advance_permit(permit, S.SUBMITTED, actor="t", on=filed)
    advance_permit(permit, S.DECLARED_COMPLETE, actor="t", on=filed)
    advance_permit(permit, S.RETURNED, actor="t", on=returned, note="Lengkapi peta lokasi.")
    return permit


def test_clock_stops_sort_by_their_headers_and_export_with_the_scope(client, login_as):
    with time_machine.travel(date(2026, 4, 15).isoformat() + "T09:00:00+07:00", tick=False):
        _returned("36.73", date(2026, 1, 8), date(2026, 1, 12))
        _returned("36.73", date(2026, 1, 8), date(2026, 1, 14))
        _returned("36.03", date(2026, 1, 8), date(2026, 2, 20))
        db.session.commit()

        def stops(query: str) -> list[str]:
            return [row[1] for row in csv_table(client.get(f"/permits/clock-stops.csv?{query}"))[1:]]

        assert stops("") == ["2", "1"]  # most stops first
        assert stops("sort=stops") == ["1", "2"] and stops("sort=-stops") == ["2", "1"]
        assert stops("sort=-latest_share") == ["1", "2"]  # Tangerang's office returned its file late
        assert stops("sort=nothing") == stops("")
        html = client.get("/permits/clock-stops?sort=stops").get_data(as_text=True)
        assert 'aria-sort="ascending"><a class="sort-link active" data-sort="stops"' in html
        assert 'id="csv-export" href="/permits/clock-stops.csv?sort=stops"' in html
        serang = csv_table(login_as("officer", region="36.73").get("/permits/clock-stops.csv"))
        assert [row[1] for row in serang[1:]] == ["2"]
