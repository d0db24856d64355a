"""The governor's page reads the stored run in a number of SQL statements that does not grow with the data: the
same count for a province of 2 estates and of 14 (zones, filed and overdue permits, several kab/kota), filtered or
not; and the held-back lines link only the permits that hold back most, saying how many more there are."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.security import SYSTEM_SCOPE
from devtools.factories import file_permit, make_estate, make_permit, make_zone, region
from estates.models import Estate, ZoneKind
from forecast import reading
from forecast.services import refresh_forecast
from permits.models import PermitStatus
from tests.statements import counting

AS_OF = date(2026, 11, 2)
NOW = "2026-11-02 03:00Z"
ISSUED = date(2025, 6, 2)
REGIONS = ("36.73", "36.02", "36.04", "36.71")


def _grow(first: int, last: int) -> None:
    """Estates ``first`` .. ``last - 1``, each with three zones, NIB, KKPR and PERTEK issued and an AMDAL filed long
    ago (overdue)."""
    for n in range(first, last):
        estate = make_estate(name=f"Kawasan Hitung {n:02d}", region=region(REGIONS[n % len(REGIONS)]))
        for kind in (ZoneKind.INDUSTRIAL, ZoneKind.HOUSING, ZoneKind.COMMERCIAL):
            make_zone(estate=estate, kind=kind, area_ha=Decimal(10 + n), planned_direct_jobs=100 * n or None)
        for code in ("NIB", "KKPR", "PERTEK"):
            make_permit(code, estate=estate, status=PermitStatus.ISSUED, submitted_on=ISSUED, decided_on=ISSUED)
        file_permit(make_permit("AMDAL", estate=estate), date(2026, 1, 5 + n % 20))
    db.session.commit()


def _statements(client, url: str) -> tuple[int, str]:
    client.get(url)  # warm: the first request of a client reads the user and the settings once
    with counting() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_the_page_statements_do_not_grow_with_the_data(login_as, monkeypatch):
    governor = login_as("governor")
    _grow(0, 2)
    first = db.session.scalar(select(Estate.investor_id).where(Estate.name == "Kawasan Hitung 00"))
    urls = (
        "/forecast",
        f"/forecast?region={region('36.73').id}",
        "/forecast?zone_kind=industrial",
        f"/forecast?investor={first}",  # one investor's rows, of a province of one investor per estate
    )
    refresh_forecast(AS_OF)
    db.session.commit()
    small = [_statements(governor, url) for url in urls]
    assert "Kawasan Hitung 01" in small[0][1]
    _grow(2, 14)
    monkeypatch.setattr(reading, "HELD_PERMITS", 3)  # the page links at most 3 per line here
    refresh_forecast(AS_OF)
    db.session.commit()
    large = [_statements(governor, url) for url in urls]
    assert "Kawasan Hitung 13" in large[0][1]
    assert [n for n, _ in large] == [n for n, _ in small]
    lines = reading.held_lines(reading.current_run(), reading.Filters(), SYSTEM_SCOPE)
    widest = max(lines, key=lambda line: line.count)
    assert len(widest.permit_ids) == 3 < widest.count
    assert f'data-more="{widest.count - 3}"' in large[0][1]
