"""Map tiles, only where the office's network allows them.

``MAP_TILE_URL`` (default ``None``: off) is a tile URL template such as
``https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png``, with ``MAP_TILE_ATTRIBUTION`` the credit the tile
provider asks for. Without it the maps draw their markers on a plain background (Leaflet, served by the app).
With it, and only then, the CSP lets images come from that one host (``{s}``: any subdomain of it). A template
that is not an https URL with a host is ignored (no tiles), so a typo never opens the CSP wider.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TileLayer:
    url: str  # the template Leaflet fills in
    attribution: str
    host: str  # the CSP source of the tiles: https://tile.example.org or https://*.tile.example.org


def tile_layer(config: dict[str, Any] | None = None) -> TileLayer | None:
    """The configured tile layer, or ``None`` when tiles are off or the template is unusable."""
    config = current_app.config if config is None else config
    url = (config.get("MAP_TILE_URL") or "").strip()
    if not url:
        return None
    parts = urlsplit(url.replace("{s}", "s"))
    host = parts.hostname or ""
    if parts.scheme != "https" or not host or any(c in host for c in "{}*"):
        log.warning("MAP_TILE_URL %r is not an https URL template with a host: the maps show no tiles", url)
        return None
    if url.split("//", 1)[1].startswith("{s}."):
        host = "*." + host.removeprefix("s.")
    return TileLayer(url, str(config.get("MAP_TILE_ATTRIBUTION") or ""), f"https://{host}")


def content_security_policy(config: dict[str, Any]) -> dict[str, Any]:
    """The configured CSP, with the tile host added to ``img-src`` when tiles are on (otherwise unchanged)."""
    policy = dict(config["CONTENT_SECURITY_POLICY"])
    tiles = tile_layer(config)
    if tiles is not None:
        images = policy.get("img-src", "'self'")
        policy["img-src"] = [*([images] if isinstance(images, str) else images), tiles.host]
    return policy
