"""Issue 12: the map of the estates. Leaflet is served by the app (the vendored files are checked byte for byte),
the markers are read from the accessible list beside the map (data attributes, no inline script), the page keeps
the user's scope and the list's filters, and map tiles come only when ``MAP_TILE_URL`` names an https server:
then, and only then, the CSP lets images come from that one host."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from app.headers import talisman
from app.maps import content_security_policy, tile_layer
from devtools.factories import make_estate, region

LEAFLET_VERSION = "1.9.4"  # fetched with `npm pack leaflet@1.9.4`, its dist/ and LICENSE copied as they are
LEAFLET = Path(__file__).resolve().parents[2] / "app" / "static" / "vendor" / "leaflet"
LEAFLET_SHA256 = {
    "LICENSE": "53e8dc25862014e4324741ca18fbe3611e11d42ef69f59f86ea8c5389647d4cb",
    "leaflet.css": "a7837102824184820dfa198d1ebcd109ff6d0ff9a2672a074b9a1b4d147d04c6",
    "leaflet.js": "db49d009c841f5ca34a888c96511ae936fd9f5533e90d8b2c4d57596f4e5641a",
    "images/layers-2x.png": "066daca850d8ffbef007af00b06eac0015728dee279c51f3cb6c716df7c42edf",
    "images/layers.png": "1dbbe9d028e292f36fcba8f8b3a28d5e8932754fc2215b9ac69e4cdecf5107c6",
    "images/marker-icon-2x.png": "00179c4c1ee830d3a108412ae0d294f55776cfeb085c60129a39aa6fc4ae2528",
    "images/marker-icon.png": "574c3a5cca85f4114085b6841596d62f00d7c892c7b03f28cbfa301deb1dc437",
    "images/marker-shadow.png": "264f5c640339f042dd729062cfc04c17f8ea0f29882b538e3848ed8f10edb4da",
}
OSM = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"


def test_the_vendored_leaflet_is_version_1_9_4_unchanged():
    found = {str(p.relative_to(LEAFLET)) for p in LEAFLET.rglob("*") if p.is_file()}
    assert found == set(LEAFLET_SHA256)
    for name, digest in LEAFLET_SHA256.items():
        assert hashlib.sha256((LEAFLET / name).read_bytes()).hexdigest() == digest, name
    assert f"Leaflet {LEAFLET_VERSION}" in (LEAFLET / "leaflet.js").read_text(encoding="utf-8")[:200]


def _world():
    placed = make_estate(
        name="Kawasan Bertitik", region=region("36.73"), latitude=Decimal("-6.1"), longitude=Decimal("106.2")
    )
    other = make_estate(
        name="Kawasan Tangerang", region=region("36.03"), latitude=Decimal("-6.2"), longitude=Decimal("106.5")
    )
    unplaced = make_estate(name="Kawasan Tanpa Titik", region=region("36.73"))
    db.session.commit()
    return placed, other, unplaced


def _markers(html: str) -> list[tuple[str, str, str, str]]:
    items = html[html.index('id="estate-map-list"') : html.index("</ol>", html.index('id="estate-map-list"'))]
    return re.findall(r'data-lat="([^"]+)" data-lng="([^"]+)" data-url="([^"]+)" data-name="([^"]+)"', items)


def test_the_map_lists_the_estates_with_coordinates_as_markers_and_the_others_apart(client):
    placed, other, unplaced = _world()
    response = client.get("/estates/map")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _markers(html) == [
        ("-6.100000", "106.200000", f"/estates/{placed.id}", "Kawasan Bertitik"),
        ("-6.200000", "106.500000", f"/estates/{other.id}", "Kawasan Tangerang"),
    ]
    unplaced_list = html[html.index('id="estate-unplaced-list"') :]
    assert f'href="/estates/{unplaced.id}"' in unplaced_list
    assert 'src="/static/vendor/leaflet/leaflet.js"' in html and 'href="/static/vendor/leaflet/leaflet.css"' in html
    assert 'src="/static/js/estate-map.js"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert 'id="estate-map"' in html and 'aria-describedby="estate-map-note"' in html
    assert "data-tiles" not in html  # no tiles by default: the points sit on a plain background
    assert "openstreetmap" not in response.headers["Content-Security-Policy"]


def test_the_map_keeps_the_scope_and_the_list_s_filters(client, login_as):
    _world()
    serang = login_as("officer", region="36.73")
    assert [m[3] for m in _markers(serang.get("/estates/map").get_data(as_text=True))] == ["Kawasan Bertitik"]
    asked = serang.get(f"/estates/map?region={region('36.03').id}").get_data(as_text=True)
    assert "Kawasan Tangerang" not in asked
    assert [m[3] for m in _markers(client.get("/estates/map?q=tangerang").get_data(as_text=True))] == [
        "Kawasan Tangerang"
    ]
    empty = client.get("/estates/map?q=tidak-ada").get_data(as_text=True)
    assert 'id="estate-map-empty"' in empty and "leaflet.js" not in empty
    listing = client.get("/estates?q=bertitik").get_data(as_text=True)
    assert 'id="map-link" href="/estates/map?q=bertitik"' in listing


def test_tiles_need_an_https_template_and_open_the_csp_to_that_host_only():
    base = {"CONTENT_SECURITY_POLICY": {"default-src": "'self'", "img-src": ["'self'", "data:"]}}
    assert tile_layer({**base, "MAP_TILE_URL": None}) is None
    for bad in ("http://tile.example.org/{z}/{x}/{y}.png", "tiles/{z}/{x}/{y}.png", "https://{z}/{x}.png", "https://"):
        assert tile_layer({**base, "MAP_TILE_URL": bad}) is None, bad
        assert content_security_policy({**base, "MAP_TILE_URL": bad})["img-src"] == ["'self'", "data:"]
    osm = tile_layer({**base, "MAP_TILE_URL": OSM, "MAP_TILE_ATTRIBUTION": "© OpenStreetMap"})
    assert osm.host == "https://*.tile.openstreetmap.org" and osm.url == OSM
    policy = content_security_policy({**base, "MAP_TILE_URL": OSM})
    assert policy["img-src"] == ["'self'", "data:", "https://*.tile.openstreetmap.org"]
    assert policy["default-src"] == "'self'" and base["CONTENT_SECURITY_POLICY"]["img-src"] == ["'self'", "data:"]
    one_host = tile_layer({**base, "MAP_TILE_URL": "https://peta.bantenprov.go.id/tiles/{z}/{x}/{y}.png"})
    assert one_host.host == "https://peta.bantenprov.go.id"


@pytest.fixture
def tiled(app, tmp_path):
    """A second app with tiles on. Flask-Talisman keeps its options on its one instance: they are put back after
    the test, so the shared test app keeps its own CSP."""
    saved = dict(vars(talisman))
    other = create_app(
        "testing",
        overrides={"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "MAP_TILE_URL": OSM},
        instance_path=str(tmp_path),
    )
    try:
        yield other
    finally:
        vars(talisman).clear()
        vars(talisman).update(saved)
        with other.app_context():
            db.engine.dispose()  # its own pool: no connection left open after the test


def test_with_tiles_configured_the_page_names_them_and_the_csp_allows_their_host(tiled, login_as):
    _world()
    with tiled.test_request_context():
        assert tile_layer().host == "https://*.tile.openstreetmap.org"
    client = tiled.test_client()
    officer = login_as("officer")
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = officer.sign_in_as, True
    response = client.get("/estates/map")
    html = response.get_data(as_text=True)
    assert f'data-tiles="{OSM}"' in html and 'data-attribution="© OpenStreetMap contributors"' in html
    assert "https://*.tile.openstreetmap.org" in response.headers["Content-Security-Policy"]
