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
