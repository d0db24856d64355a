"""An officer imports LKPM reports: a file with one bad row is refused with the row's report and nothing changes;
the corrected file is imported; the reports then show in the list. Written against ``#import-errors``,
``#rows-checked``, ``#import-batch`` and ``#lkpm-entries``."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

HEADER = "nib,periode,investasi_rp,tki,tka,status,dilaporkan_pada,kawasan"
NIB = "9900000000001"  # PT Cahaya Logam Nusantara, fictional, files quarterly
WHOLE_COMPANY = "Seluruh perusahaan"  # the company-wide reports (the demo holds only its estate's)


def _file(tki_of_the_second_row: str) -> dict:
    rows = [
        f"{NIB},2026-Q1,1.500.000.000,120,2,Terkirim,2026-04-10,",
        f"{NIB},2026-Q2,2.000.000.000,{tki_of_the_second_row},2,Terkirim,2026-07-10,",
        f"{NIB},2026-Q3,2.500.000.000,140,2,Disetujui,2026-10-12,",
    ]
    body = "\n".join([HEADER, *rows]) + "\n"
    return {"name": "lkpm-cahaya.csv", "mimeType": "text/csv", "buffer": body.encode()}


def test_officer_fixes_a_refused_file_and_imports_it(officer_page: Page) -> None:
    page = officer_page
    page.goto("/realisation/lkpm")
    page.locator("#import-link").click()
    expect(page).to_have_url(re.compile(r"/realisation/lkpm/import$"))

    page.locator("input[name=file]").set_input_files(_file("seratus"))
    page.locator("#import-form [type=submit]").click()
    expect(page.locator("#import-refused")).to_be_visible()
    expect(page.locator("#rows-checked")).to_contain_text("3")
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("3")  # the sheet's row 3: the second report
    expect(errors.first).to_contain_text("tki")
    page.goto("/realisation/lkpm?q=" + NIB)
    company_wide = page.locator("#lkpm-entries tbody tr").filter(has_text=WHOLE_COMPANY)
    expect(company_wide).to_have_count(0)  # nothing of the refused file was written

    page.goto("/realisation/lkpm/import")
    page.locator("input[name=file]").set_input_files(_file("130"))
    page.locator("#import-form [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/realisation/imports/\d+$"))
    expect(page.locator("#batch-created")).to_have_text("3")

    page.goto("/realisation/lkpm?q=" + NIB)
    company_wide = page.locator("#lkpm-entries tbody tr").filter(has_text=WHOLE_COMPANY)
    expect(company_wide).to_have_count(3)
    expect(company_wide.filter(has_text="2026-Q2")).to_contain_text("130")
