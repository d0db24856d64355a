"""Configuration classes.

Defaults are safe: production refuses to start without a real ``SECRET_KEY`` and an explicit
``DATABASE_URL``. Values are loaded in this order: the class below, then ``instance/config.py``
when present, then the unprefixed environment variables ``DATABASE_URL`` and ``SECRET_KEY``, then
environment variables prefixed ``FLASK_`` (``FLASK_SECRET_KEY``...). See ``create_app``.
"""

from __future__ import annotations

DEFAULT_SECRET = "dev-only-not-secret"  # noqa: S105 - refused by ProductionConfig.check()


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration is unsafe or incomplete."""


class Config:
    SECRET_KEY = DEFAULT_SECRET
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: SQLite at instance/pantau.sqlite3 (not in production)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")
    BOOTSTRAP_SERVE_LOCAL = True  # never a CDN: government intranets may have no internet
    BOOTSTRAP_BOOTSWATCH_THEME = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PAGE_SIZE = 20
    # Parts of pages kept per worker until the next committed write (app/fragments.py); False: computed each time.
    FRAGMENT_CACHE = True
    # Sign-in attempts per client address (Flask-Limiter syntax); accounts also lock after 5 failures.
    LOGIN_RATE_LIMIT = "10 per minute"
    # Where Flask-Limiter counts: one process in development; "redis://..." or "memcached://..." when several
    # gunicorn workers must share the count (production warns at start about memory://).
    RATELIMIT_STORAGE_URI = "memory://"
    # Reverse proxies in front of the app that append the client to X-Forwarded-For (app/proxies.py): 0 trusts
    # no such header; 1 behind one nginx. The limiter and the audit log then see the client's address.
    TRUSTED_PROXIES = 0
    # Content-Security-Policy: everything from this site only; no inline scripts or styles.
    CONTENT_SECURITY_POLICY = {
        "default-src": "'self'",
        "img-src": ["'self'", "data:"],
        "style-src": "'self'",
        "script-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    # Map tiles (app/maps.py): off unless the office's network allows a tile server; then an https template such
    # as "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png" and the credit its provider asks for.
    MAP_TILE_URL: str | None = None
    MAP_TILE_ATTRIBUTION = "© OpenStreetMap contributors"
    DOCUMENT_MAX_BYTES = 20 * 1024 * 1024  # one uploaded document (PDF, PNG, JPEG)
    MAX_CONTENT_LENGTH = 5 * 20 * 1024 * 1024 + 256 * 1024  # five documents and the form; larger: 413
    FORCE_HTTPS = False  # the HTTPS proxy in front redirects; set True when Flask itself faces browsers
    # The scheduler runs in one process: `flask serve` (make run) starts it in the development server;
    # production runs `flask --app wsgi scheduler run` apart from the web workers.
    SCHEDULER_LEASE_SECONDS = 30  # a dead leader is replaced by a standby within about this long
    STALL_SCAN_TIME = "07:30"  # WIB, every day; the scan skips days that are not working days
    FORECAST_REFRESH_TIME = "02:00"  # WIB, every night
    LKPM_SCAN_TIME = "07:20"  # WIB, every day: missing LKPM reports (realisation/scan.py), before the stall scan,
    # whose digests tell the new missing reports the same morning
    IMPORT_MAX_BYTES = 20 * 1024 * 1024  # one imported CSV or XLSX file (app/imports.py)
    SCAN_MISSED_AFTER_HOURS = 26  # no successful scan for this long: a warning for officers and /healthz
    # Notifications (permits/notify/services.py, permits/notify/outbox.py). Every message is kept in the app: each user
    # reads theirs under Notifications, an administrator reads all of them in /admin/outbox. MAIL_SERVER None
    # means no SMTP: nothing is mailed. Set it (e.g. FLASK_MAIL_SERVER=smtp.bantenprov.go.id) to mail them too.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True  # STARTTLS after connecting (port 587); False for a local relay on port 25
    MAIL_USERNAME: str | None = None  # no login when None
    MAIL_PASSWORD: str | None = None
    MAIL_CA_FILE: str | None = None  # a PEM file of the CA(s) to trust for STARTTLS instead of the system's
    MAIL_FROM = "Pantau DPMPTSP Banten <pantau@localhost>"  # its domain also names each mail's Message-ID
    MAIL_TIMEOUT_SECONDS = 30
    MAIL_BASE_URL: str | None = None  # e.g. "https://pantau.example.go.id": a link to Pantau in each mail
    OUTBOX_MAX_ATTEMPTS = 6  # then the message stays unsent, with its error, for an administrator to read
    OUTBOX_RETRY_MINUTES = 5  # wait after a failed attempt: 5, 10, 20, 40 ... minutes
    OUTBOX_INTERVAL_MINUTES = 5  # how often the scheduler mails what is due
    SEED_DEMO_ALLOWED = True

    @classmethod
    def check(cls, config: dict) -> None:
        """Refuse a configuration that would be unsafe; the base class accepts anything."""


class DevelopmentConfig(Config):
    DEBUG = False  # the debugger is opt-in with FLASK_DEBUG=1, never a default


class TestingConfig(Config):
    TESTING = True
    LOGIN_RATE_LIMIT = "1000 per minute"  # the rate-limit test sets its own
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    SECRET_KEY = "test-secret"  # noqa: S105


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    SEED_DEMO_ALLOWED = False

    @classmethod
    def check(cls, config: dict) -> None:
        if not config.get("SECRET_KEY") or config["SECRET_KEY"] == DEFAULT_SECRET:
            raise ConfigError("Production needs a real SECRET_KEY (set SECRET_KEY in the environment).")
        if len(config["SECRET_KEY"]) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production.")
        if not config.get("SQLALCHEMY_DATABASE_URI"):
            raise ConfigError("Production needs an explicit DATABASE_URL.")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
