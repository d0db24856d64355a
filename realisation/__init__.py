"""Realisation: the LKPM reports investors file (with their corrections, import and missing-report scan), layoffs
(``layoffs``) and the province's published totals beside the register (``province``)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    import realisation.models  # noqa: F401 - the schema, for migrations and mappers
    from app.scheduler import daily_at, register_job
    from permits.admin.settings import SETTING_KINDS, SettingKind
    from permits.notify.extras import register_source
    from realisation import cli, jobs, layoffs, notify, province, views
    from realisation.rules import NEXT_WORKING_DAY_SETTING

    SETTING_KINDS.setdefault(NEXT_WORKING_DAY_SETTING, SettingKind.BOOLEAN)  # the administrator edits a switch
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.lkpm_cli)
    register_source(notify.SOURCE)  # the missing-report flags in the digests
    register_job(app, "lkpm-scan", jobs.lkpm_scan, daily_at("LKPM_SCAN_TIME"))
    for package in (layoffs, province):
        package.register(app)
