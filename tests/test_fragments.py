"""The pages' cached parts (``app.fragments``): kept until the next committed write, whoever wrote it, and never
given to another scope."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from app import fragments
from app.extensions import db
from app.models import DataVersion, Role
from app.security import Scope
from devtools.factories import make_estate, make_investor, make_permit, region
from estates.models import Estate, EstateStatus


def _stamp() -> tuple[int, str]:
    db.session.expire_all()
    return tuple(db.session.execute(select(DataVersion.version, DataVersion.stamp)).one())


def _estates(client) -> int:
    html = client.get("/").get_data(as_text=True)
    return int(re.search(r'id="estate-count">([\d.,]+)<', html).group(1).replace(",", "").replace(".", ""))


def test_a_committed_write_is_seen_by_the_very_next_request(client):
    make_estate(status=EstateStatus.PLANNED)
    db.session.commit()
    assert _estates(client) == 1
    before = _stamp()
    assert _estates(client) == 1  # read from the cache: reading changed nothing
    assert _stamp() == before

    second = make_estate(status=EstateStatus.PLANNED)  # this process, through the session
    db.session.commit()
    assert _stamp()[0] == before[0] + 1
    assert _estates(client) == 2

    with db.engine.begin() as conn:  # another worker: its own connection and transaction
        conn.execute(update(Estate).where(Estate.id == second.id).values(name="Kawasan Berganti Nama"))
    assert _stamp()[0] == before[0] + 2
    assert "Kawasan Berganti Nama" in client.get("/").get_data(as_text=True)  # the largest estates, renamed


def test_a_rolled_back_write_leaves_the_version_alone(client):
    before = _stamp()
    make_estate()
    db.session.rollback()
    with db.engine.connect() as conn:
        conn.execute(update(Estate).values(name="Tidak jadi"))
        conn.rollback()
    assert _stamp() == before


def test_a_kab_kota_officer_never_gets_another_kab_kota_s_cached_part(login_as):
    make_estate(name="Kawasan Cilegon Satu", region=region("36.72"))
    make_estate(name="Kawasan Serang Satu", region=region("36.73"))
    investor = make_investor(legal_name="PT Penanam Sendiri")
    make_estate(name="Kawasan Milik Investor", region=region("36.73"), investor=investor)
    db.session.commit()
    province, cilegon, serang = (
        login_as("officer"),
        login_as("officer", region="36.72"),
        login_as("officer", region="36.73"),
    )
    mine = login_as("investor", investor=investor)
    for _ in range(2):  # the second round reads every part from the cache
        assert _estates(province) == 3
        page = cilegon.get("/").get_data(as_text=True)
        assert "Kota Cilegon" in page and _estates(cilegon) == 1
        assert "Kabupaten Serang" not in page.split('id="summary"')[0]
        assert _estates(serang) == 2
        home = mine.get("/")
        assert home.status_code == 302 and "/portal" in home.headers["Location"]  # never the office's parts
        portal = mine.get("/portal").get_data(as_text=True)
        assert 'id="estate-count"' not in portal and "Kawasan Cilegon Satu" not in portal


def test_the_cache_keeps_one_value_per_key_and_stamp(app):
    calls: list[str] = []

    def compute(value: str):
        return lambda: calls.append(value) or value

    with app.test_request_context():
        assert fragments.cached("t", ("region", 1), compute("a")) == "a"
        assert fragments.cached("t", ("region", 1), compute("b")) == "a"  # kept
        assert fragments.cached("t", ("region", 2), compute("c")) == "c"  # another scope: its own
    make_estate()
    db.session.commit()
    with app.test_request_context():
        assert fragments.cached("t", ("region", 1), compute("d")) == "d"  # a write since: computed again
    assert calls == ["a", "c", "d"]


def test_without_the_cache_every_part_is_computed(app):
    calls: list[int] = []
    app.config["FRAGMENT_CACHE"] = False
    try:
        with app.test_request_context():
            for _ in range(2):
                fragments.cached("t", "k", lambda: calls.append(1))
    finally:
        app.config["FRAGMENT_CACHE"] = True
    assert calls == [1, 1]


def test_the_scope_key_tells_investors_and_kab_kota_apart_but_not_users(app):
    with app.test_request_context():
        one, other = Scope(Role.INVESTOR, investor_id=1, user_id=5), Scope(Role.INVESTOR, investor_id=2, user_id=5)
        assert fragments.scope_key(one) != fragments.scope_key(other)
        serang, cilegon = Scope(Role.OFFICER, region_id=1, user_id=7), Scope(Role.OFFICER, region_id=2, user_id=7)
        assert fragments.scope_key(serang) != fragments.scope_key(cilegon)
        assert fragments.scope_key(serang) != fragments.scope_key(Scope(Role.OFFICER, user_id=7))  # the province
        assert fragments.scope_key(serang) == fragments.scope_key(Scope(Role.OFFICER, region_id=1, user_id=8))
        assert fragments.cached("t", (*fragments.scope_key(one), "x"), lambda: "one's") == "one's"
        assert fragments.cached("t", (*fragments.scope_key(other), "x"), lambda: "other's") == "other's"


def test_a_request_that_commits_reads_past_its_own_commit(app):
    with app.test_request_context():
        assert fragments.cached("t", "k", lambda: "before") == "before"
        assert fragments.cached("t", "k", lambda: "again") == "before"
        make_estate()  # flushed, not committed: computed, never cached
        assert fragments.cached("t", "k", lambda: "writing") == "writing"
        db.session.commit()
        assert fragments.cached("t", "k", lambda: "after") == "after"  # the stamp read again after the commit


def test_a_rollback_on_a_connection_the_server_dropped_raises_nothing_more(app):
    """A restart of the database drops the connections: the statement fails (a 503 page), and the rollback that
    follows must not fail again in the hook that forgets the transaction's writes (a 500: ``make soak`` saw one)."""
    with db.engine.connect() as connection:
        connection.begin()
        connection.exec_driver_sql("SELECT 1")
        connection.invalidate()  # what SQLAlchemy does when a statement meets a dropped connection
        connection.rollback()  # the hook must not touch the dead connection's info
        assert connection.invalidated


def test_a_lists_kept_table_follows_its_order_and_language_and_holds_the_pages_rows(login_as):
    """``app.html_rows.KeptTable`` (the permits list's and the stalled list's headers, kept): each order and
    language its own, the page's number aside; the rows always the page's."""
    for n in range(3):
        make_permit("KKPR", estate=make_estate(name=f"Kawasan Urut {n}", region=region("36.73")))
    db.session.commit()
    officer = login_as("officer")

    def table(url: str) -> str:
        html = officer.get(url).get_data(as_text=True)
        return html[html.index('<table class="table table-hover card-table mb-0" id="permit-list"') :]

    for _ in range(2):  # the second round from the cache
        for lang, label, other in (("id", ">Izin<", ">Permit<"), ("en", ">Permit<", ">Izin<")):
            with officer.session_transaction() as session:
                session["lang"] = lang
            plain, by_estate = table("/permits"), table("/permits?sort=estate")
            assert 'href="/permits?sort=estate"' in plain and 'href="/permits?sort=-estate"' in by_estate
            assert table("/permits?sort=estate&page=1") == by_estate  # the page's number aside
            assert re.findall(r"Kawasan Urut \d", by_estate) == [f"Kawasan Urut {n}" for n in range(3)]
            assert label in plain and other not in plain


def test_a_kept_pager_is_each_pages_own(login_as):
    """``app.html_rows.kept_pager``: kept per page and arguments, so each page marks itself and keeps the filters."""
    for n in range(21):  # a page and one more
        make_permit("NIB", estate=make_estate(name=f"Kawasan Halaman {n}", region=region("36.73")))
    db.session.commit()
    officer = login_as("officer")
    for _ in range(2):  # the second round from the cache
        for url, page in (("/permits", 1), ("/permits?page=2", 2), ("/permits?page=2&sort=estate", 2)):
            html = officer.get(url).get_data(as_text=True)
            active = re.search(r'class="page-item active"><a class="page-link" href="([^"]+)">(\d+)<', html)
            assert active and int(active.group(2)) == page
            assert ("sort=estate" in active.group(1)) == ("sort=estate" in url)
