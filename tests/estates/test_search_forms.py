"""The estates search read two ways (issue 13): a search of few matches as one set (``UNION``), a broad one as two
conditions; the probe that chooses, the totals and the page are the same either way."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from app import fragments
from app.extensions import db
from app.security import SYSTEM_SCOPE
from devtools.factories import make_estate, make_investor, region
from estates import lists


@pytest.fixture
def estates():
    jaya = make_investor(legal_name="PT Jaya Dinasti")
    zeta = make_investor(legal_name="PT Zeta Jaya")
    make_estate(name="Kawasan Jaya Barat", investor=zeta, area_ha=Decimal(300), planned_investment_rp=Decimal(7))
    make_estate(name="Kawasan Timur", investor=jaya, region=region("36.01"), area_ha=Decimal(150))
    make_estate(name="Kawasan Selatan", investor=jaya, planned_investment_rp=Decimal(900))
    make_estate(name="Kawasan Utara", investor=zeta)
    make_estate(name="Kawasan Lain", investor=make_investor(legal_name="CV Lain"))
    db.session.commit()


# The rows the probe finds: an estate found by its name and by its investor's counts twice (an upper bound).
@pytest.mark.parametrize(("q", "matches"), [("jaya", 5), ("dinasti", 2), ("barat", 1), ("lain", 2), ("tidak", 0)])
def test_the_probe_counts_the_matches_by_name_and_by_investor(estates, monkeypatch, q, matches):
    monkeypatch.setattr(lists, "FEW_MATCHES", matches)
    assert lists._few_matches(q)
    monkeypatch.setattr(lists, "FEW_MATCHES", matches - 1)
    assert not lists._few_matches(q) or matches == 0
    assert not lists._few_matches("") and not lists._few_matches(None)


@pytest.mark.parametrize("q", ["jaya", "dinasti", "kawasan", "tidak"])
@pytest.mark.parametrize("args", [{}, {"sort": "-area"}, {"sort": "investor"}])
def test_the_totals_and_the_page_are_the_same_read_either_way(estates, monkeypatch, q, args):
    read = []
    for few in (0, 100):  # every search broad, then every search few
        monkeypatch.setattr(lists, "FEW_MATCHES", few)
        totals = lists.estate_totals(q, scope=SYSTEM_SCOPE)
        ids = db.session.scalars(lists.estate_page_ids(q, scope=SYSTEM_SCOPE, few=totals.count <= few, **args))
        read.append((totals, ids.all()))
    assert read[0] == read[1]
    assert read[0][0].count == len(read[0][1])


def test_the_search_page_reads_the_same_either_way(estates, client, monkeypatch):
    pages = []
    for few in (0, 100):
        monkeypatch.setattr(lists, "FEW_MATCHES", few)
        fragments.clear()
        html = client.get("/estates?q=jaya&sort=-name").get_data(as_text=True)
        pages.append(re.sub(r'name="csrf_token"[^>]*>', "", html))
    assert pages[0] == pages[1]
    assert pages[0].count("Kawasan ") >= 4


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_kept_filter_bar_reads_as_the_macro_for_each_search(estates, app, login_as, lang):
    """The bar is kept per choice of filters with the search put in its box: each search reads (escaped) as the
    macro writes it."""
    from flask import get_template_attribute, session
    from flask_babel import refresh
    from flask_login import login_user

    from app.security import scope_of
    from estates import forms, queries
    from estates.models import EstateStatus

    client = login_as("officer")
    client.get(f"/language/{lang}")
    bar = re.compile(r'<form class="card card-body mb-3 filter-bar".*?</form>', re.S)
    for args in ["q=jaya", "q=a\"b<c>%26'", "q=jaya&status=operating", "", "status=stopped&sort=-area"]:
        for _ in range(2):  # computed, then kept
            page = client.get(f"/estates?{args}").get_data(as_text=True)
        with app.test_request_context(f"/estates?{args}"):
            session["lang"] = lang
            refresh()
            login_user(client.user)
            scope = scope_of(client.user)
            filters = forms.estate_filters(__import__("flask").request.args)
            macro = get_template_attribute("estates/_parts.html", "estate_filter_bar")
            expected = str(macro("/estates", filters, queries.region_choices(scope), list(EstateStatus), None))
        assert bar.search(page).group(0) == bar.search(expected).group(0), args
    refused = client.get("/estates?q=x%1fq%1f")  # the bar's stand-in for the search cannot be typed
    assert 400 <= refused.status_code < 500
