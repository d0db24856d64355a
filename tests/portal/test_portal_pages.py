"""The portal's home page shows its estates five at a time (each with its permits' table), in name order; its rows
escaped and its catalogue read again after a write."""

from __future__ import annotations

import re
from datetime import date

from app.extensions import db
from devtools.factories import make_estate, make_investor, make_permit
from permits.models import PermitStatus, PermitType
from permits.workflow import advance_permit
from portal.views import ESTATES_PER_PAGE


def test_the_home_page_shows_five_estates_a_page_with_a_pager(login_as):
    investor = make_investor(legal_name="PT Banyak Kawasan")
    names = [f"Kawasan {n:02d}" for n in range(ESTATES_PER_PAGE + 2)]
    for name in reversed(names):
        make_estate(investor=investor, name=name)
    client = login_as("investor", investor=investor)
    shown = []
    for page_number in (1, 2):
        page = client.get(f"/portal?page={page_number}").get_data(as_text=True)
        on_page = re.findall(r'<h2 class="h5 mb-0" id="estate-\d+-heading"><a [^>]*>([^<]+)</a>', page)
        assert len(on_page) == (ESTATES_PER_PAGE if page_number == 1 else 2)
        assert 'class="pagination' in page
        shown += on_page
    assert shown == names


def test_with_several_pages_the_moves_box_says_it_counts_this_page_only(login_as):
    """The box of the investor's moves counts the estates of the page shown: with one page it speaks of everything,
    with more it says "on this page" (another page may hold other moves)."""
    investor = make_investor(legal_name="PT Dua Halaman")
    make_estate(investor=investor, name="Kawasan Satu")  # no permit filed yet: filing the first is the investor's
    client = login_as("investor", investor=investor)
    heading = re.compile(r'id="todo-heading">.*?</i>\s*(.*?)</h2>', re.S)
    page = client.get("/portal").get_data(as_text=True)
    assert re.fullmatch(r"\d+ permits? (is|are) waiting for you", heading.search(page).group(1).strip())
    for n in range(ESTATES_PER_PAGE):
        make_estate(investor=investor, name=f"Kawasan Lain {n}")
    page = client.get("/portal").get_data(as_text=True)
    assert re.fullmatch(r"\d+ permits? on this page (is|are) waiting for you", heading.search(page).group(1).strip())
    client.get("/language/id")
    page = client.get("/portal").get_data(as_text=True)
    assert re.fullmatch(r"\d+ izin di halaman ini menunggu tindakan Anda", heading.search(page).group(1).strip())


def test_the_catalogue_kept_for_the_lines_is_read_again_after_a_write(login_as):
    """``permits.catalogue`` keeps the catalogue until the next committed write (issue 13): a type added (or
    renamed) shows on the very next page."""
    investor = make_investor()
    make_estate(investor=investor, name="Kawasan Katalog")
    db.session.commit()
    client = login_as("investor", investor=investor)
    assert "UJIBARU" not in client.get("/portal").text
    db.session.add(
        PermitType(code="UJIBARU", name_id="Izin uji", name_en="Test permit", issuing_authority="X", sequence=99)
    )
    db.session.commit()
    page = client.get("/portal").text
    assert 'data-type="UJIBARU"' in page and "Test permit" in page


def test_the_rows_escape_every_text(login_as):
    """The rows written by ``portal.rows`` escape the estate's agency note quoted in the next step."""
    investor = make_investor()
    estate = make_estate(investor=investor, name="Kawasan Aman")
    for code in ("NIB", "KKPR", "PERTEK"):
        make_permit(
            code, estate=estate, status=PermitStatus.ISSUED, submitted_on=date(2025, 6, 2), decided_on=date(2025, 7, 1)
        )
    permit = make_permit("AMDAL", estate=estate)
    advance_permit(permit, PermitStatus.SUBMITTED, actor="Petugas", on=date(2026, 1, 5), today=date(2026, 1, 5))
    advance_permit(permit, PermitStatus.UNDER_REVIEW, actor="Petugas", on=date(2026, 2, 2), today=date(2026, 2, 2))
    note = "Lengkapi <script>alert(1)</script> & peta"
    advance_permit(
        permit, PermitStatus.REVISION, actor="Petugas", note=note, on=date(2026, 2, 2), today=date(2026, 2, 2)
    )
    db.session.commit()
    page = login_as("investor", investor=investor).get("/portal").text
    assert "<script>alert(1)" not in page
    assert "Lengkapi &lt;script&gt;alert(1)&lt;/script&gt; &amp; peta" in page
    assert f'href="/portal/permits/{permit.id}#answer"' in page  # the "send the revision" button
