"""The forecast page's parts kept per worker (``forecast.parts``): served again for the same run, scope, filters and
language, never to another scope, bounded, forgotten when a new run is stored; and the page the same, cold or warm."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Role, Setting
from app.security import Scope
from devtools.factories import make_estate, make_layoff, make_zone, region
from forecast import calibration
from forecast.parts import PARTS, PartCache, scope_key
from forecast.services import refresh_forecast
from tests.statements import counting

AS_OF = date(2026, 11, 2)
NOW = "2026-11-02 03:00Z"


@pytest.fixture(autouse=True)
def _empty_parts():
    PARTS.clear()  # the cache belongs to the process: parts of another test's run must not meet this one's
    yield
    PARTS.clear()


def _estate(name: str, bps_code: str, jobs: int):
    estate = make_estate(name=name, region=region(bps_code))
    make_zone(estate=estate, area_ha=Decimal("20"), planned_direct_jobs=jobs)
    return estate


def _page(client, url: str = "/forecast") -> tuple[str, int]:
    """The page's HTML without its per-request tokens, and the SQL statements it took."""
    with counting() as statements:
        response = client.get(url)
    assert response.status_code == 200
    html = re.sub(r'(name="csrf_token" value=|nonce=)"[^"]*"', r"\1", response.get_data(as_text=True))
    return html, len(statements)


def test_the_scope_key_says_what_a_user_sees():
    assert scope_key(Scope(Role.GOVERNOR)) == scope_key(Scope(Role.OFFICER)) == scope_key(Scope(Role.ADMINISTRATOR))
    assert scope_key(Scope(Role.OFFICER, region_id=1)) != scope_key(Scope(Role.OFFICER, region_id=2))
    assert scope_key(Scope(Role.OFFICER, region_id=1)) != scope_key(Scope(Role.GOVERNOR))
    assert scope_key(Scope(Role.INVESTOR, investor_id=1)) != scope_key(Scope(Role.INVESTOR, investor_id=2))
    assert scope_key(Scope(Role.INVESTOR, investor_id=1)) != scope_key(Scope(Role.OFFICER, region_id=1))
    assert scope_key(Scope(Role.INVESTOR)) == ("none",) != scope_key(Scope(Role.GOVERNOR))


@time_machine.travel(NOW, tick=False)
def test_a_kab_kota_officer_never_gets_another_scopes_kept_parts(login_as):
    _estate("Kawasan Serang Uji", "36.73", 300)
    _estate("Kawasan Lebak Uji", "36.02", 700)
    refresh_forecast(AS_OF)
    db.session.commit()
    governor, _ = _page(login_as("governor"))
    assert "Kawasan Serang Uji" in governor and "Kawasan Lebak Uji" in governor
    serang, lebak = login_as("officer", region="36.73"), login_as("officer", region="36.02")
    for _ in range(2):  # cold, then from the kept parts
        html, _ = _page(serang)
        assert "Kawasan Serang Uji" in html and "Kawasan Lebak Uji" not in html
        html, _ = _page(lebak)
        assert "Kawasan Lebak Uji" in html and "Kawasan Serang Uji" not in html
        html, _ = _page(serang, f"/forecast?region={region('36.02').id}")  # a filter cannot widen the scope
        assert "Kawasan Lebak Uji" not in html
    kept = [key[0] for key in PARTS._entries]
    assert kept.count("page") == kept.count("layoffs") == 4  # the governor's, each officer's, the filtered one


@time_machine.travel(NOW, tick=False)
def test_the_warm_page_is_the_cold_page_in_fewer_statements(login_as):
    _estate("Kawasan Serang Uji", "36.73", 300)
    refresh_forecast(AS_OF)
    db.session.commit()
    governor = login_as("governor")
    governor.get("/forecast?zone_kind=housing")  # the user and the settings read once, as any first request
    PARTS.clear()
    cold, cold_statements = _page(governor)
    warm, warm_statements = _page(governor)
    assert warm == cold and PARTS.hits >= 1
    assert warm_statements < cold_statements
    with governor.session_transaction() as session:
        session["lang"] = "id"
    indonesian, _ = _page(governor)  # another language is another part
    assert "Pekerja langsung per triwulan" in indonesian and "Masukan dan asumsi prakiraan ini" in indonesian
    assert "Direct jobs by quarter" not in indonesian and len(PARTS) == 4  # the page's and the layoffs' parts


@time_machine.travel(NOW, tick=False)
def test_a_new_run_is_read_afresh_and_layoffs_at_once(login_as):
    """A refresh at the same frozen instant may take the deleted run's id (SQLite): the parts go with the run. The
    layoffs change without a new run: a record added or corrected shows at once."""
    _estate("Kawasan Serang Uji", "36.73", 300)
    refresh_forecast(AS_OF)
    db.session.commit()
    governor = login_as("governor")
    html, _ = _page(governor)
    assert "Kawasan Baru Uji" not in html and len(PARTS) == 2
    _estate("Kawasan Baru Uji", "36.73", 500)
    layoff = make_layoff(region=region("36.73"), period="2026-Q4", workers=4321)
    db.session.commit()
    html, _ = _page(governor)
    assert "Kawasan Baru Uji" not in html  # the stored run, as it was
    assert "4,321" in html  # a new layoff record
    layoff.workers = 4567  # corrected in place, at the same frozen instant
    db.session.commit()
    assert "4,567" in _page(governor)[0]
    assert "changed the calibration since" not in html
    db.session.scalars(select(Setting).where(Setting.key == calibration.SETTING)).one().value = "0.8"
    db.session.commit()
    assert "changed the calibration since" in _page(governor)[0]  # the setting in force, read on every request
    refresh_forecast(AS_OF)
    db.session.commit()
    assert len(PARTS) == 0
    html, _ = _page(governor)
    assert "Kawasan Baru Uji" in html


def test_the_cache_is_bounded_by_entries_and_characters():
    cache = PartCache(max_entries=2, max_chars=10)
    assert cache.get("a", lambda: ("A", 3)) == "A"
    assert cache.get("b", lambda: ("B", 3)) == "B"
    assert cache.get("a", lambda: ("not built", 3)) == "A"  # kept, and now the most recently used
    cache.get("c", lambda: ("C", 3))
    assert len(cache) == 2 and cache.get("b", lambda: ("B again", 3)) == "B again"  # b was the least recent
    cache.get("d", lambda: ("D", 8))  # over 10 characters with the others: they go first
    assert len(cache) == 1 and cache.get("d", lambda: ("not built", 8)) == "D"
    assert cache.get("e", lambda: ("E", 11)) == "E" and cache.get("e", lambda: ("E2", 11)) == "E2"  # never kept
    with pytest.raises(ValueError):
        cache.get("f", lambda: (_ for _ in ()).throw(ValueError("failed")))
    assert "f" not in cache._entries
