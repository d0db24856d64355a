"""The home page: estates, investment in the pipeline and permits by status."""

from flask import Blueprint, render_template

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.get("/")
def index():
    return render_template("base.html")
