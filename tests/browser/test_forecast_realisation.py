"""The governor's office reads the layoffs beside the jobs coming on /forecast and follows the link to the forecast
against realisation; both pages pass axe-core (WCAG 2.1 AA) at 1280 px and 390 px without sideways scroll. An
officer opens the evidence of a missing LKPM report from the missing-reports list."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect

from app.scheduler import run_job
from tests.browser.conftest import sign_in

AXE = Axe()


def _checked(page: Page) -> list[str]:
    found = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        for violation in AXE.run(page).response["violations"]:
            found.append(f"{page.url} at {width} px: {violation['id']} ({violation['impact']})")
        document_width, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if document_width > window_width:
            found.append(f"{page.url}: {document_width} px in a {window_width} px window")
    page.set_viewport_size({"width": 1280, "height": 844})
    return found


def test_layoffs_beside_the_jobs_and_the_forecast_against_realisation(live_app: Flask, page: Page) -> None:
    for job in ("forecast-refresh", "lkpm-scan"):
        run = run_job(live_app, job)
        assert run.succeeded, run.error
    sign_in(page, "gubernur@pantau.test")
    page.goto("/forecast")
    expect(page.locator("#layoffs-table")).to_be_visible()
    expect(page.locator("#low-case-in-force")).to_be_visible()
    problems = _checked(page)

    page.locator("#low-case-in-force a").click()
    expect(page).to_have_url(re.compile(r"/forecast/realisation$"))
    expect(page.locator("#variance-table")).to_be_visible()
    expect(page.locator("#calibration-in-force")).to_be_visible()
    expect(page.locator("#use-calibration")).to_have_count(0)  # the governor's office does not decide it
    problems += _checked(page)
    page.locator("#v-level").select_option("investor")
    page.locator("form[method=get] [type=submit]").click()
    expect(page).to_have_url(re.compile(r"level=investor"))
    assert not problems, "\n".join(problems)


def test_an_officer_opens_the_evidence_of_a_missing_report(live_app: Flask, page: Page) -> None:
    run = run_job(live_app, "lkpm-scan")
    assert run.succeeded, run.error
    sign_in(page, "petugas@pantau.test")
    page.goto("/realisation/missing-reports")
    evidence = page.locator("#lkpm-flags a", has_text=re.compile("Bukti|Evidence"))
    assert evidence.count(), "the demo has no missing LKPM report to show the evidence of"
    evidence.first.click()
    expect(page).to_have_url(re.compile(r"/realisation/missing-reports/\d+/evidence$"))
    expect(page.locator("#fingerprint")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    problems = _checked(page)
    assert not problems, "\n".join(problems)
