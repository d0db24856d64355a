"""Issue 12: the officer's dashboard says what needs doing, each count a link to the list it counts."""

from __future__ import annotations

import re
from datetime import date, datetime

import time_machine

from app.extensions import db
from devtools.factories import make_estate, make_permit, region
from permits.models import PermitStatus as S
from permits.stalls.scan import scan_stalled
from permits.workflow import WIB, advance_permit

NOW = datetime(2026, 4, 15, 9, 0, tzinfo=WIB)
TODAY = date(2026, 4, 15)


def _filed(bps: str, on: date):
    estate = make_estate(region=region(bps))
    make_permit("NIB", estate=estate, status=S.ISSUED)
    permit = make_permit("KKPR", estate=estate)
    advance_permit(permit, S.SUBMITTED, actor="t", on=on)
    advance_permit(permit, S.DECLARED_COMPLETE, actor="t", on=on)
    return permit


@time_machine.travel(NOW, tick=False)
def test_the_work_counts_match_the_lists_they_link_to(login_as):
    _filed("36.73", date(2026, 1, 8))  # overdue
    _filed("36.04", date(2026, 2, 2))  # overdue, another kab/kota
    _filed("36.73", date(2026, 3, 10))  # at risk or on track
    returned = _filed("36.73", date(2026, 4, 1))
    advance_permit(returned, S.RETURNED, actor="t", note="Lengkapi", on=date(2026, 4, 2))
    advance_permit(returned, S.DECLARED_COMPLETE, actor="t", on=date(2026, 4, 6))  # the investor answered
    scan_stalled(TODAY)
    db.session.commit()
    for client in (login_as("officer"), login_as("officer", region="36.73")):
        html = client.get("/").get_data(as_text=True)
        links = dict(re.findall(r'<a href="([^"]+)" id="work-[a-z_]+" data-count="(\d+)"', html))
        assert len(links) == 4
        counts = {}
        for url, count in links.items():
            url = url.replace("&amp;", "&")
            page = client.get(url).get_data(as_text=True)
            if url.startswith("/stalls"):
                shown = len(re.findall(r'<tr data-permit="(\d+)">', page))
            else:
                shown = len(set(re.findall(r'href="/permits/(\d+)"', page[page.index('id="permit-count"') :])))
            assert shown == int(count), (url, shown, count)
            counts[url] = int(count)
        assert counts["/permits?answered=1"] == 1
        assert counts["/permits?band=overdue"] >= 1
    assert 'id="work"' not in login_as("governor").get("/").get_data(as_text=True)  # the province view stays
