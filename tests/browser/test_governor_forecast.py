"""The governor's office opens the job forecast, filters it to Kota Serang, reads which permits hold jobs back and
downloads the workbook."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask import Flask
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from app.scheduler import run_job
from tests.browser.conftest import sign_in


def test_the_governors_office_reads_the_forecast_of_kota_serang_and_downloads_it(live_app: Flask, page: Page) -> None:
    run = run_job(live_app, "forecast-refresh")  # the nightly job, as the scheduler would run it
    assert run.succeeded, run.error
    sign_in(page, "gubernur@pantau.test")
    page.locator("#nav-forecast").click()
    expect(page).to_have_url(re.compile(r"/forecast$"))
    expect(page.locator("#forecast-chart svg")).to_have_count(1)
    expect(page.locator("#computed-at")).to_be_visible()

    page.locator("#f-region").select_option(label="Kota Serang")
    page.locator("#forecast-filters [type=submit]").click()
    expect(page).to_have_url(re.compile(r"region=\d+"))
    zones = page.locator("#zones-table tbody tr")
    expect(zones.first).to_contain_text("Kota Serang")
    for text in zones.all_inner_texts():
        assert "Kota Serang" in text
    expect(page.locator("#zones-table")).to_contain_text("Kawasan Industri Sawah Luhur")

    held = page.locator("#held-table tbody tr.held-row").filter(has_text="AMDAL")
    expect(held).to_have_count(1)
    held.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/permits/\d+$"))
    expect(page.locator("body")).to_contain_text("AMDAL")
    page.go_back()

    with page.expect_download() as info:
        page.locator("#download-xlsx").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()), read_only=True)
    assert book.sheetnames == ["forecast", "held_back", "skills", "assumptions"]
    rows = list(book["forecast"].iter_rows(values_only=True))
    assert rows[0][:3] == ("quarter", "kab_kota", "investor")
    assert {row[1] for row in rows[1:]} == {"Kota Serang"}
