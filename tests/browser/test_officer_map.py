"""The officer opens the map of the estates from the navigation, sees a point for each estate with coordinates
(Leaflet served by the app, no tiles configured: a plain background), follows a point to its estate, and sorts
the estates list by a column header. The map page passes axe-core at 1280 and 390 px without sideways scroll."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from estates.models import Estate
from tests.browser.conftest import sign_in


@pytest.fixture(scope="module")
def placed(live_app: Flask) -> list[str]:
    """The names of the demo estates with a point (every one: the demo seeds them), the first by name given
    markup in its name for the test; put back afterwards."""
    with live_app.app_context():
        estates = db.session.scalars(select(Estate).where(Estate.latitude.is_not(None)).order_by(Estate.name)).all()
        first_id, before = estates[0].id, estates[0].name
        estates[0].name += " <i>miring</i>"  # markup in a name is shown as text, never read as HTML
        names = [e.name for e in estates]
        db.session.commit()
        db.session.remove()
    yield names
    with live_app.app_context():
        db.session.get(Estate, first_id).name = before
        db.session.commit()
        db.session.remove()


def test_the_officer_follows_a_point_of_the_map_to_its_estate(placed: list[str], page: Page) -> None:
    sign_in(page, "petugas@pantau.test")
    page.goto("/estates")
    page.locator("#nav-map").click()
    expect(page).to_have_url(re.compile(r"/estates/map$"))
    expect(page.locator("#estate-map.leaflet-container")).to_have_count(1)  # Leaflet drew the map
    expect(page.locator("#estate-map.estate-map-plain")).to_have_count(1)  # no tiles configured
    expect(page.locator("#estate-map img.leaflet-tile")).to_have_count(0)
    expect(page.locator("#estate-map-list li")).to_have_count(len(placed))
    points = page.locator("#estate-map path.leaflet-interactive")
    expect(points).to_have_count(len(placed))
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Perbesar")

    first = page.locator("#estate-map-list li").first
    name, url = first.get_attribute("data-name"), first.get_attribute("data-url")
    assert name == placed[0] and name.endswith("<i>miring</i>")
    box = page.locator("#estate-map").bounding_box()
    for index in range(points.count()):  # the point of that estate: its tooltip names it
        points.nth(index).hover()
        if page.locator(".leaflet-tooltip").filter(has_text=name).count():
            expect(page.locator(".leaflet-tooltip i")).to_have_count(0)
            points.nth(index).click()
            break
    else:
        pytest.fail(f"no point of the map names {name} (map at {box})")
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))
    expect(page.locator("h1")).to_contain_text(name)


def test_the_estates_list_sorts_by_a_column_header(page: Page) -> None:
    sign_in(page, "petugas@pantau.test")
    page.goto("/estates")
    header = page.locator("#estates thead th").filter(has_text="Luas")
    header.locator("a.sort-link").click()
    expect(page).to_have_url(re.compile(r"sort=area"))
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.locator("a.sort-link").click()
    expect(page).to_have_url(re.compile(r"sort=-area"))
    expect(header).to_have_attribute("aria-sort", "descending")


@pytest.mark.parametrize(
    ("width", "email"), [(1280, "admin@pantau.test"), (992, "admin@pantau.test"), (390, "petugas@pantau.test")]
)
def test_the_map_page_passes_axe_and_fits_a_phone(placed: list[str], page: Page, width: int, email: str) -> None:
    """The new pages pass axe and fit the window; the office's menu (the administrator's is the longest) stays on
    one line from 992 px."""
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, email)
    for lang in ("en", "id") if width >= 992 else ():  # English labels are a little longer
        page.locator(f"a.lang-link[lang='{lang}']").click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        tops = page.locator("#mainnav .nav-link").evaluate_all(
            "links => links.map(a => Math.round(a.getBoundingClientRect().top))"
        )
        assert max(tops) - min(tops) <= 4, (lang, tops)  # one line
        document_width, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert document_width <= window_width, f"the menu ({lang}): {document_width} px in a {window_width} px window"
    for path in ("/estates/map", "/estates?sort=-investment", "/stalls/agencies?sort=-running"):
        page.goto(path)
        found = [
            f"{path}: {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes'][:3]]}"
            for v in Axe().run(page).response["violations"]
        ]
        assert not found, "\n".join(found)
        document_width, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert document_width <= window_width, f"{path}: {document_width} px in a {window_width} px window"
