"""The shell's small pieces of issue 12: the 403 page in the user's language with a button that fits the role,
the favicon, one format for dates and one for times (WIB, no seconds), and the evidence page's print button
wired by a static script (no inline handler, as the CSP allows none)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from flask import Flask, session
from flask.testing import FlaskClient
from sqlalchemy import event

from app.extensions import db
from app.formatting import day, hectares, number, rupiah, rupiah_short, wib
from devtools.factories import make_investor


def investor_client(login_as: Callable[..., FlaskClient]) -> FlaskClient:
    investor = make_investor(legal_name="PT Uji Halaman")
    db.session.commit()
    return login_as("investor", investor=investor)


def test_the_403_page_is_translated_and_sends_an_investor_back_to_the_portal(
    login_as: Callable[..., FlaskClient],
) -> None:
    investor = investor_client(login_as)
    investor.get("/language/id")
    response = investor.get("/permits")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Akses ditolak" in html and "Forbidden" not in html
    assert 'id="error-home" href="/portal"' in html and "Kembali ke kawasan dan izin saya" in html


def test_the_403_page_sends_staff_back_to_the_dashboard(login_as: Callable[..., FlaskClient]) -> None:
    governor = login_as("governor")
    response = governor.get("/admin/settings")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Access denied" in html and 'id="error-home" href="/"' in html


def test_the_403_answer_in_json_stays_a_problem_document(login_as: Callable[..., FlaskClient]) -> None:
    response = investor_client(login_as).get("/permits", headers={"Accept": "application/json"})
    assert response.status_code == 403 and response.mimetype == "application/problem+json"


def test_every_page_links_the_favicon_the_app_serves(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in html
    for path in ("/static/favicon.svg", "/static/favicon.ico", "/static/js/pantau.js"):
        response = client.get(path)
        response.close()  # static files are streamed: close them
        assert response.status_code == 200, path
    assert '<script src="/static/js/pantau.js" defer></script>' in html
    assert 'href="#content"' in html and 'id="content" tabindex="-1"' in html  # the skip link and its target


def test_one_format_for_dates_and_one_for_times(app: Flask) -> None:
    moment = datetime(2026, 4, 15, 0, 31, 59, tzinfo=UTC)
    with app.test_request_context("/"):
        assert wib(moment) == wib(moment, "short") == wib(moment, "full") == "15 Apr 2026 07:31 WIB"
        for width in ("short", "medium", "long", "full"):
            assert day(date(2026, 4, 15), width) == "15 Apr 2026"
        assert day(date(2026, 4, 15), "MMM yyyy") == "Apr 2026"  # a month stays a month
    with app.test_request_context("/", headers={"Cookie": "lang=id"}):
        from flask_babel import force_locale

        with force_locale("id"):
            assert wib(moment) == "15 Apr 2026 07.31 WIB"
            assert day(date(2026, 8, 17)) == "17 Agu 2026"


def test_numbers_kept_per_locale_read_as_babel_writes_them(app: Flask) -> None:
    """The formatted numbers are kept per value, pattern and language (a page shows the same ones on every request):
    what is kept in one language is never shown in the other, and equal values written differently read alike."""
    from decimal import Decimal

    from flask_babel import force_locale

    with app.test_request_context("/"):
        with force_locale("id"):
            shown = [rupiah(650_000_000_000), rupiah_short(1_234_000_000_000), hectares(Decimal("12.50")), number(7)]
            assert shown == ["Rp650.000.000.000", "Rp1,2 triliun", "12,5 ha", "7"]
            assert hectares(Decimal("12.5000")) == hectares(Decimal("1.25E+1")) == "12,5 ha"
        with force_locale("en"):
            shown = [rupiah(650_000_000_000), rupiah_short(1_234_000_000_000), hectares(Decimal("12.50")), number(7)]
            assert shown == ["Rp650,000,000,000", "Rp1.2 trillion", "12.5 ha", "7"]
            assert number(1.5) == "1.5" and number(Decimal("1.50")) == "1.5" and number(1) == "1"


def test_pages_and_exports_for_a_signed_in_user_are_never_cached(client: FlaskClient, anon_client: FlaskClient) -> None:
    for url in ("/", "/permits", "/permits.csv"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", url
    assert "no-store" not in (anon_client.get("/login").headers.get("Cache-Control") or "")


def test_the_no_store_header_reads_nothing_from_the_database(app: Flask) -> None:
    """The hook runs after the view's commit, when the user is expired: a database lost at that moment must not turn
    the answer into a 500 (an after_request error reaches no error handler), so it asks the session, not the user."""
    hooks = {getattr(hook, "__name__", ""): hook for hook in app.after_request_funcs[None]}
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.test_request_context("/"):
        session["_user_id"] = "1"
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            response = hooks["no_store_for_signed_in_users"](app.response_class("x"))
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert response.headers["Cache-Control"] == "no-store" and statements == []
