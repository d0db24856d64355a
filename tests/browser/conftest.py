"""Browser tests: a live Pantau with the demo scenario, driven by Playwright in Debian's headless Chromium.

Every test under tests/browser/ is marked ``browser`` here, so ``pytest -m "not browser"`` leaves them out
and ``pytest -m browser`` runs only them. The server is the real app with CSRF on, as in production, on a
temporary SQLite database built by the migrations and filled by ``seed_demo()``. Chromium is never
downloaded (no ``playwright install``): Playwright launches ``/usr/bin/chromium`` through
``executable_path``. When it is missing the tests fail under ``CI=true`` and are skipped elsewhere.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, Request, Response, sync_playwright
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from devtools.demo import seed_demo

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
HERE = Path(__file__).resolve().parent
ASSET_TYPES = frozenset({"stylesheet", "script", "image", "font"})


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests of this folder ``browser`` before ``-m`` selects (hence tryfirst)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            # The test server (Werkzeug's, in a thread) leaves a static file open when Chromium cancels its
            # download (the favicon, mid-navigation); the collector then reports it during whichever test runs.
            # Server noise, not the app's: gunicorn serves production. Static files only.
            item.add_marker(pytest.mark.filterwarnings(r"ignore:unclosed file .*/app/static/:ResourceWarning"))
            unraisable = "pytest.PytestUnraisableExceptionWarning"
            item.add_marker(pytest.mark.filterwarnings(rf"ignore:Exception ignored in.*/app/static/:{unraisable}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Generator[None, pytest.TestReport]:
    """Keep each phase's report on the item, so the ``page`` fixture knows whether its test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a fresh, migrated SQLite database holding the demo scenario."""
    folder = tmp_path_factory.mktemp("live")
    application = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'browser.sqlite3'}",
            "WTF_CSRF_ENABLED": True,  # forms are posted as in production
        },
        instance_path=str(folder),
    )
    with application.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """Serve ``live_app`` on 127.0.0.1 and a free port in a daemon thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, with the flags this closed network needs."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package (make test does, as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new page in a fresh context (Indonesian locale, WIB).

    A failed test leaves a full-page screenshot in build/screenshots/. A test that passed still fails (at
    teardown) if a page raised a JavaScript error or an asset it loaded (CSS, JS, image, font) was missing.
    """
    context = browser.new_context(
        base_url=live_server, locale="id-ID", timezone_id="Asia/Jakarta", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems: dict[str, str] = {}  # by URL: a 404 stylesheet is also reported as a failed request

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type in ASSET_TYPES:
            problems.setdefault(response.url, f"{response.status} for {response.request.resource_type} {response.url}")

    def on_request_failed(failed: Request) -> None:
        # net::ERR_ABORTED: the browser cancelled it as the page navigated away (a download, a form sent before
        # a font arrived), not a broken asset; a missing one answers 404 (on_response)
        if failed.resource_type in ASSET_TYPES and "ERR_ABORTED" not in (failed.failure or ""):
            problems.setdefault(failed.url, f"{failed.failure} for {failed.resource_type} {failed.url}")

    tab.on("pageerror", lambda error: problems.setdefault(f"js:{error}", f"JavaScript error: {error}"))
    tab.on("response", on_response)
    tab.on("requestfailed", on_request_failed)
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = Path(request.config.rootpath) / "build" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    context.close()
    if problems and report is not None and report.passed:
        pytest.fail("the pages had broken assets or script errors:\n" + "\n".join(problems.values()))


DEMO_PASSWORD = "pantau-demo"


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form (CSRF token and all) as one of the demo accounts."""
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def officer_page(page: Page) -> Page:
    sign_in(page, "petugas@pantau.test")
    return page
