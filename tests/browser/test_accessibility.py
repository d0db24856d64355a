"""Accessibility (WCAG 2.1 AA) and phones, on the main pages of every persona (tests/browser/walk.py).

axe-core (bundled by axe-playwright-python, nothing downloaded) runs on every page at 1280 px and 390 px and
must find nothing; ids are unique; at 390 x 844 no page is wider than the window (tables scroll inside their
own box). By keyboard: a skip link comes first, the focus ring is visible, and after a refused submit the
focus lands on the error summary with the invalid fields marked ``aria-invalid``.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect

from app.scheduler import run_job
from tests.browser.conftest import sign_in
from tests.browser.walk import PERSONAS, persona_pages

AXE = Axe()
DUPLICATE_IDS = """() => {
  const seen = {};
  document.querySelectorAll("[id]").forEach((element) => { seen[element.id] = (seen[element.id] || 0) + 1; });
  return Object.keys(seen).filter((id) => seen[id] > 1);
}"""


@pytest.fixture(scope="module", autouse=True)
def scanned(live_app: Flask) -> None:
    """Run the morning scan first, so that the stalled list and its evidence pages have rows to show."""
    run = run_job(live_app, "stall-scan")
    assert run.succeeded, run.error


def violations(page: Page) -> list[str]:
    found = []
    for violation in AXE.run(page).response["violations"]:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        found.append(f"{page.url}: {violation['id']} ({violation['impact']}) at {targets}")
    found.extend(f"{page.url}: id {name!r} appears more than once" for name in page.evaluate(DUPLICATE_IDS))
    return found


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_axe_finds_no_violation_on_the_main_pages(page: Page, persona: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    found: list[str] = []
    for _path in persona_pages(page, persona):
        found.extend(violations(page))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_no_page_scrolls_sideways_on_a_phone(page: Page, persona: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    too_wide = []
    for path in persona_pages(page, persona):
        document_width, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if document_width > window_width:
            too_wide.append(f"{path}: {document_width} px in a {window_width} px window")
    assert not too_wide, "\n".join(too_wide)


def test_the_skip_link_comes_first_and_the_focus_ring_shows(page: Page) -> None:
    sign_in(page, "petugas@pantau.test")
    page.goto("/permits")
    page.keyboard.press("Tab")
    skip = page.locator("#skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    page.keyboard.press("Tab")  # into the page: something inside main, with a ring 3 px wide
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline == ["solid", "3px"], outline
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
    nav_link = page.locator("#mainnav a.nav-link").first
    # axe cannot read the navbar's gradient: its links are near-white, 7:1 on the lighter green (#0b5d4b)
    assert nav_link.evaluate("link => getComputedStyle(link).color") == "rgb(241, 247, 245)"
    nav_link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focused by keyboard: :focus-visible applies
    color = nav_link.evaluate("link => getComputedStyle(link).outlineColor")
    assert color == "rgb(255, 215, 94)", color  # gold on the green navbar


def test_a_refused_form_takes_the_focus_to_its_error_summary(page: Page) -> None:
    sign_in(page, "petugas@pantau.test")
    page.goto("/investors/new")
    page.locator("main form [type=submit]").first.click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    invalid = page.locator("main .is-invalid")
    assert invalid.count() >= 1
    for index in range(invalid.count()):
        expect(invalid.nth(index)).to_have_attribute("aria-invalid", "true")
    assert not violations(page)


def test_the_evidence_page_prints_from_its_button(page: Page) -> None:
    sign_in(page, "petugas@pantau.test")
    page.goto("/stalls")
    page.locator("a.evidence-link").first.click()
    button = page.locator("#evidence-print")
    expect(button).to_be_visible()
    assert button.get_attribute("onclick") is None  # wired by app/static/js/pantau.js (the CSP forbids inline)
    page.evaluate("window.print = () => { window.printed = true; }")
    button.click()
    assert page.evaluate("window.printed === true")
    page.emulate_media(media="print")
    expect(button).to_be_hidden()  # the print stylesheet leaves the buttons and the navigation off paper
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("#fingerprint")).to_be_visible()
