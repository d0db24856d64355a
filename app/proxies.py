"""Where a request comes from behind reverse proxies, and where the sign-in rate limit counts.

``TRUSTED_PROXIES`` is the number of reverse proxies in front of the app, each of which appends the address it
received the request from to ``X-Forwarded-For`` and sets ``X-Forwarded-Proto`` (nginx:
``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`` and ``X-Forwarded-Proto $scheme``). With it,
Werkzeug's ``ProxyFix`` makes ``request.remote_addr`` the client's address as the outermost trusted proxy saw it,
so the rate limiter counts each client apart and the audit log records the client, not the proxy. 0, the default,
trusts no such header: without a proxy that overwrites it, a client could claim any address and escape the limit.

The limiter counts in ``RATELIMIT_STORAGE_URI``; ``memory://`` is one count per process, so under gunicorn with
several workers the limit is multiplied by their number. Production starts anyway (one worker is a valid set-up)
but logs a warning.
"""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import ConfigError

log = logging.getLogger(__name__)


def install_proxy_fix(app: Flask) -> None:
    """Trust ``TRUSTED_PROXIES`` proxies' ``X-Forwarded-For`` and ``X-Forwarded-Proto``; raise ``ConfigError`` for
    a value that is not a whole number from 0."""
    count = app.config.get("TRUSTED_PROXIES", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ConfigError(f"TRUSTED_PROXIES must be a whole number of proxies (0 or more), not {count!r}.")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def warn_about_per_process_limits(app: Flask) -> None:
    """Log a warning when the rate limiter counts in the memory of each process (call it for production)."""
    storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if storage.startswith("memory://"):
        log.warning(
            "RATELIMIT_STORAGE_URI is memory://: each gunicorn worker counts sign-in attempts on its own, so the "
            "limit is multiplied by the number of workers. Set it to a shared store (redis://... or memcached://...)."
        )
