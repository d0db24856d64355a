"""Routes of the shell: the language switch and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from sqlalchemy import text

from app.extensions import db
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
    try:
        db.session.execute(text("SELECT 1"))
        ok = True
    except Exception:  # noqa: BLE001 - report, never raise, from a health check
        db.session.rollback()
        ok = False
    return jsonify({"database": ok}), 200 if ok else 503
