"""Pages for the permits of each estate."""

from flask import Blueprint

bp = Blueprint("permits", __name__, template_folder="templates")


@bp.get("/permits")
def permit_list():
    return "todo"
