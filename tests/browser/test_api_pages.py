"""The pages of issue 15 in Chromium: the API tokens page (a token made and shown once) and the OSS import page
pass axe-core at 1280 px and 390 px without sideways scrolling; so does the API documentation page, which renders
Swagger UI from the app's own files under the CSP (no inline script)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import violations


@pytest.mark.parametrize("width", [1280, 390])
def test_the_token_and_import_pages_pass_axe_and_fit_a_phone(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, "petugas@pantau.test")
    found: list[str] = []
    page.goto("/account/tokens")
    page.locator("input[name=name]").fill(f"Sistem uji {width}")
    page.locator("#token-form [type=submit]").click()
    expect(page.locator("#new-token code")).to_contain_text("pantau_")
    for path in (None, "/permits/import"):
        if path:
            page.goto(path)
        found.extend(violations(page))
        document_width, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if document_width > window_width:
            found.append(f"{page.url}: {document_width} px in a {window_width} px window")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_documentation_page_renders_swagger_ui_and_passes_axe(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    page.goto("/api/v1/docs")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    assert page.locator("#swagger-ui .opblock").count() >= 23
    page.locator(".opblock-summary-control").first.click()  # an operation open: its parameters and responses
    expect(page.locator(".opblock-body").first).to_be_visible()
    found = violations(page)
    document_width, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if document_width > window_width:
        found.append(f"{page.url}: {document_width} px in a {window_width} px window")
    assert not found, "\n".join(found)
