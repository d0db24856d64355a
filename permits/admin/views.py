"""Administration pages: the permit catalogue and its rules per regime, the working-day calendar, the settings.

One blueprint (``admin``, under ``/admin``), for administrators only (``guard_blueprint``). Views validate a
form, call a service (``permits.admin.catalogue``, ``rules``, ``closures``, ``settings``), flash and redirect
(the request commits once); a refused save
shows the form again with messages beside the fields and writes nothing. Unknown ids are a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.formatting import day as format_day
from app.models import Role
from app.numbers import strict_int
from app.pagination import paginate
from app.security import guard_blueprint
from app.transactions import refusal
from permits.admin import catalogue as services
from permits.admin import closures, rules, settings
from permits.admin.forms import ClosureForm, ConfirmForm, PermitTypeForm, RegimeForm, RuleForm, setting_form
from permits.calendar import MAX_YEAR, MIN_YEAR
from permits.workflow import AT_RISK_SETTING, today_wib

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
guard_blueprint(bp, Role.ADMINISTRATOR)


def _locale() -> str:
    return str(get_locale() or "id")


def _due_dates(changed: closures.ClosureChanged) -> str:
    return _due_dates_message(changed.deadlines_moved)


def _due_dates_message(moved: int) -> str:
    if moved == 0:
        return _("No open permit's due date changed.")
    return ngettext("%(num)d open permit got a new due date.", "%(num)d open permits got a new due date.", moved)


def _at_risk_message(moved: int) -> str:
    if moved == 0:
        return _("No open permit's at-risk date changed.")
    return ngettext(
        "%(num)d open permit got a new at-risk date.", "%(num)d open permits got a new at-risk date.", moved
    )


@bp.get("/")
def index() -> ResponseReturnValue:
    year = today_wib().year
    return render_template("admin/index.html", overview=services.overview(year), year=year)


# --- the permit catalogue ----------------------------------------------------------------------------------


@bp.get("/permit-types")
def permit_type_list() -> ResponseReturnValue:
    return render_template("admin/permit_types.html", page=paginate(services.catalogue_query()))


@bp.route("/permit-types/<int:type_id>/edit", methods=["GET", "POST"])
def permit_type_edit(type_id: int) -> ResponseReturnValue:
    ptype = services.get_permit_type(type_id)
    if ptype is None:
        abort(404)
    types = services.all_permit_types()
    form = PermitTypeForm(obj=ptype, type_id=ptype.id, types=types)
    if request.method == "GET":
        form.prerequisites.data = [p.id for p in ptype.prerequisites]
    if form.validate_on_submit():
        with refusal(services.AdminError) as refused:
            services.update_permit_type(ptype, form.to_fields(), current_user.id)
        if refused:
            form.add_errors(refused.error.errors)
        else:
            flash(_("Permit type %(code)s saved.", code=ptype.code), "success")
            return redirect(url_for(".permit_type_list"))
    return render_template(
        "admin/permit_type_form.html",
        form=form,
        ptype=ptype,
        dependants=services.dependants(ptype.id),
        regimes=rules.regimes(),
    )


@bp.route("/permit-types/<int:type_id>/rules/<int:regime_id>", methods=["GET", "POST"])
def rule_edit(type_id: int, regime_id: int) -> ResponseReturnValue:
    """A permit type's limits and silence outcomes under one regime; saving moves only that regime's clocks."""
    rule = rules.get_rule(type_id, regime_id)
    if rule is None:
        abort(404)
    ptype = services.get_permit_type(type_id)
    form = RuleForm(obj=rule)
    if form.validate_on_submit():
        with refusal(services.AdminError) as refused:
            saved = rules.update_rule(rule, form.to_fields(), current_user.id)
        if refused:
            form.add_errors(refused.error.errors)
        else:
            message = _("The rule of %(code)s under %(regime)s is saved.", code=ptype.code, regime=rule.regime.name)
            flash(message + " " + _due_dates_message(saved.deadlines_moved), "success")
            return redirect(url_for(".permit_type_edit", type_id=type_id))
    return render_template("admin/rule_form.html", form=form, ptype=ptype, rule=rule)


@bp.get("/regimes")
def regime_list() -> ResponseReturnValue:
    return render_template("admin/regimes.html", regimes=rules.regimes())


@bp.route("/regimes/<int:regime_id>/edit", methods=["GET", "POST"])
def regime_edit(regime_id: int) -> ResponseReturnValue:
    """The first filing day a regulation governs (PP 28/2025 Pasal 547(a)); filed permits keep theirs."""
    regime = rules.get_regime(regime_id)
    if regime is None:
        abort(404)
    form = RegimeForm(obj=regime)
    if form.validate_on_submit():
        with refusal(services.AdminError) as refused:
            rules.update_regime(
                regime, form.applies_from.data, form.applies_from_confirmed.data, form.source.data, current_user.id
            )
        if refused:
            PermitTypeForm.add_errors(form, refused.error.errors)  # type: ignore[arg-type]
        else:
            flash(_("%(regime)s saved.", regime=regime.name), "success")
            return redirect(url_for(".regime_list"))
    return render_template("admin/regime_form.html", form=form, regime=regime)


# --- closure dates -----------------------------------------------------------------------------------------


def _year() -> tuple[int, str | None]:
    """The ``year`` query argument; the current year in WIB (and a notice) when missing or out of range."""
    current = today_wib().year
    raw = request.args.get("year", "").strip()
    if not raw:
        return current, None
    year = strict_int(raw, maximum=9999)
    if year is not None and closures.year_in_range(year):
        return year, None
    notice = _(
        "The calendar covers %(first)s to %(last)s; showing %(year)s instead.",
        first=MIN_YEAR,
        last=MAX_YEAR,
        year=current,
    )
    return current, notice


def _closures_page(form: ClosureForm, year: int, notice: str | None = None) -> str:
    overrides = closures.list_overrides(year)
    return render_template(
        "admin/closures.html",
        form=form,
        year=year,
        notice=notice,
        overrides=overrides,
        reference=closures.reference_days(year, overrides, _locale()),
        summary=closures.year_summary(year),
        min_year=MIN_YEAR,
        max_year=MAX_YEAR,
    )


@bp.route("/closures", methods=["GET", "POST"])
def closure_list() -> ResponseReturnValue:
    year, notice = _year()
    form = ClosureForm()
    if form.validate_on_submit():
        with refusal(closures.CalendarOverrideError) as refused:
            changed = closures.add_closure(form.day.data, form.kind.data, form.reason.data, current_user)
        if isinstance(refused.error, closures.DuplicateOverrideError):
            form.day.errors = [*form.day.errors, str(refused.error)]
        elif refused:
            form.form_errors.append(str(refused.error))
        else:
            day = changed.override.day
            flash(_("%(day)s added to the calendar.", day=format_day(day)) + " " + _due_dates(changed), "success")
            return redirect(url_for(".closure_list", year=day.year))
    return _closures_page(form, year, notice)


@bp.route("/closures/<int:override_id>/remove", methods=["GET", "POST"])
def closure_remove(override_id: int) -> ResponseReturnValue:
    override = closures.get_override(override_id)
    if override is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        changed = closures.remove_closure(override.id, current_user)
        day = changed.override.day
        flash(_("%(day)s removed from the calendar.", day=format_day(day)) + " " + _due_dates(changed), "success")
        return redirect(url_for(".closure_list", year=day.year))
    return render_template("admin/closure_remove.html", form=form, override=override)


# --- settings ----------------------------------------------------------------------------------------------


@bp.get("/settings")
def setting_list() -> ResponseReturnValue:
    return render_template(
        "admin/settings.html",
        page=paginate(settings.settings_query()),
        display_value=settings.display_value,
        setting_label=settings.setting_label,
        setting_help=settings.setting_help,
    )


@bp.route("/settings/<key>/edit", methods=["GET", "POST"])
def setting_edit(key: str) -> ResponseReturnValue:
    setting = settings.get_setting(key)
    if setting is None:
        abort(404)
    form = setting_form(setting.key, setting.value)
    if form.value.type == "BooleanField":
        form.value.label.text = settings.setting_label(setting.key)  # the switch says what it turns on
    if form.validate_on_submit():
        with refusal(services.AdminError) as refused:
            saved = settings.update_setting(setting, form.stored_value(), current_user.id)
        if refused:
            error = refused.error
            form.value.errors = [*form.value.errors, str(error.errors["value"])]
        else:
            label = settings.setting_label(setting.key)
            message = _("Saved: %(setting)s.", setting=label)
            if not saved.changed:
                message = _("Nothing changed: %(setting)s.", setting=label)
            elif saved.deadlines_moved is not None:
                describe = _at_risk_message if setting.key == AT_RISK_SETTING else _due_dates_message
                message += " " + describe(saved.deadlines_moved)
            flash(message, "success")
            return redirect(url_for(".setting_list"))
    return render_template(
        "admin/setting_form.html",
        form=form,
        setting=setting,
        label=settings.setting_label(setting.key),
        help=settings.setting_help(setting.key),
        display_value=settings.display_value,
        affects_deadlines=setting.key in settings.DEADLINE_SETTINGS,
    )
