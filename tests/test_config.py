"""Configuration: safe production defaults and the order in which settings override each other.

Order: the config class, then ``instance/config.py``, then the environment variables ``DATABASE_URL`` and
``SECRET_KEY``, then ``FLASK_*`` environment variables, then the factory's ``overrides``. ``make run``
serves on ``PORT`` (default 5000), checked here through ``make -n``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.config import DEFAULT_SECRET, ConfigError

ROOT = Path(__file__).resolve().parent.parent
REAL_KEY = "k" * 32  # the shortest key production accepts
IN_MEMORY = "sqlite://"


@pytest.fixture(autouse=True)
def instance_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the instance folder at an empty temporary one and clear the variables that configure Pantau."""
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(folder))
    for name in list(os.environ):
        if name.startswith("FLASK_"):
            monkeypatch.delenv(name)
    for name in ("PANTAU_ENV", "DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    return folder


def production(**overrides: object) -> Flask:
    return create_app(
        "production", overrides={"SECRET_KEY": REAL_KEY, "SQLALCHEMY_DATABASE_URI": IN_MEMORY, **overrides}
    )


# --- production refuses unsafe settings ---------------------------------------------------------------


def test_production_starts_with_a_real_key_and_a_database_url() -> None:
    app = production()
    assert app.config["SECRET_KEY"] == REAL_KEY
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SEED_DEMO_ALLOWED"] is False
    assert not app.debug and not app.testing


@pytest.mark.parametrize("key", [DEFAULT_SECRET, "", None])
def test_production_refuses_the_default_or_an_empty_secret_key(key: str | None) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        production(SECRET_KEY=key)


@pytest.mark.parametrize(("length", "accepted"), [(31, False), (32, True)])
def test_production_secret_key_needs_32_characters(length: int, accepted: bool) -> None:
    if accepted:
        assert production(SECRET_KEY="s" * length).config["SECRET_KEY"] == "s" * length
    else:
        with pytest.raises(ConfigError, match="32"):
            production(SECRET_KEY="s" * length)


@pytest.mark.parametrize("url", [None, ""])
def test_production_refuses_a_missing_database_url(url: str | None) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        production(SQLALCHEMY_DATABASE_URI=url)


def test_development_and_testing_accept_the_default_key() -> None:
    assert create_app("development", overrides={"SQLALCHEMY_DATABASE_URI": IN_MEMORY}).config["DEBUG"] is False
    assert create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": IN_MEMORY}).testing


def test_pantau_env_chooses_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_ENV", "production")
    with pytest.raises(ConfigError):
        create_app(overrides={"SQLALCHEMY_DATABASE_URI": IN_MEMORY, "SECRET_KEY": DEFAULT_SECRET})
    monkeypatch.setenv("PANTAU_ENV", "testing")
    assert create_app(overrides={"SQLALCHEMY_DATABASE_URI": IN_MEMORY}).testing


def test_without_pantau_env_the_app_is_production_and_refuses_the_default_secret() -> None:
    """Safe by default: `gunicorn wsgi:app` with no PANTAU_ENV must not start with the public secret."""
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(overrides={"SQLALCHEMY_DATABASE_URI": IN_MEMORY})
    app = create_app(overrides={"SQLALCHEMY_DATABASE_URI": IN_MEMORY, "SECRET_KEY": REAL_KEY})
    assert app.config["SEED_DEMO_ALLOWED"] is False
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_make_run_names_the_development_configuration() -> None:
    plan = make_run_plan()
    assert "PANTAU_ENV=${PANTAU_ENV:-development}" in plan
    assert all("PANTAU_ENV=" in line for line in plan.splitlines() if "flask --app wsgi" in line), plan


def test_unknown_config_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_ENV", "staging")
    with pytest.raises(KeyError):
        create_app()


# --- override order: class < instance/config.py < FLASK_* < overrides ---------------------------------


def test_instance_config_overrides_the_class(instance_dir: Path) -> None:
    assert create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": IN_MEMORY}).config["PAGE_SIZE"] == 20
    (instance_dir / "config.py").write_text("PAGE_SIZE = 7\nSECRET_KEY = 'from-instance'\n")
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": IN_MEMORY})
    assert app.config["PAGE_SIZE"] == 7
    assert app.config["SECRET_KEY"] == "from-instance"


def test_flask_env_vars_override_instance_config(instance_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (instance_dir / "config.py").write_text("PAGE_SIZE = 7\n")
    monkeypatch.setenv("FLASK_PAGE_SIZE", "9")  # parsed as JSON: an int
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": IN_MEMORY})
    assert app.config["PAGE_SIZE"] == 9
    assert app.config["SECRET_KEY"] == "from-env"


def test_factory_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_PAGE_SIZE", "9")
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": IN_MEMORY, "PAGE_SIZE": 3})
    assert app.config["PAGE_SIZE"] == 3


def test_production_key_can_come_from_instance_config(instance_dir: Path) -> None:
    (instance_dir / "config.py").write_text(f"SECRET_KEY = {REAL_KEY!r}\nSQLALCHEMY_DATABASE_URI = 'sqlite://'\n")
    assert create_app("production").config["SECRET_KEY"] == REAL_KEY


# --- DATABASE_URL and SECRET_KEY from the environment --------------------------------------------------


def test_without_database_url_development_uses_sqlite_in_the_instance_folder(instance_dir: Path) -> None:
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance_dir / 'pantau.sqlite3'}"


def test_database_url_names_the_database_and_beats_instance_config(
    instance_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (instance_dir / "config.py").write_text("SQLALCHEMY_DATABASE_URI = 'sqlite:///from-instance.sqlite3'\n")
    assert create_app("development").config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///from-instance.sqlite3"
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert create_app("development").config["SQLALCHEMY_DATABASE_URI"] == url


def test_flask_prefixed_database_uri_beats_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///plain.sqlite3")
    monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", "sqlite:///prefixed.sqlite3")
    assert create_app("development").config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///prefixed.sqlite3"


def test_secret_key_and_database_url_from_the_environment_satisfy_production(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+psycopg://pantau@db.internal/pantau"
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", REAL_KEY)
    app = create_app("production")
    assert (app.config["SQLALCHEMY_DATABASE_URI"], app.config["SECRET_KEY"]) == (url, REAL_KEY)


def test_empty_database_url_is_ignored_and_production_still_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("SECRET_KEY", REAL_KEY)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        create_app("production")


# --- PORT: `make run` serves on 127.0.0.1:${PORT:-5000} -----------------------------------------------


def make_run_plan(**env: str) -> str:
    """What `make run` would execute (``make -n``: nothing is run)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "MAKEFLAGS", "MAKELEVEL")}
    result = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_serves_on_port_5000_by_default_and_port_overrides_it() -> None:
    assert "serve --host 127.0.0.1 --port 5000" in make_run_plan()
    assert "serve --host 127.0.0.1 --port 5123" in make_run_plan(PORT="5123")


def test_make_run_migrates_and_seeds_before_serving() -> None:
    plan = make_run_plan()
    steps = ["db upgrade", "seed-demo --if-empty", "serve --host 127.0.0.1"]
    positions = [plan.find(step) for step in steps]
    assert all(p >= 0 for p in positions), plan
    assert positions == sorted(positions), plan
