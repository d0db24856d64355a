"""Pantau as ``wsgi.py`` builds it, plus one bench-only page: the floor of ``bench/bench_throughput.py``.

    gunicorn --pythonpath bench 'floor_app:create()'

``/bench/floor`` is what the least page of the app costs: signed in (the session, the user's row, the access
gate), the base layout (navigation, language, scope) and one indexed query (the name of the user's kab/kota, by
its primary key). It is not a production route: only this module registers it, so that ``wsgi.py``, the access
table (``tests/test_access.py``) and the app's pages stay as they are. Run as a script it does nothing.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import Region

PATH = "/bench/floor"
SOURCE = """{% extends "base.html" %}
{% block title %}{{ _("Dashboard") }}{% endblock %}
{% block content %}<h1>{{ region or "Banten" }}</h1>{% endblock %}
"""

floor = Blueprint("bench_floor", __name__)
_template: list = []  # compiled once per worker


@floor.get(PATH)
def page():
    region = db.session.scalar(select(Region.name).where(Region.id == current_user.region_id))
    if not _template:
        _template.append(current_app.jinja_env.from_string(SOURCE))
    return render_template(_template[0], region=region)


def install(app: Flask) -> Flask:
    app.register_blueprint(floor)
    return app


def create() -> Flask:
    """The app of ``wsgi.py`` (its configuration from the environment, its frozen garbage) with the floor page."""
    import wsgi

    return install(wsgi.app)
