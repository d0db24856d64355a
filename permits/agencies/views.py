"""The administrator's pages of the agencies: the list with contacts and the catalogue's rules, an agency's names
and contact, a rule's target. Administrators only (``guard_blueprint``); views validate a form, call a service
(``permits.agencies.services``), flash and redirect; a refused save shows the form again and writes nothing.
The blueprint also carries ``agencies/_agency.html`` (an agency's name and contact, as every page shows them),
and ``agency_name`` is the template filter that names an agency in the interface language.
"""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.models import Role
from app.security import guard_blueprint
from app.transactions import refusal
from permits import services as permits
from permits.agencies import services
from permits.agencies.forms import AgencyForm, RuleForm, target_value
from permits.agencies.models import Agency, AgencyKind, AgencyLevel

bp = Blueprint("agencies", __name__, url_prefix="/admin", template_folder="templates")
guard_blueprint(bp, Role.ADMINISTRATOR)


def agency_name(agency: Agency | None) -> str:
    """The ``agency_name`` template filter: the name in the interface language (every template, macros too)."""
    return agency.name(str(get_locale() or "id")) if agency is not None else ""


def _targets() -> list[tuple[AgencyKind, AgencyLevel]]:
    """The (kind, level) pairs some agency has, in the order of the enums."""
    pairs = {(a.kind, a.level) for a in services.all_agencies()}
    return [(kind, level) for kind in AgencyKind for level in AgencyLevel if (kind, level) in pairs]


@bp.get("/agencies")
def agency_list() -> ResponseReturnValue:
    """Every agency with its contact, and every rule in the catalogue's order."""
    types = permits.catalogue()
    rules_by_type = defaultdict(list)
    for rule in services.all_rules():
        rules_by_type[rule.permit_type_id].append(rule)
    rules = [
        (ptype, rule)
        for ptype in types
        for rule in sorted(rules_by_type[ptype.id], key=lambda r: (r.capital_status is None, r.capital_status or ""))
    ]
    resolver = services.AgencyResolver()
    return render_template(
        "agencies/list.html",
        agencies=services.all_agencies(),
        rules=rules,
        unruled=[t for t in types if not rules_by_type[t.id]],
        resolver=resolver,
        missing={kind: services.regions_without(kind) for kind in AgencyKind},
    )


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
def agency_edit(agency_id: int) -> ResponseReturnValue:
    agency = services.get_agency(agency_id)
    form = AgencyForm()
    if request.method == "GET":
        form.fill_from(agency)
    if form.validate_on_submit():
        with refusal(services.AgencyError) as refused:
            changed = services.update_agency(agency, form.to_fields(), actor_id=current_user.id)
        if refused:
            for name, message in refused.error.errors.items():
                form[name].errors = [*form[name].errors, message]
        else:
            name = agency.name(str(get_locale() or "id"))
            flash(_("%(name)s saved.", name=name) if changed else _("Nothing changed."), "success")
            return redirect(url_for(".agency_list", _anchor=f"agency-{agency.id}"))
    return render_template("agencies/agency_form.html", form=form, agency=agency)


@bp.route("/agency-rules/<int:rule_id>/edit", methods=["GET", "POST"])
def rule_edit(rule_id: int) -> ResponseReturnValue:
    rule = services.get_rule(rule_id)
    ptype = next(t for t in permits.catalogue() if t.id == rule.permit_type_id)
    form = RuleForm(targets=_targets())
    if request.method == "GET":
        form.target.data = target_value(rule.agency_kind, rule.agency_level)
        form.source.data = rule.source
    if form.validate_on_submit():
        kind, level = form.kind_and_level
        with refusal(services.AgencyError) as refused:
            changed = services.update_rule(rule, kind, level, form.source.data, actor_id=current_user.id)
        if refused:
            form.target.errors = [*form.target.errors, refused.error.errors["target"]]
        else:
            message = _("The rule for %(code)s saved: it applies to permits recorded from now on.", code=ptype.code)
            flash(message if changed else _("Nothing changed."), "success")
            return redirect(url_for(".agency_list", _anchor="rules"))
    return render_template("agencies/rule_form.html", form=form, rule=rule, ptype=ptype)
