"""The main pages of every persona, for the accessibility and phone walks (tests/browser/test_accessibility.py).

Detail pages are found by following the first matching link of a list, so the walk holds whatever ids the demo
seed gives. Each persona's pages are visited signed in as that persona, in Indonesian (the default).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from playwright.sync_api import Page

from tests.browser.conftest import sign_in

PERSONAS = {
    "admin": "admin@pantau.test",
    "officer": "petugas@pantau.test",
    "serang": "petugas.serang@pantau.test",
    "governor": "gubernur@pantau.test",
    "investor": "jdi@pantau.test",
    "investor-returned": "investor@pantau.test",
}

# Pages reached directly, by persona.
FIXED = {
    "admin": [
        "/admin/",
        "/admin/settings",
        "/admin/closures",
        "/admin/permit-types",
        "/admin/regimes",
        "/admin/agencies",
        "/admin/users",
        "/admin/users/new",
        "/admin/audit",
        "/admin/outbox",
        "/notifications",
        "/account/password",
    ],
    "officer": [
        "/",
        "/investors",
        "/investors/new",
        "/estates",
        "/estates/new",
        "/estates/map",
        "/permits",
        "/permits/clock-stops",
        "/stalls",
        "/stalls/agencies",
        "/realisation/lkpm",
        "/realisation/lkpm/new",
        "/realisation/lkpm/import",
        "/realisation/missing-reports",
        "/realisation/layoffs",
        "/realisation/province",
        "/notifications",
    ],
    "serang": ["/", "/investors", "/estates", "/estates/map", "/permits", "/stalls", "/stalls/agencies"],
    "governor": [
        "/",
        "/investors",
        "/estates",
        "/estates/map",
        "/permits",
        "/stalls",
        "/stalls/agencies",
        "/realisation/lkpm",
    ],
    "investor": ["/portal", "/portal/documents", "/portal/lkpm", "/notifications"],
    "investor-returned": ["/portal"],
}

# Detail pages: (list page, pattern of the first link to follow), by persona.
FOLLOW = {
    "admin": [],
    "officer": [
        ("/investors", r"/investors/\d+$"),
        ("/estates", r"/estates/\d+$"),
        ("/permits", r"/permits/\d+$"),
        ("/stalls", r"/permits/\d+/evidence$"),
        ("/realisation/lkpm", r"/realisation/lkpm/\d+$"),
    ],
    "serang": [("/estates", r"/estates/\d+$"), ("/permits", r"/permits/\d+$")],
    "governor": [("/estates", r"/estates/\d+$"), ("/stalls", r"/permits/\d+/evidence$")],
    "investor": [("/portal", r"/portal/estates/\d+$"), ("/portal", r"/portal/permits/\d+$")],
    "investor-returned": [("/portal", r"/portal/permits/\d+$")],
}


def first_link(page: Page, path: str, pattern: str) -> str | None:
    page.goto(path)
    hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return next((href for href in hrefs if re.search(pattern, href.split("?")[0])), None)


def persona_pages(page: Page, persona: str) -> Iterator[str]:
    """Sign in as ``persona`` and yield each of its main pages once the page is loaded."""
    sign_in(page, PERSONAS[persona])
    paths = list(FIXED[persona])
    for path, pattern in FOLLOW[persona]:
        found = first_link(page, path, pattern)
        assert found, f"no link matching {pattern} on {path} for {persona}"
        paths.append(found)
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        yield path
