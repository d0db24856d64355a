"""An officer browses the register: dashboard, the reference investor's estate, its zones and permits.

Written against the markup contract: ``#stopped-estates`` on the dashboard (the reference estate is under a stop
order; its name links to the estate),
``#zones`` and ``#permits`` tables on the estate page, one ``tbody tr`` per zone and per permit, and the
language links of base.html. Labels are checked in English, where the msgids are the text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

INVESTOR = "PT Jaya Dinasti Indonesia"
ESTATE = "Kawasan Industri Sawah Luhur"
ZONE_KINDS = ("Industrial", "Housing", "Commercial", "Leisure")
# Permit type code -> the English status word its row must show (DOMAIN.md section 8).
PERMITS = {"NIB": "Issued", "KKPR": "Issued", "AMDAL": "Under review"}


def switch_language(page: Page, lang: str) -> None:
    """Click the navbar language link and wait until the page comes back in that language."""
    page.locator(f"a.lang-link[lang='{lang}']").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def test_officer_opens_the_reference_estate_and_sees_its_zones_and_permits(officer_page: Page) -> None:
    page = officer_page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "id")  # Indonesian by default
    row = page.locator("#stopped-estates tbody tr").filter(has_text=INVESTOR)
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name=INVESTOR, exact=True)).to_be_visible()

    switch_language(page, "en")
    expect(page).to_have_url(re.compile(r"/$"))  # the switch comes back to the page it was clicked on
    page.locator("#stopped-estates tbody tr").filter(has_text=INVESTOR).get_by_role(
        "link", name=ESTATE, exact=True
    ).click()

    expect(page).to_have_url(re.compile(r"/estates/\d+$"))
    estate_url = page.url
    expect(page.locator("h1")).to_contain_text(ESTATE)

    zones = page.locator("#zones tbody tr")
    expect(zones).to_have_count(4)
    for kind in ZONE_KINDS:
        expect(zones.get_by_text(kind, exact=True), f"one {kind} zone").to_have_count(1)

    permits = page.locator("#permits tbody tr")
    for code, status in PERMITS.items():
        permit_row = permits.filter(has=page.get_by_role("link", name=code, exact=True))
        expect(permit_row, f"one {code} row").to_have_count(1)
        expect(permit_row).to_contain_text(status)

    switch_language(page, "id")
    assert page.url == estate_url  # back on the same estate, now in Indonesian
    expect(page.locator("#zones tbody tr")).to_have_count(4)
    expect(
        page.locator("#permits tbody tr").filter(has=page.get_by_role("link", name="AMDAL", exact=True))
    ).to_have_count(1)


def test_switching_language_translates_the_dashboard_heading(officer_page: Page, live_app: Flask) -> None:
    page = officer_page
    catalogue = Path(live_app.root_path) / "translations" / "id" / "LC_MESSAGES" / "messages.mo"
    if not catalogue.exists():
        message = (
            "no compiled Indonesian catalogue (app/translations/id/LC_MESSAGES/messages.mo): run `make translations`"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    page.goto("/")
    heading = page.locator("main h1").first
    indonesian = heading.inner_text()

    switch_language(page, "en")
    expect(heading).not_to_have_text(indonesian)
    english = heading.inner_text()

    switch_language(page, "id")
    expect(heading).to_have_text(indonesian)
    assert english != indonesian
