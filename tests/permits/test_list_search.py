"""Issue 12: the permits list searched by estate, investor and reference number, sorted, and exported as CSV with
the same filters and the same scope (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, AuditLog
from devtools.factories import make_estate, make_investor, make_permit, region
from permits.models import PermitStatus


def _rows(html: str) -> list[str]:
    body = html[html.index('id="permit-list"') :]
    return re.findall(r'href="/permits/(\d+)"', body)


def _world():
    zeta = make_estate(
        name="Kawasan Zeta 100%", investor=make_investor(legal_name="PT Alfa Makmur"), region=region("36.73")
    )
    alfa = make_estate(name="Kawasan Alfa", investor=make_investor(legal_name="PT Zeta Jaya"), region=region("36.03"))
    a = make_permit("NIB", estate=zeta, status=PermitStatus.ISSUED, reference_number="NIB-9120000123")
    b = make_permit("NIB", estate=alfa, status=PermitStatus.ISSUED, reference_number="nib-0000000777")
    db.session.commit()
    return a, b


def test_search_by_estate_investor_or_reference_number_case_insensitive(client):
    a, b = _world()
    assert set(_rows(client.get("/permits?q=zeta").get_data(as_text=True))) == {str(a.id), str(b.id)}
    assert set(_rows(client.get("/permits?q=ALFA+MAKMUR").get_data(as_text=True))) == {str(a.id)}
    assert set(_rows(client.get("/permits?q=000777").get_data(as_text=True))) == {str(b.id)}
    assert set(_rows(client.get("/permits?q=100%25").get_data(as_text=True))) == {str(a.id)}  # % is literal
    html = client.get("/permits?q=tidak-ada").get_data(as_text=True)
    assert 'id="permit-list"' not in html


def test_sort_by_estate_and_by_investor(client):
    a, b = _world()
    estate_order = _rows(client.get("/permits?sort=estate").get_data(as_text=True))
    investor_order = _rows(client.get("/permits?sort=investor").get_data(as_text=True))
    assert [r for r in estate_order if r in (str(a.id), str(b.id))] == [str(b.id), str(a.id)]
    assert [r for r in investor_order if r in (str(a.id), str(b.id))] == [str(a.id), str(b.id)]
    assert client.get("/permits?sort=nonsense").status_code == 200  # an unknown order is ignored


def test_the_csv_honours_filters_and_scope_and_is_audited(client, login_as):
    _world()
    response = client.get("/permits.csv?q=zeta&sort=estate")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert [row[2] for row in table[1:]] == ["Kawasan Alfa", "Kawasan Zeta 100%"]
    assert table[1][1] == "nib-0000000777"
    serang = login_as("officer", region="36.73")
    table = list(csv.reader(io.StringIO(serang.get("/permits.csv").get_data(as_text=True))))
    assert [row[2] for row in table[1:]] == ["Kawasan Zeta 100%"]  # the Kabupaten Tangerang estate is not theirs
    exports = select(AuditLog).where(AuditLog.event == AuditEvent.EXPORTED).order_by(AuditLog.id)
    lines = db.session.scalars(exports).all()
    assert [(line.user_id, json.loads(line.detail)["what"]) for line in lines] == [
        (client.user.id, "permits"),
        (serang.user.id, "permits"),
    ]
