"""After the morning scan the officer opens the stalled approvals, finds PT Jaya Dinasti Indonesia's AMDAL
overdue, and opens the printable evidence of its clock."""

from __future__ import annotations

import hashlib
import re

from flask import Flask
from playwright.sync_api import Page, expect

from app.scheduler import run_job

INVESTOR = "PT Jaya Dinasti Indonesia"


def run_the_morning_scan(live_app: Flask) -> None:
    """Scan the shared demo database now (other browser tests may have moved JDI's AMDAL since the last scan),
    through ``run_job``, which records the run as the scheduler would."""
    run = run_job(live_app, "stall-scan")
    assert run.succeeded, run.error


def test_officer_sees_jdis_amdal_overdue_and_opens_its_evidence(live_app: Flask, officer_page: Page) -> None:
    run_the_morning_scan(live_app)
    page = officer_page
    page.goto("/")
    expect(page.locator("#scan-missed")).to_have_count(0)  # the scan just ran: no warning
    page.locator("nav a.nav-link[href='/stalls']").click()
    expect(page).to_have_url(re.compile(r"/stalls$"))
    expect(page.locator("#scan-status")).to_have_attribute("data-state", "ok")

    row = page.locator("#stalled-list tbody tr").filter(has_text=INVESTOR).filter(has_text="AMDAL")
    expect(row).to_have_count(1)
    expect(row.locator(".flag-overdue")).to_have_count(1)
    expect(row).to_contain_text("Kementerian Lingkungan Hidup")
    assert int(row.locator(".days-late .fw-bold").inner_text()) > 0

    row.locator("a.evidence-link").click()
    expect(page).to_have_url(re.compile(r"/permits/\d+/evidence$"))
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "overdue")
    expect(page.locator("#ev-limit")).to_contain_text("63")
    expect(page.locator("#ev-legal-basis")).to_have_text("PP 28/2025 Pasal 86-93")
    expect(page.locator("#ev-regulation")).to_have_text("PP 28/2025")
    expect(page.locator("#ev-intervals tbody.interval-agency").first).to_be_visible()
    fingerprint = page.locator("#fingerprint").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)

    download = page.request.get(page.locator("#evidence-json").get_attribute("href"))
    assert download.ok
    assert hashlib.sha256(download.body()).hexdigest() == fingerprint  # the printed copy can be checked
