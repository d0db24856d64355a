"""The portal's home page shows its estates five at a time (each with its permits' table), in name order."""

from __future__ import annotations

import re

from devtools.factories import make_estate, make_investor
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
