"""Routes of the shell: the language switch and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from sqlalchemy import text

from app.extensions import db
from app.monitoring import scan_overdue
from app.scheduler import last_success, scheduler_alive
from app.urls import safe_next

bp = Blueprint("core", __name__)


@bp.get("/language/<lang>")
def set_language(lang: str):
    """Remember the interface language in the session and go back where the user was."""
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.args.get("next"), url_for("dashboard.index")))


@bp.get("/healthz")
def healthz():
    """Operators' probe (public, no data): database reachable, last successful scan, scheduler alive.

    200 while the database answers (the web app can serve), with ``status`` "degraded" when the morning scan
    was missed (SCAN_MISSED_AFTER_HOURS) or no scheduler is alive; 503 when the database cannot be reached.
    """
    report: dict = {"database": False, "last_scan": None, "scan_overdue": None, "scheduler_alive": None}
    try:
        db.session.execute(text("SELECT 1"))
        report["database"] = True
        last = last_success("stall-scan")
        report["last_scan"] = last.finished_at.isoformat() if last and last.finished_at else None
        report["scan_overdue"] = scan_overdue(last)
        report["scheduler_alive"] = scheduler_alive()
    except Exception:  # noqa: BLE001 - report, never raise, from a health check
        db.session.rollback()
    if not report["database"]:
        report["status"] = "down"
    elif report["scan_overdue"] or not report["scheduler_alive"]:
        report["status"] = "degraded"
    else:
        report["status"] = "ok"
    return jsonify(report), 200 if report["database"] else 503
