"""How a refresh writes and reads in bulk: the series rows' binary COPY data, the numeric values written once per
distinct value, the zones in the order the pages list them, and the register's streamed reads."""

from __future__ import annotations

import struct
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from devtools.factories import make_estate, make_zone, region
from estates.models import Estate, ZoneKind
from forecast import gather, packed, store
from forecast.models import ForecastSeries, ForecastZone
from forecast.services import refresh_forecast

AS_OF = date(2026, 11, 2)


def _parsed(data: bytes) -> list[tuple]:
    """The rows of PostgreSQL's binary COPY data of (int4, int4, int8, bytea) rows, read field by field."""
    assert data.startswith(packed.COPY_SIGNATURE) and data.endswith(packed.COPY_TRAILER)
    body, rows, at = data[len(packed.COPY_SIGNATURE) : -len(packed.COPY_TRAILER)], [], 0
    while at < len(body):
        (fields,) = struct.unpack_from(">h", body, at)
        at, row = at + 2, []
        for form in (">i", ">i", ">q", None):
            (length,) = struct.unpack_from(">i", body, at)
            at += 4
            row.append(body[at : at + length] if form is None else struct.unpack_from(form, body, at)[0])
            at += length
        assert fields == 4
        rows.append(tuple(row))
    return rows


def test_the_series_copy_data_holds_each_row_as_encoded():
    figures = np.arange(3 * 12, dtype=np.int64).reshape(3, 12) * 1000
    data = packed.COPY_SIGNATURE + bytes(packed.copy_binary(7, figures)) + packed.COPY_TRAILER
    central = packed.operation_central(figures).tolist()
    assert _parsed(data) == [(7, i, central[i], cells) for i, cells in enumerate(packed.encode(figures))]
    assert central[2] > 0
    with pytest.raises(ValueError, match="outside"):
        packed.copy_binary(7, np.array([[2**31]], dtype=np.int64))


@time_machine.travel("2026-11-02 03:00Z", tick=False)
def test_a_refresh_stores_areas_investments_and_series_as_they_are():
    estate = make_estate(planned_investment_rp=Decimal("650000000123"))
    make_zone(estate=estate, area_ha=Decimal("12.3456"))
    make_zone(estate=estate, area_ha=Decimal("0.0001"), kind=ZoneKind.HOUSING)
    make_zone(estate=estate, area_ha=Decimal("12.3456"), kind=ZoneKind.COMMERCIAL)
    run = refresh_forecast(AS_OF)
    db.session.expire_all()
    rows = db.session.execute(
        select(ForecastZone.area_ha, ForecastZone.investment_rp).where(
            ForecastZone.run_id == run.id, ForecastZone.estate_id == estate.id
        )
    ).all()
    assert sorted(rows) == sorted(
        [(Decimal("12.3456"), Decimal("650000000123"))] * 2 + [(Decimal("0.0001"), Decimal("650000000123"))]
    )
    series = db.session.scalars(select(ForecastSeries).where(ForecastSeries.run_id == run.id)).all()
    assert sorted(s.series for s in series) == list(range(len(series)))
    assert all(len(s.cells) == 4 * 3 * 2 * run.horizon_quarters for s in series)


@time_machine.travel("2026-11-02 03:00Z", tick=False)
def test_a_refresh_writes_the_zones_by_kab_kota_and_estate_name():
    made = [
        make_estate(name="Kawasan Zeta", region=region("36.73")),
        make_estate(name="Kawasan Alfa", region=region("36.73")),
        make_estate(name="Kawasan beta", region=region("36.73")),  # lower case after upper case, as the collation
        make_estate(name="Kawasan Omega", region=region("36.02")),
    ]
    for estate in made:
        make_zone(estate=estate)
    run = refresh_forecast(AS_OF)
    written = db.session.execute(
        select(ForecastZone.kab_kota, ForecastZone.estate_name, ForecastZone.estate_id)
        .where(ForecastZone.run_id == run.id)
        .order_by(ForecastZone.id)
    ).all()
    ordered = db.session.execute(
        select(ForecastZone.kab_kota, ForecastZone.estate_name, ForecastZone.estate_id)
        .where(ForecastZone.run_id == run.id)
        .order_by(ForecastZone.kab_kota, ForecastZone.estate_name, ForecastZone.estate_id)
    ).all()
    assert written == ordered  # the database's own order
    assert [row[2] for row in written if row[2] in {e.id for e in made}] != [e.id for e in made]


@pytest.mark.postgres_only  # streamed reads exist on PostgreSQL only
def test_a_stream_left_early_leaves_the_connection_usable():
    """A stream is read to its end before the session's next statement; one left early (an error in the middle of
    a refresh) is cancelled by the driver, and when the cancel reaches the server while it still runs the query the
    transaction is aborted: the session's rollback (as every failed request and job ends) makes it usable again."""
    for n in range(gather.STREAMED * 2 + 1):
        make_estate(name=f"Kawasan Arus {n:04}")
    db.session.commit()
    rows = gather._rows(select(Estate.id, Estate.name).order_by(Estate.id), streamed=True)
    first = next(rows)
    del rows  # the read cancelled
    db.session.rollback()
    assert db.session.scalar(select(Estate.id).order_by(Estate.id).limit(1)) == first[0]
    streamed = list(gather._rows(select(Estate.id).order_by(Estate.id), streamed=True))
    assert [row[0] for row in streamed] == list(db.session.scalars(select(Estate.id).order_by(Estate.id)))
    assert len(streamed) == gather.STREAMED * 2 + 1


def test_numeric_data_is_what_the_engine_writes(is_postgres):
    data = store.numeric_data()
    assert data[None] is None
    if is_postgres:
        assert isinstance(data[Decimal("1.5")], bytes) and data[Decimal("1.5")] is data[Decimal("1.5")]
    else:
        assert data[Decimal("1.5")] == Decimal("1.5")
