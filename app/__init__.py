"""The application factory: it only registers things (no migrations, seeding, prompts or network)."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from app.config import CONFIGS
from app.proxies import install_proxy_fix, warn_about_per_process_limits
from app.transactions import install_unit_of_work


def create_app(
    config_name: str | None = None, overrides: dict | None = None, instance_path: str | None = None
) -> Flask:
    """Build the app for ``config_name`` (default: ``PANTAU_ENV``, else "production": safe by default).

    Configuration is layered: the config class, ``instance/config.py`` when present, ``DATABASE_URL`` and
    ``SECRET_KEY``, ``FLASK_*`` environment variables, then ``overrides`` (tests). ``instance_path``
    replaces the repository's ``instance/`` folder (tests use a temporary one, so a developer's config is
    not read). Production is checked before the SQLite fallback and refuses to start with the default
    secret or without an explicit database URL.
    """
    # Without PANTAU_ENV a server runs the production configuration, which refuses the public secret and demo
    # seeding; `make run` and the tests name development and testing explicitly.
    config_name = config_name or os.environ.get("PANTAU_ENV") or "production"
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

    install_proxy_fix(app)
    if config_name == "production":
        warn_about_per_process_limits(app)
    register_extensions(app)
    register_shell(app)
    register_packages(app)
    install_unit_of_work(app)  # after every view is registered
    return app


def register_extensions(app: Flask) -> None:
    from app.database import install_sqlite_pragmas
    from app.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
    from app.fragments import install as install_change_counter
    from app.headers import install_security_headers
    from app.i18n import install_template_gettext, select_locale
    from app.input_policy import install_input_policy

    db.init_app(app)
    install_sqlite_pragmas()
    install_change_counter()  # a cached figure is stale as soon as any write commits
    migrate.init_app(
        app, db, directory=str(Path(app.root_path).parent / "migrations"), compare_type=True, render_as_batch=True
    )
    limiter.init_app(app)  # before CSRF, so that floods without a token are counted too
    install_input_policy(app)  # right after: before any hook or view that reads the database
    csrf.init_app(app)
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories=str(Path(app.root_path) / "translations")
    )
    install_template_gettext(app)  # after Babel's: the same callables, the translations found once per locale
    bootstrap.init_app(app)
    login_manager.init_app(app)
    install_security_headers(app)


def register_shell(app: Flask) -> None:
    """The shell's own pieces: ids in routes, the sign-in gate, its pages, filters, error answers, commands."""
    from app.access import install_access_gate
    from app.cli import backup_command, restore_command, scheduler_cli, serve_command
    from app.errors import register as register_error_handlers
    from app.formatting import register_filters
    from app.import_pages import limit_import_size
    from app.urls import IdConverter, id_url
    from app.views import bp as core_bp

    app.url_map.converters["int"] = IdConverter  # before any route is added
    install_access_gate(app)
    app.before_request(limit_import_size)  # the import pages' size limit, before a body is read
    app.register_blueprint(core_bp)
    register_filters(app)
    app.add_template_global(id_url)  # url_for for a list of links, built once
    register_error_handlers(app)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(serve_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def register_packages(app: Flask) -> None:
    """Each package registers its own blueprints, commands and scheduled jobs, lowest layer first."""
    import accounts
    import api
    import devtools
    import estates
    import forecast
    import permits
    import portal
    import realisation

    for package in (estates, permits, forecast, realisation, portal, accounts, api, devtools):
        package.register(app)
