"""The application factory: it only registers things (no migrations, seeding, prompts or network)."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from app.config import CONFIGS
from app.transactions import install_unit_of_work


def create_app(
    config_name: str | None = None, overrides: dict | None = None, instance_path: str | None = None
) -> Flask:
    """Build the app for ``config_name`` (default: ``PANTAU_ENV`` or "development").

    Configuration is layered: the config class, ``instance/config.py`` when present, ``DATABASE_URL`` and
    ``SECRET_KEY``, ``FLASK_*`` environment variables, then ``overrides`` (tests). ``instance_path``
    replaces the repository's ``instance/`` folder (tests use a temporary one, so a developer's config is
    not read). Production is checked before the SQLite fallback and refuses to start with the default
    secret or without an explicit database URL.
    """
    config_name = config_name or os.environ.get("PANTAU_ENV", "development")
    config_cls = CONFIGS[config_name]
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_object(config_cls)
    app.config.from_pyfile("config.py", silent=True)
    for key, variable in (("SQLALCHEMY_DATABASE_URI", "DATABASE_URL"), ("SECRET_KEY", "SECRET_KEY")):
        if os.environ.get(variable):
            app.config[key] = os.environ[variable]
    app.config.from_prefixed_env()
    if overrides:
        app.config.update(overrides)
    config_cls.check(app.config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "pantau.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    register_models()
    register_extensions(app)
    register_blueprints(app)
    install_unit_of_work(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_commands(app)
    register_jobs(app)
    return app


def register_models() -> None:
    """Import every package's models so that migrations and mappers see the whole schema."""
    import estates.models  # noqa: F401
    import permits.models
    import permits.notify.models
    import permits.stalls.models  # noqa: F401


def register_extensions(app: Flask) -> None:
    from app.database import install_sqlite_pragmas
    from app.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
    from app.headers import install_security_headers
    from app.i18n import select_locale

    db.init_app(app)
    install_sqlite_pragmas()
    migrate.init_app(
        app, db, directory=str(Path(app.root_path).parent / "migrations"), compare_type=True, render_as_batch=True
    )
    limiter.init_app(app)  # before CSRF, so that floods without a token are counted too
    csrf.init_app(app)
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories=str(Path(app.root_path) / "translations")
    )
    bootstrap.init_app(app)
    login_manager.init_app(app)
    install_security_headers(app)


def register_blueprints(app: Flask) -> None:
    from accounts.auth import bp as auth_bp
    from accounts.views import bp as users_bp
    from app.access import install_access_gate
    from app.urls import IdConverter
    from app.views import bp as core_bp
    from estates.views import bp as estates_bp
    from permits.admin.views import bp as admin_bp
    from permits.dashboard import bp as dashboard_bp
    from permits.documents.views import bp as documents_bp
    from permits.notify.views import bp as notifications_bp
    from permits.stalls.views import bp as stalls_bp
    from permits.views import bp as permits_bp
    from portal.views import bp as portal_bp

    app.url_map.converters["int"] = IdConverter  # before any route is added
    install_access_gate(app)
    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(estates_bp)
    app.register_blueprint(permits_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(stalls_bp)
    app.register_blueprint(users_bp)


def register_template_helpers(app: Flask) -> None:
    from app.formatting import register_filters

    register_filters(app)


def register_error_handlers(app: Flask) -> None:
    from app.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.cli import scheduler_cli, serve_command, users
    from permits.cli import register as register_permit_commands

    app.cli.add_command(users)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(serve_command)
    register_permit_commands(app)


def register_jobs(app: Flask) -> None:
    """Scheduled jobs: each a plain function of its package, run by the one scheduler (app/scheduler.py)."""
    from app.scheduler import daily_at, register_job
    from forecast.jobs import refresh_forecasts
    from permits.jobs import every_minutes, send_outbox, stall_scan

    register_job(app, "stall-scan", stall_scan, daily_at("STALL_SCAN_TIME"))
    register_job(app, "forecast-refresh", refresh_forecasts, daily_at("FORECAST_REFRESH_TIME"))
    if app.config.get("MAIL_SERVER"):  # without SMTP the messages stay in the app: nothing to send
        register_job(app, "send-outbox", send_outbox, every_minutes("OUTBOX_INTERVAL_MINUTES"))
