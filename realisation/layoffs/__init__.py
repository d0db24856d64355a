"""Layoff (PHK) records per kab/kota, quarter and KBLI section, entered or imported like the LKPM reports."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    import realisation.layoffs.models  # noqa: F401 - the schema, for migrations and mappers
    from realisation.cli import layoffs_cli
    from realisation.layoffs import views

    app.register_blueprint(views.bp)
    app.cli.add_command(layoffs_cli)
