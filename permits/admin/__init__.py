"""The administrator's pages of the permits package: the catalogue, closure dates and settings."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from permits.admin import views

    app.register_blueprint(views.bp)
