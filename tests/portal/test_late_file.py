"""A file with the agency past its statutory deadline: the portal says which agency holds it, since when, how many
working days late, whom to ask (DPMPTSP Banten, settings an administrator edits) and where to complain
(SP4N-LAPOR!), as text and a plain link; a file on time says none of it, and another investor sees nothing."""

from __future__ import annotations

import re
from datetime import date

import time_machine

from app.extensions import db
from app.models import Setting
from devtools.factories import make_investor
from permits.workflow import permit_clock
from tests.portal.test_portal import NOW, TODAY, estate_with_amdal, row, text_of

LATE_FILED = date(2025, 9, 1)


def late_amdal(investor, name: str = "Kawasan Terlambat"):
    _estate, amdal = estate_with_amdal(investor, name, filed_on=LATE_FILED)
    db.session.commit()
    return amdal


def next_step(page: str) -> str:
    return text_of(re.search(r'<section[^>]*id="now".*?</section>', page, re.S).group(0))


@time_machine.travel(NOW, tick=False)
def test_a_late_file_says_who_holds_it_since_when_how_late_whom_to_ask_and_where_to_complain(login_as):
    investor = make_investor()
    amdal = late_amdal(investor)
    late = permit_clock(amdal, TODAY).days_overdue
    assert late > 0
    portal = login_as("investor", investor=investor)
    portal.get("/language/id")
    agency = amdal.agency.name_id

    page = portal.get(f"/portal/permits/{amdal.id}").get_data(as_text=True)
    now = next_step(page)
    assert f"Terlambat: berkas Anda ada di {agency} sejak 1 Sep 2025 dan sudah terlambat {late} hari kerja." in now
    assert "Tanyakan kepada DPMPTSP Banten mengapa berkas Anda terlambat:" in now
    assert "telepon (0254) 000 0000" in now and "dpmptsp@bantenprov.go.id" in now and "Kota Serang" in now
    assert "Jika tidak ada jawaban, sampaikan pengaduan melalui SP4N-LAPOR!: https://www.lapor.go.id" in now
    assert "atau SMS ke 1708" in now
    assert '<a href="https://www.lapor.go.id" rel="noopener noreferrer">' in page
    assert '<a href="mailto:dpmptsp@bantenprov.go.id">' in page
    assert "Tidak ada yang perlu Anda lakukan" not in now
    assert not re.search(r'(src|href)="https?://(?!www\.lapor\.go\.id")[^"]*"[^>]*(rel="stylesheet"|/>)', page)
    assert '<script src="http' not in page and '<img src="http' not in page  # nothing loaded from outside

    who, text = row(portal.get("/portal").get_data(as_text=True), f"permits-{amdal.estate_id}", "AMDAL")
    assert who == "agency" and f"sejak 1 Sep 2025 dan sudah terlambat {late} hari kerja" in text
    assert "SP4N-LAPOR!" in text and "1708" in text and "dpmptsp@bantenprov.go.id" in text
    estate = portal.get(f"/portal/estates/{amdal.estate_id}").get_data(as_text=True)
    assert "SP4N-LAPOR!" in row(estate, "permits", "AMDAL")[1] or "SP4N-LAPOR!" in estate


@time_machine.travel(NOW, tick=False)
def test_the_contact_is_the_administrators_settings(login_as):
    investor = make_investor()
    amdal = late_amdal(investor)
    db.session.get(Setting, "help.dpmptsp_phone").value = "(0254) 123 4567"
    db.session.get(Setting, "help.dpmptsp_email").value = "layanan@contoh.go.id"
    db.session.commit()
    page = login_as("investor", investor=investor).get(f"/portal/permits/{amdal.id}").get_data(as_text=True)
    now = next_step(page)
    assert "(0254) 123 4567" in now and "layanan@contoh.go.id" in now
    assert "(0254) 000 0000" not in now and "dpmptsp@bantenprov.go.id" not in now
    assert "Ask DPMPTSP Banten why the file is late:" in now  # English after the English default
    assert "If you get no answer, file a complaint with SP4N-LAPOR!:" in now and "or by SMS to 1708" in now


@time_machine.travel(NOW, tick=False)
def test_a_file_on_time_says_nothing_of_complaints(login_as):
    investor = make_investor()
    _estate, amdal = estate_with_amdal(investor, "Kawasan Tepat Waktu", filed_on=date(2026, 2, 2))
    db.session.commit()
    assert permit_clock(amdal, TODAY).agency_days_left >= 0
    portal = login_as("investor", investor=investor)
    portal.get("/language/id")
    for url in (f"/portal/permits/{amdal.id}", "/portal", f"/portal/estates/{amdal.estate_id}"):
        page = portal.get(url).get_data(as_text=True)
        assert "SP4N-LAPOR!" not in page and "lapor.go.id" not in page and "late-help" not in page, url
        assert "Tanyakan kepada DPMPTSP Banten" not in page, url
    assert "Tidak ada yang perlu Anda lakukan" in portal.get(f"/portal/permits/{amdal.id}").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_another_investor_sees_nothing_of_a_late_file(login_as):
    owner = make_investor(legal_name="PT Pemilik Berkas")
    amdal = late_amdal(owner, "Kawasan Pemilik")
    stranger = login_as("investor", investor=make_investor(legal_name="PT Orang Lain"))
    assert stranger.get(f"/portal/permits/{amdal.id}").status_code == 404
    assert stranger.get(f"/portal/estates/{amdal.estate_id}").status_code == 404
    home = stranger.get("/portal").get_data(as_text=True)
    assert "Kawasan Pemilik" not in home and "SP4N-LAPOR!" not in home


@time_machine.travel(NOW, tick=False)
def test_a_complaint_address_that_is_not_a_web_address_is_shown_as_text_only(login_as):
    investor = make_investor()
    amdal = late_amdal(investor)
    db.session.get(Setting, "help.complaint_url").value = "javascript:alert(1)"
    db.session.commit()
    page = login_as("investor", investor=investor).get(f"/portal/permits/{amdal.id}").get_data(as_text=True)
    assert "javascript:alert(1)" in next_step(page) and 'href="javascript:' not in page
