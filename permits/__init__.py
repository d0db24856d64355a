"""The permit catalogue, each estate's permits, the stage machine, the deadline clock and the working-day
calendar; with sub-packages for the issuing agencies and their rules (``agencies``), the stall flags
(``stalls``), notifications (``notify``), documents (``documents``) and the administrator's pages (``admin``)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    import permits.models  # the schema, for migrations and mappers
    import permits.regions  # noqa: F401 - the permits' copy of their estate's kab/kota
    from app.scheduler import daily_at, register_job
    from permits import (
        admin,
        agencies,
        cli,
        dashboard,
        documents,
        import_views,
        jobs,
        notify,
        stalls,
        tally,
        views,
        workflow,
    )

    app.add_template_global(workflow.due_is_estimated, "due_is_estimated")
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(import_views.bp)
    app.cli.add_command(cli.permits_cli)
    register_job(app, "stall-scan", jobs.stall_scan, daily_at("STALL_SCAN_TIME"))
    tally.register()  # the counts per kab/kota and status, kept by every flush
    for package in (admin, agencies, documents, notify, stalls):
        package.register(app)
