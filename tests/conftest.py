"""Shared fixtures: one migrated database per run, emptied back to its reference data after every test.

The database is SQLite in a temporary folder unless ``TEST_DATABASE_URL`` names another (``make test``
runs the suite a second time against a throwaway PostgreSQL cluster). The schema is built by the real
migrations, so every run also proves that they upgrade a blank database.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import flask_babel
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import MetaData, insert, select, text

from app import create_app
from app.extensions import db
from app.models import Region, Role, User
from app.security import hash_password

# Without PANTAU_ENV the app is production; every app the tests build names "testing", and so do the
# processes they start (they inherit this).
os.environ.setdefault("PANTAU_ENV", "testing")

TEST_PASSWORD = "kata-sandi-uji-yang-panjang"
_user_seq = itertools.count(1)
REFERENCE_TABLES = (
    "region",
    "regime",
    "permit_type",
    "permit_type_prerequisite",
    "permit_rule",
    "setting",
    "agency",
    "agency_rule",
    "kbli_section",
    "province_realisation",
    "forecast_input",
    "data_version",
)


def _on_postgres() -> bool:
    return os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out (deselect, not skip) the tests that need the other engine: ``make test`` runs the suite on
    SQLite and again on PostgreSQL, so each engine-specific test runs in exactly one phase and none is skipped."""
    wrong = "sqlite_only" if _on_postgres() else "postgres_only"
    dropped = [item for item in items if wrong in item.keywords]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if wrong not in item.keywords]


def _forget_request_state() -> None:
    g.pop("_login_user", None)
    flask_babel.refresh()


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _drop_everything() -> None:
    """Start from a blank database even if a previous run was interrupted."""
    meta = MetaData()
    meta.reflect(bind=db.engine)
    meta.drop_all(bind=db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _compile_catalogues(translations: Path) -> None:
    """Compile each ``.po`` into its ``.mo`` when the ``.mo`` is missing or older, as ``make translations`` does.

    Tests then see the current Indonesian text even when nobody ran ``make``. The ``.mo`` is written to a
    temporary name and renamed, so a test run in parallel never reads half a file.
    """
    for po_path in translations.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        partial = mo_path.with_suffix(f".mo.{os.getpid()}")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        os.replace(partial, mo_path)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = _database_url(tmp_path_factory)
    instance = tmp_path_factory.mktemp("instance")
    # Assertions read the English msgids, so the shared test app speaks English unless a test switches it;
    # tests of the Indonesian default build their own app (see tests/test_translations.py).
    application = create_app(
        "testing", overrides={"SQLALCHEMY_DATABASE_URI": url, "BABEL_DEFAULT_LOCALE": "en"}, instance_path=str(instance)
    )
    # Test-client requests share the test's app context, and so ``g``: make each request load its own user
    # and language, as it would in production (first, before the sign-in gate reads the user).
    application.before_request_funcs.setdefault(None, []).insert(0, _forget_request_state)
    _compile_catalogues(Path(application.root_path) / "translations")
    with application.app_context():
        _drop_everything()
        upgrade()
        snapshot = {
            name: [dict(row._mapping) for row in db.session.execute(select(db.metadata.tables[name]))]
            for name in REFERENCE_TABLES
        }
        db.session.remove()
    application.config["REFERENCE_SNAPSHOT"] = snapshot
    yield application
    with application.app_context():
        db.engine.dispose()


def _reset(snapshot: dict[str, list[dict]]) -> None:
    """Delete every row, then put the reference rows back as the migrations left them."""
    from app import fragments
    from permits.calendar import invalidate_calendar_cache
    from permits.stalls.agency_figures import cached_figures

    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        for table in db.metadata.sorted_tables:
            rows = snapshot.get(table.name)
            if rows:
                conn.execute(insert(table), rows)
    invalidate_calendar_cache()
    fragments.clear()  # a stamp the reset restored could name figures of a test that is gone
    cached_figures.cache_clear()  # the figures' cache: ids start again after the reset, so its stamp could repeat


@pytest.fixture(autouse=True)
def _app_context(request: pytest.FixtureRequest) -> Iterator[None]:
    if "browser" in request.keywords:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        yield
        _reset(application.config["REFERENCE_SNAPSHOT"])


class SignedInClient(FlaskClient):
    """A test client that signs in on its first request, so the session cookie is signed at the test's time
    (a cookie signed before ``time_machine`` moves the clock back would look forged)."""

    sign_in_as: str | None = None

    def open(self, *args, **kwargs):
        if self.sign_in_as is not None:
            with self.session_transaction() as session:
                session["_user_id"] = self.sign_in_as
                session["_fresh"] = True
            self.sign_in_as = None
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One argon2 hash for every test user (hashing is slow on purpose)."""
    return hash_password(TEST_PASSWORD)


@pytest.fixture
def login_as(app: Flask, password_hash: str) -> Callable[..., FlaskClient]:
    """``login_as("investor", investor=inv)`` returns a test client signed in as a new user of that role.

    Options: ``investor`` (an Investor, for the investor role), ``region`` (a bps code, for a scoped
    officer), ``email``. The user row is created in the test's database; ``client.user`` is it.
    """

    def sign_in(role: str, *, investor=None, region: str | None = None, email: str | None = None) -> FlaskClient:
        region_id = db.session.scalar(select(Region.id).where(Region.bps_code == region)) if region else None
        user = User(
            email=email or f"{role}.{next(_user_seq)}@pantau.test",
            name=f"Test {role}",
            role=Role(role),
            password_hash=password_hash,
            investor_id=investor.id if investor is not None else None,
            region_id=region_id,
        )
        db.session.add(user)
        db.session.commit()
        test_client = SignedInClient(app, app.response_class, use_cookies=True)
        test_client.sign_in_as = user.get_id()
        test_client.user = user
        return test_client

    return sign_in


@pytest.fixture
def client(login_as: Callable[..., FlaskClient]) -> FlaskClient:
    """A client signed in as an officer for the whole province (the everyday user of the pages)."""
    return login_as("officer")


@pytest.fixture
def anon_client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def is_postgres(app: Flask) -> bool:
    return db.engine.dialect.name == "postgresql"
