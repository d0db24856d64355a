"""Shared fixtures: one migrated database per run, emptied back to its reference data after every test.

The database is SQLite in a temporary folder unless ``TEST_DATABASE_URL`` names another (``make test``
runs the suite a second time against a throwaway PostgreSQL cluster). The schema is built by the real
migrations, so every run also proves that they upgrade a blank database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import flask_babel
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import MetaData, insert, select, text

from app import create_app
from app.models import db

REFERENCE_TABLES = ("region", "permit_type", "permit_type_prerequisite", "setting")


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


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = _database_url(tmp_path_factory)
    instance = tmp_path_factory.mktemp("instance")
    application = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url}, instance_path=str(instance))
    # Test-client requests share the test's app context (and so ``g``); let each pick its language afresh.
    application.before_request(flask_babel.refresh)
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
    from permits.calendar import invalidate_calendar_cache

    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        for table in db.metadata.sorted_tables:
            rows = snapshot.get(table.name)
            if rows:
                conn.execute(insert(table), rows)
    invalidate_calendar_cache()


@pytest.fixture(autouse=True)
def _app_context(request: pytest.FixtureRequest) -> Iterator[None]:
    if "browser" in request.keywords:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        yield
        _reset(application.config["REFERENCE_SNAPSHOT"])


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def is_postgres(app: Flask) -> bool:
    return db.engine.dialect.name == "postgresql"
