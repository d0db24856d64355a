"""The portal's parts kept until the next committed write (issue 13: ``app.fragments``): the number of the
investor's estates (the pager), its LKPM card and the help desk's contact. A write shows on the very next page."""

from __future__ import annotations

from datetime import datetime

import time_machine
from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models import Setting
from devtools.factories import agency, make_estate, make_investor, make_lkpm_entry
from permits.workflow import WIB
from tests.portal.test_late_file import late_amdal
from tests.portal.test_portal import NOW as LATE_NOW

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=WIB)


@time_machine.travel(NOW, tick=False)
def test_a_sixth_estate_adds_a_page(login_as):
    investor = make_investor()
    for n in range(5):
        make_estate(investor=investor, name=f"Kawasan Halaman {n}")
    db.session.commit()
    client = login_as("investor", investor=investor)
    assert "page=2" not in client.get("/portal").text
    make_estate(investor=investor, name="Kawasan Halaman 9")
    db.session.commit()
    assert "page=2" in client.get("/portal").text
    assert "Kawasan Halaman 9" in client.get("/portal?page=2").text


@time_machine.travel(NOW, tick=False)
def test_a_report_received_leaves_the_overdue_list(login_as):
    investor = make_investor(nib="9120000000777")
    estate = make_estate(investor=investor, name="Kawasan Laporan")
    db.session.get(Setting, "lkpm.first_period").value = "2026-Q2"
    db.session.commit()
    client = login_as("investor", investor=investor)
    before = client.get("/portal").text
    assert 'id="lkpm-overdue"' in before and "2026-Q2" in before
    make_lkpm_entry(estate, period="2026-Q2")
    db.session.commit()
    after = client.get("/portal").text
    assert "2026-Q2 (due" not in after and "2026-Q3 (due" in after


@time_machine.travel(LATE_NOW, tick=False)
def test_an_edited_help_desk_shows_on_the_next_page(login_as):
    investor = make_investor()
    late_amdal(investor)
    client = login_as("investor", investor=investor)
    assert "(0254) 000 0000" in client.get("/portal").text
    db.session.get(Setting, "help.dpmptsp_phone").value = "(0254) 765 4321"
    db.session.commit()
    for name in ("help_desk", "portal_cells"):  # the test's app context serves every request: ``g`` outlives one
        g.pop(name, None)
    page = client.get("/portal").text
    assert "(0254) 765 4321" in page and "(0254) 000 0000" not in page


def test_the_kept_agencies_resolve_as_the_records(app):
    """``portal.agencies`` resolves every type, capital status and kab/kota as ``AgencyResolver`` does."""
    from app.models import Region
    from estates.models import CapitalStatus
    from permits.agencies.services import AgencyResolver
    from permits.models import PermitType
    from portal.agencies import agency_book

    with app.test_request_context():
        book, resolver = agency_book(), AgencyResolver()
        regions = db.session.scalars(select(Region.id)).all()
        for type_id in db.session.scalars(select(PermitType.id)):
            for status in CapitalStatus:
                for region_id in regions:
                    record = resolver.resolve(type_id, status, region_id)
                    card = book.resolve(type_id, status, region_id)
                    assert (card and card.id) == (record and record.id)
                    assert card is None or (card.name("en"), card.has_contact) == (
                        record.name("en"),
                        record.has_contact,
                    )


@time_machine.travel(LATE_NOW, tick=False)
def test_an_agencys_new_contact_shows_on_the_next_page(login_as):
    investor = make_investor()
    make_estate(investor=investor, name="Kawasan Kontak")  # nothing filed: each line says where to file
    db.session.commit()
    client = login_as("investor", investor=investor)
    assert "0800 123 456" not in client.get("/portal").text
    agency("oss").phone = "0800 123 456"
    db.session.commit()
    for name in ("help_desk", "portal_cells"):
        g.pop(name, None)
    assert "0800 123 456" in client.get("/portal").text
