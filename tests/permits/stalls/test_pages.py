"""The pages of stalled approvals (list, figures, CSV), who may open them, and the missed-scan warning."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask import Flask

from app.extensions import db
from app.models import JobRun, Role
from devtools.factories import agency, make_estate, make_permit, region
from permits.models import PermitStatus as S
from permits.stalls import views as stall_views
from permits.stalls.scan import scan_stalled
from permits.workflow import WIB, advance_permit

TODAY = date(2026, 4, 15)
NOW = datetime(2026, 4, 15, 9, 0, tzinfo=WIB)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _filed(bps: str, on: date, code: str = "KKPR", investor_name: str | None = None):
    """A PMDN estate's permit, filed on ``on``: its agency is the kab/kota's DPMPTSP (the rule for a PMDN's KKPR)."""
    estate = make_estate(region=region(bps))
    if investor_name:
        estate.investor.legal_name = investor_name
    make_permit("NIB", estate=estate, status=S.ISSUED)
    permit = make_permit(code, estate=estate)
    advance_permit(permit, S.SUBMITTED, actor="t", on=on)
    if code == "KKPR":  # its clock starts when the fee is paid
        advance_permit(permit, S.DECLARED_COMPLETE, actor="t", on=on)
    return permit


def _scan_run(finished: datetime) -> None:
    db.session.add(JobRun(job="stall-scan", started_at=finished, finished_at=finished, succeeded=True))


def _rows(html: str) -> list[str]:
    body = html[html.index('id="stalled-list"') :]
    return re.findall(r'<tr data-permit="(\d+)">', body)


# --- the stalled list --------------------------------------------------------------------------------------


def test_before_any_scan_the_list_says_so(frozen, client):
    _filed("36.73", date(2026, 1, 8))
    db.session.commit()
    html = client.get("/stalls").get_data(as_text=True)
    assert 'data-state="never"' in html and "No scan has run yet." in html
    assert 'id="stalled-empty"' in html


def test_after_a_scan_the_list_shows_the_flagged_permits_and_when_the_scan_ran(frozen, client):
    late = _filed("36.73", date(2026, 1, 8), investor_name="PT Terlambat Sekali")
    later = _filed("36.04", date(2026, 2, 2))
    _filed("36.73", date(2026, 4, 1))  # on track
    scan_stalled(TODAY)
    _scan_run(datetime(2026, 4, 15, 0, 31, tzinfo=UTC))
    db.session.commit()
    html = client.get("/stalls").get_data(as_text=True)
    assert 'data-state="ok"' in html and "15 Apr 2026 07:31 WIB" in html
    assert _rows(html) == [str(late.id), str(later.id)]
    row = html[html.index(f'data-permit="{late.id}"') :]
    row = row[: row.index("</tr>")]
    assert late.agency == agency("3673-dpmptsp")
    assert "PT Terlambat Sekali" in row and "Kota Serang" in row and late.agency.name_en in row
    assert "The law&#39;s automatic outcome is due" in row and "Overdue" in row
    assert f'href="/permits/{late.id}/evidence"' in row and f'href="/permits/{late.id}"' in row
    assert "1 flagged permit" not in html and "2 flagged permits" in html


@pytest.mark.parametrize(("target", "note"), [("issued", ""), ("returned", "Lengkapi peta bidang")])
def test_a_decided_or_returned_permit_leaves_the_stalled_list_in_the_same_request(frozen, client, target, note):
    late = _filed("36.73", date(2026, 1, 8))
    other = _filed("36.04", date(2026, 2, 2))
    scan_stalled(TODAY)
    _scan_run(datetime(2026, 4, 15, 0, 31, tzinfo=UTC))
    db.session.commit()
    assert _rows(client.get("/stalls").get_data(as_text=True)) == [str(late.id), str(other.id)]
    data = {"target": target, "effective_on": TODAY.isoformat(), "note": note, "version": str(late.version)}
    assert client.post(f"/permits/{late.id}/move", data=data).status_code == 302
    assert _rows(client.get("/stalls").get_data(as_text=True)) == [str(other.id)]  # no scan in between


def test_a_missed_scan_is_shown_on_the_list(frozen, client):
    _scan_run(NOW - timedelta(hours=27))
    db.session.commit()
    assert 'data-state="missed"' in client.get("/stalls").get_data(as_text=True)


def test_the_scans_state_read_with_the_rows_is_the_scans_own(frozen, client, monkeypatch):
    """The page's rows bring when the last successful scan finished (branch ``tph``): with flagged rows and no
    recorded run the list says no scan has run; with a run a day old, that it was missed; neither reads the job's
    record again."""
    from permits.stalls import views

    monkeypatch.setattr(views, "last_success", lambda job: pytest.fail("read again"))
    late = _filed("36.73", date(2026, 1, 8))
    scan_stalled(TODAY)  # flags without a recorded run (a scan run by hand)
    db.session.commit()
    html = client.get("/stalls").get_data(as_text=True)
    assert 'data-state="never"' in html and _rows(html) == [str(late.id)]
    _scan_run(NOW - timedelta(hours=27))
    db.session.commit()
    html = client.get("/stalls").get_data(as_text=True)
    assert 'data-state="missed"' in html and _rows(html) == [str(late.id)]


def test_the_filters_narrow_the_list_and_bad_values_are_ignored(frozen, client):
    serang = _filed("36.73", date(2026, 1, 8))
    kab = _filed("36.04", date(2026, 2, 2))
    at_risk = _filed("36.73", date(2026, 3, 10))
    scan_stalled(TODAY)
    db.session.commit()
    assert _rows(client.get("/stalls?region=36.04").get_data(as_text=True)) == [str(kab.id)]
    html = client.get(f"/stalls?agency={serang.agency_id}").get_data(as_text=True)
    assert _rows(html) == [str(serang.id), str(at_risk.id)]
    box = re.search(r'<select[^>]*name="agency".*?</select>', html, re.S).group(0)  # a choice of agency records
    assert set(re.findall(r'<option[^>]*value="(\d+)"', box)) == {
        str(a.id) for a in (serang.agency, kab.agency, agency("oss"))
    }  # the NIBs' too
    assert _rows(client.get("/stalls?agency=Dinas+A").get_data(as_text=True)) == _rows(
        client.get("/stalls").get_data(as_text=True)
    )
    assert _rows(client.get("/stalls?kind=at_risk").get_data(as_text=True)) == [str(at_risk.id)]
    assert _rows(client.get("/stalls?type=KKPR&kind=overdue").get_data(as_text=True)) == [str(serang.id), str(kab.id)]
    assert "No flagged permit matches" in client.get("/stalls?type=PBG").get_data(as_text=True)
    for bad in ("kind=nonsense", "region=99.99", "agency=999999", "type=<b>", "page=abc", "page=99999999999"):
        response = client.get(f"/stalls?{bad}")
        assert response.status_code == 200, bad
        assert len(_rows(response.get_data(as_text=True))) == 3, bad
    assert client.get("/stalls?agency=%00").status_code == 400  # the input policy refuses it before any query


def test_the_list_is_paginated(frozen, client, app: Flask, monkeypatch):
    for n in range(3):
        _filed("36.73", date(2026, 1, 5 + n))
    scan_stalled(TODAY)
    db.session.commit()
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    first, second = client.get("/stalls").get_data(as_text=True), client.get("/stalls?page=2").get_data(as_text=True)
    assert len(_rows(first)) == 2 and len(_rows(second)) == 1
    assert "Page 1 of 2" in first


def test_a_region_officer_sees_its_region_only(frozen, login_as):
    serang = _filed("36.73", date(2026, 1, 8))
    kab = _filed("36.04", date(2026, 1, 8))
    scan_stalled(TODAY)
    db.session.commit()
    html = login_as("officer", region="36.73").get("/stalls").get_data(as_text=True)
    assert _rows(html) == [str(serang.id)]
    assert f'data-permit="{kab.id}"' not in html
    assert sorted(_rows(login_as("governor").get("/stalls").get_data(as_text=True))) == sorted(
        [str(serang.id), str(kab.id)]
    )


# --- the figures and the CSV -------------------------------------------------------------------------------


B = "3604-dpmptsp"  # the agency of the decided permit in Kabupaten Serang


def _world():
    agency("3673-dpmptsp").name_en = '=HYPERLINK("x")'  # an administrator's name that a spreadsheet would run
    _filed("36.73", date(2026, 1, 8))
    decided = _filed("36.04", date(2026, 3, 2))
    advance_permit(decided, S.ISSUED, actor="t", on=date(2026, 3, 9))
    db.session.commit()


def test_the_figures_page_groups_by_agency_type_or_kab_kota(frozen, client):
    _world()
    html = client.get("/stalls/agencies").get_data(as_text=True)
    assert 'id="agency-stats"' in html and f'data-key="{agency(B).id}"' in html and 'id="stats-total"' in html
    assert f'href="/stalls?agency={agency(B).id}"' in html and agency(B).name_en in html
    by_type = client.get("/stalls/agencies?group=type").get_data(as_text=True)
    assert 'data-key="KKPR"' in by_type and agency(B).name_en not in by_type[by_type.index('id="agency-stats"') :]
    by_region = client.get("/stalls/agencies?group=region").get_data(as_text=True)
    assert 'data-key="36.73"' in by_region and 'data-key="36.04"' in by_region
    for bad in ("group=nonsense", "region=x", "page=-1", "agency=nobody"):
        assert client.get(f"/stalls/agencies?{bad}").status_code == 200, bad


def test_the_csv_holds_the_same_table_with_a_header_and_is_an_attachment(frozen, client):
    _world()
    response = client.get("/stalls/agencies.csv?group=region")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="pantau-stalls-by-region-2026-04-15.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8"))))
    assert rows[0][:3] == ["Kab/kota", "Open with the agency", "Overdue now"]
    assert rows[1] == ["Kota Serang", "1", "1", "0", "", "", "0", "", "0", "0", "0"]
    assert rows[2] == ["Kabupaten Serang", "0", "0", "1", "5", "5", "1", "100.0", "0", "0", "0"]
    assert rows[3][0] == "Total" and len(rows) == 4


def test_the_csv_follows_the_filters_and_quotes_formulas(frozen, client):
    _world()
    rows = list(csv.reader(io.StringIO(client.get("/stalls/agencies.csv").data.decode("utf-8"))))
    assert rows[1][0] == '\'=HYPERLINK("x")'  # never run as a formula by a spreadsheet
    filtered = list(csv.reader(io.StringIO(client.get("/stalls/agencies.csv?region=36.04").data.decode("utf-8"))))
    assert [r[0] for r in filtered] == ["Issuing agency", agency(B).name_en, "Total"]


def test_the_csv_of_a_region_officer_holds_its_region_only(frozen, login_as):
    _world()
    body = login_as("officer", region="36.04").get("/stalls/agencies.csv").data.decode("utf-8")
    assert agency(B).name_en in body and "HYPERLINK" not in body


# --- who may open the pages --------------------------------------------------------------------------------


def test_every_stalls_route_is_for_the_office_and_closed_to_investors(app: Flask, login_as, anon_client):
    permit = _filed("36.73", date(2026, 1, 8))
    db.session.commit()
    rules = [r for r in app.url_map.iter_rules() if app.view_functions[r.endpoint].__module__ == stall_views.__name__]
    assert len(rules) == 6
    investor = login_as("investor", investor=permit.estate.investor)
    governor = login_as("governor")
    for rule in rules:
        assert app.view_functions[rule.endpoint].allowed_roles == frozenset(
            (Role.ADMINISTRATOR, Role.OFFICER, Role.GOVERNOR)
        )
        assert rule.methods - {"HEAD", "OPTIONS"} == {"GET"}
        url = rule.rule.replace("<int:permit_id>", str(permit.id))
        assert investor.get(url).status_code == 403, url
        assert governor.get(url).status_code == 200, url
        response = anon_client.get(url)
        assert response.status_code == 302 and response.location.startswith("/login"), url


def test_the_navigation_links_the_stalled_list_for_the_office_only(client, login_as):
    assert 'href="/stalls"' in client.get("/").get_data(as_text=True)
    investor = login_as("investor", investor=make_estate().investor)
    assert 'href="/stalls"' not in investor.get("/portal").get_data(as_text=True)


# --- the missed-scan warning on the dashboard ----------------------------------------------------------------

LAST = datetime(2026, 4, 14, 0, 30, tzinfo=UTC)  # 07.30 WIB


@pytest.mark.parametrize("role", ["officer", "administrator"])
def test_the_dashboard_warns_when_no_scan_succeeded_within_the_limit(role, login_as):
    _scan_run(LAST)
    db.session.add(JobRun(job="stall-scan", started_at=LAST + timedelta(hours=25), succeeded=False, error="boom"))
    db.session.commit()
    with time_machine.travel(LAST + timedelta(hours=26), tick=False):
        html = login_as(role).get("/").get_data(as_text=True)
        assert 'id="scan-missed"' not in html  # exactly the limit: still in time
    with time_machine.travel(LAST + timedelta(hours=26, seconds=1), tick=False):
        html = login_as(role).get("/").get_data(as_text=True)
        assert 'id="scan-missed"' in html
        assert "The last successful scan finished 14 Apr 2026 07:30 WIB." in html


def test_the_dashboard_warns_when_no_scan_ever_succeeded(client):
    html = client.get("/").get_data(as_text=True)
    assert 'id="scan-missed"' in html and "No scan has ever succeeded." in html


def test_a_recent_scan_clears_the_warning_and_the_governor_is_not_warned(login_as):
    with time_machine.travel(LAST + timedelta(hours=1), tick=False):
        assert 'id="scan-missed"' in login_as("officer").get("/").get_data(as_text=True)
        _scan_run(LAST)
        db.session.commit()
        assert 'id="scan-missed"' not in login_as("officer").get("/").get_data(as_text=True)
    with time_machine.travel(LAST + timedelta(hours=30), tick=False):
        assert 'id="scan-missed"' not in login_as("governor").get("/").get_data(as_text=True)
