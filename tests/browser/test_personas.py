"""By persona, with the demo accounts: the officer returns JDI's AMDAL for revision, the JDI investor sees only
its own estate and answers with a revised document, the officer sees it arrive; the governor's office finds no
control that changes anything.

The demo database is shared with the other browser tests, so the AMDAL ends as it started: back with the agency,
under review and overdue. Checks read markup and the data typed here, so they hold in Indonesian (the default).
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from devtools.demo_data import FICTIONAL, JDI, JDI_ESTATE
from devtools.factories import minimal_pdf
from tests.browser.conftest import sign_in

AGENCY = "Kementerian Lingkungan Hidup"
RETURN_NOTE = "Dokumen ANDAL bab 4 belum memuat kajian banjir rob; mohon dilengkapi."
ANSWER_NOTE = "Bab 4 ANDAL sudah dilengkapi kajian banjir rob (revisi 1)."
FILE_NAME = "ANDAL revisi 1.pdf"
PDF = minimal_pdf()  # a real one: PDFs are read (and checked for active content) on upload

# Links and forms that would change something (the governor's office must find none).
WRITE_LINK = re.compile(r"/(edit|new|delete)(?:[/?#]|$)")
WRITE_FORM = re.compile(r"/(move|documents|answer)(?:[/?#]|$)")


def sign_out(page: Page) -> None:
    page.locator("#user-menu .dropdown-toggle").click()
    page.locator("#sign-out").click()
    page.wait_for_url(re.compile(r"/login"))


def open_jdi_amdal(page: Page) -> str:
    """From the permits list, the JDI estate's AMDAL; returns its URL."""
    page.goto("/permits?type=AMDAL")
    row = page.locator("#permit-list tbody tr").filter(has_text=JDI_ESTATE)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="AMDAL", exact=True).click()
    expect(page).to_have_url(re.compile(r"/permits/\d+$"))
    return page.url


def record_move(page: Page, target: str, note: str = "") -> None:
    form = page.locator("#move-form")
    form.locator("select[name=target]").select_option(target)
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.locator("[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()


def test_the_investor_answers_a_return_and_the_officer_sees_it_arrive(page: Page, tmp_path: Path) -> None:
    # (a) the officer returns the AMDAL for revision with a note
    sign_in(page, "petugas@pantau.test")
    amdal_url = open_jdi_amdal(page)
    expect(page.locator("#whose-move")).to_contain_text(AGENCY)
    record_move(page, "returned", RETURN_NOTE)
    expect(page.locator("#clock")).to_have_class(re.compile(r"clock-stopped"))
    expect(page.locator("#whose-move")).to_contain_text(JDI)
    sign_out(page)

    # (b) the JDI investor sees only its own estate, that IUKI waits for AMDAL, and answers the return
    sign_in(page, "jdi@pantau.test")
    expect(page).to_have_url(re.compile(r"/portal$"))
    expect(page.locator("#investor-name")).to_have_text(JDI)
    estates = page.locator("section.portal-estate")
    expect(estates).to_have_count(1)
    expect(estates.locator("h2")).to_have_text(JDI_ESTATE)
    main = page.locator("main").inner_text()
    for legal_name, *_rest, estate_name in (row[:5] for row in FICTIONAL):
        assert legal_name not in main and estate_name not in main, legal_name
    iuki = page.locator("tr.portal-line[data-type=IUKI]")
    expect(iuki).to_have_class(re.compile(r"who-waiting"))  # nobody can act on it yet ...
    expect(iuki.locator(".next-step")).to_contain_text("AMDAL")  # ... until the AMDAL is issued
    amdal = page.locator("tr.portal-line[data-type=AMDAL]")
    expect(amdal).to_have_class(re.compile(r"who-you"))
    expect(page.locator("#your-moves")).to_contain_text("AMDAL")

    amdal.get_by_role("link", name="AMDAL", exact=True).click()
    expect(page).to_have_url(re.compile(r"/portal/permits/\d+$"))
    expect(page.locator("#next-step")).to_contain_text(RETURN_NOTE.rstrip("."))  # the agency's request, quoted
    revision = tmp_path / FILE_NAME
    revision.write_bytes(PDF)
    form = page.locator("#answer-form")
    form.locator("input[type=file]").set_input_files(str(revision))
    form.locator("textarea[name=note]").fill(ANSWER_NOTE)
    form.locator("[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#answer-form")).to_have_count(0)
    expect(page.locator("#whose-move")).to_contain_text(AGENCY)
    expect(page.locator("#documents-table")).to_contain_text(FILE_NAME)
    expect(page.locator("#timeline li").first).to_contain_text(ANSWER_NOTE)
    sign_out(page)

    # (c) the officer sees it arrive: back with the agency, the document on the permit page
    sign_in(page, "petugas@pantau.test")
    page.goto(amdal_url)
    expect(page.locator("#whose-move")).to_contain_text(AGENCY)
    expect(page.locator("#clock")).not_to_have_class(re.compile(r"clock-stopped"))
    document = page.locator("#permit-documents tbody tr").filter(has_text=FILE_NAME)
    expect(document).to_have_count(1)
    expect(document).to_contain_text(ANSWER_NOTE)
    expect(page.locator("#timeline li").first).to_contain_text(ANSWER_NOTE)
    # the agency takes the file up again: the AMDAL ends as the demo began, under review and overdue
    record_move(page, "under_review")
    expect(page.locator("#clock")).to_have_class(re.compile(r"clock-overdue"))


def _write_controls(page: Page) -> list[str]:
    """In <main>: every link to an edit/new/delete page, every form that posts (or sends to a move, documents or
    answer address) and every file input."""
    links = page.locator("main a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    forms = page.locator("main form").evaluate_all(
        "els => els.map(e => [(e.getAttribute('method') || 'get').toLowerCase(), e.getAttribute('action') || ''])"
    )
    found = [f"link {href}" for href in links if WRITE_LINK.search(href.split("?")[0])]
    found += [f"form {method} {action}" for method, action in forms if method == "post" or WRITE_FORM.search(action)]
    found += [f"file input {n}" for n in range(page.locator("main input[type=file]").count())]
    return found


def _governor_pages(page: Page) -> list[str]:
    """The dashboard, the estates list, JDI's estate, the permits list and JDI's AMDAL, as visited."""
    visited = ["/", "/estates"]
    page.goto("/estates")
    page.locator("#estates").get_by_role("link", name=JDI_ESTATE, exact=True).click()
    expect(page).to_have_url(re.compile(r"/estates/\d+$"))
    visited.append(page.url)
    visited.append("/permits")
    visited.append(open_jdi_amdal(page))
    return visited


def test_the_governors_office_finds_nothing_that_changes_data(page: Page) -> None:
    sign_in(page, "gubernur@pantau.test")
    urls = _governor_pages(page)
    for url in urls:
        page.goto(url)
        expect(page.locator("main h1").first).to_be_visible()
        assert _write_controls(page) == [], (url, _write_controls(page))
        expect(page.locator("#move-form, #document-form, #answer-form")).to_have_count(0)
    sign_out(page)

    # the same pages show an officer the controls, so the checks above can see them
    sign_in(page, "petugas@pantau.test")
    controls = []
    for url in urls:
        page.goto(url)
        controls += _write_controls(page)
    assert any(c.startswith("link") and "/edit" in c for c in controls), controls
    assert any(c.startswith("form") and "/move" in c for c in controls), controls
    assert any(c.startswith("form") and "/documents" in c for c in controls), controls
