"""An officer returns an AMDAL for revision with a note, the investor's revision comes back, and the
deadline clock stops and resumes on the permit's page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

ESTATE = "Kawasan Industri Kimia Anyer"  # its AMDAL is under review and on track in the demo
NOTE = "Peta rencana tapak belum sesuai dengan KKPR; mohon diperbaiki."


def record_move(page: Page, target: str, note: str = "") -> None:
    form = page.locator("#move-form")
    form.locator("select[name=target]").select_option(target)
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.locator("[type=submit]").click()


def test_officer_returns_the_amdal_and_sees_the_clock_stop_and_resume(officer_page: Page) -> None:
    page = officer_page
    page.goto("/permits?type=AMDAL")
    row = page.locator("#permit-list tbody tr").filter(has_text=ESTATE)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="AMDAL", exact=True).click()
    expect(page).to_have_url(re.compile(r"/permits/\d+$"))
    expect(page.locator("#clock")).to_have_class(re.compile(r"clock-on_track"))
    used = page.locator("#days-used").inner_text().split()[0]

    record_move(page, "returned")  # without the note the law asks for
    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.locator("#clock")).to_have_class(re.compile(r"clock-on_track"))  # nothing changed

    record_move(page, "returned", NOTE)
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#clock")).to_have_class(re.compile(r"clock-stopped"))
    expect(page.locator("#investor-clock")).to_be_visible()
    expect(page.locator("#whose-move")).to_contain_text("PT Anyer Kimia Lestari")
    expect(page.locator("#timeline li").first).to_contain_text(NOTE)
    assert page.locator("#days-used").inner_text().split()[0] == used  # frozen while the investor revises

    record_move(page, "submitted")  # the revision is filed: the agency's clock resumes
    expect(page.locator("#clock")).to_have_class(re.compile(r"clock-(on_track|at_risk)"))
    expect(page.locator("#investor-clock")).to_have_count(0)
    expect(page.locator("#whose-move")).to_contain_text("Kementerian Lingkungan Hidup")
    expect(page.locator("#clock-stops")).to_have_attribute("data-count", "1")
    expect(page.locator("#timeline li")).to_have_count(5)  # created, filed, reviewed, returned, resubmitted
