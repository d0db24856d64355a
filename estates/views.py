"""Pages for investors, estates, zones and claims."""

from flask import Blueprint

bp = Blueprint("estates", __name__, template_folder="templates")


@bp.get("/investors")
def investor_list():
    return "todo"


@bp.get("/estates")
def estate_list():
    return "todo"
