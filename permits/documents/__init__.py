"""Documents of a permit: uploads checked by content, stored under instance/, downloaded through access checks."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from permits.documents import models, views  # noqa: F401 - models: the schema, for migrations and mappers

    app.register_blueprint(views.bp)
