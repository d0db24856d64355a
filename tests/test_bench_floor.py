"""The floor page of ``bench/bench_throughput.py`` (``bench/floor_app.py``): signed in only, the base layout and
one indexed query, on an app of its own (production's routes and the access table stay as they are)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, select

from app import create_app
from app.extensions import db
from app.models import Region, Role, User

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from floor_app import PATH, install  # bench/ is not a package


@pytest.fixture
def floor_app(app: Flask):
    made = install(create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}))
    yield made
    with made.app_context():
        db.engine.dispose()


def _signed_in(made: Flask, user: User):
    client = made.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def test_the_floor_page_is_not_a_production_route(app):
    assert PATH not in {rule.rule for rule in app.url_map.iter_rules()}


def test_signed_in_only_the_base_layout_and_the_region(floor_app, password_hash):
    assert floor_app.test_client().get(PATH).status_code == 302  # to the sign-in page
    region = db.session.scalars(select(Region).order_by(Region.id)).first()
    user = User(email="floor@pantau.test", name="Lantai", role=Role.OFFICER, password_hash=password_hash)
    user.region_id = region.id
    db.session.add(user)
    db.session.commit()
    client = _signed_in(floor_app, user)
    client.get(PATH)  # warm: templates, settings
    statements: list[str] = []
    with floor_app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_rest):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(PATH)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<h1>{region.name}</h1>" in html and "</nav>" in html
    # The signed-in user, the layout's unread notifications and its scope's kab/kota, and the page's one query.
    assert len(statements) == 4, [" ".join(s.split())[:90] for s in statements]
    ours = "SELECT region.name FROM region WHERE region.id ="
    assert sum(" ".join(s.split()).startswith(ours) for s in statements) == 1
