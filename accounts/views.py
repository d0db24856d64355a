"""Administrators manage the accounts and read the audit log.

One blueprint (``users``, under ``/admin``), for administrators only (``guard_blueprint``): the list of users,
creating an account with an initial password, editing one (name, role, investor, region, active), an
administrator's reset of somebody's password, and the audit log. Views validate a form, call a service of
``accounts.services``, commit once, flash and redirect; a refused save shows the form again with the reasons beside the
fields and writes nothing. Unknown ids are a 404; unknown filter values are ignored.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from accounts.forms import ROLE_ORDER, AuditFilterForm, PasswordResetForm, UserCreateForm, UserEditForm, describe_event
from accounts.forms import role_filter as read_role
from accounts.services import (
    UserError,
    audit_query,
    audit_rows,
    create_user,
    get_user,
    reset_password,
    update_user,
    users_by_id,
    users_query,
)
from app.audit import record
from app.database import utcnow
from app.formatting import wib
from app.models import AuditEvent, AuditLog, Role, User
from app.pagination import keyset_page, paginate
from app.security import PasswordRejected, guard_blueprint
from app.transactions import refusal
from estates.queries import investor_names

bp = Blueprint("users", __name__, url_prefix="/admin", template_folder="templates")
guard_blueprint(bp, Role.ADMINISTRATOR)

MAX_SEARCH = 254


def _user_or_404(user_id: int) -> User:
    user = get_user(user_id)
    if user is None:
        abort(404)
    return user


# --- users ---------------------------------------------------------------------------------------------------


@bp.get("/users")
def user_list() -> ResponseReturnValue:
    text = request.args.get("q", "").strip()[:MAX_SEARCH]
    role = read_role(request.args.get("role"))
    page = paginate(users_query(text=text or None, role=role))
    return render_template(
        "users/list.html",
        page=page,
        investors=investor_names([u.investor_id for u in page.items]),
        q=text,
        role=role,
        roles=ROLE_ORDER,
        now_utc=utcnow(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
def user_create() -> ResponseReturnValue:
    form = UserCreateForm()
    if form.validate_on_submit():
        with refusal(UserError, PasswordRejected) as refused:  # the form checked the same rules: a race or a bypass
            user = create_user(
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
                investor_id=form.investor_id.data,
                region_id=form.region_id.data,
                created_by=current_user.id,
            )
        if refused:
            error = refused.error
            form.form_errors.append(str(error))
        else:
            flash(
                _("The account %(email)s was created. Give the person the initial password.", email=user.email),
                "success",
            )
            return redirect(url_for(".user_list"))
    return render_template("users/form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    form = UserEditForm(user=user, actor_id=current_user.id)
    if form.validate_on_submit():
        with refusal(UserError) as refused:
            changes = update_user(
                user,
                name=form.name.data,
                role=form.role.data,
                investor_id=form.investor_id.data,
                region_id=form.region_id.data,
                active=form.active.data,
                actor_id=current_user.id,
            )
        if refused:
            error = refused.error
            form.form_errors.append(str(error))
        else:
            if not changes:
                flash(_("Nothing changed for %(email)s.", email=user.email), "info")
            elif "deactivated" in changes:
                flash(_("%(email)s was deactivated and signed out everywhere.", email=user.email), "success")
            else:
                flash(_("The account %(email)s was saved.", email=user.email), "success")
            return redirect(url_for(".user_list"))
    investor = investor_names([user.investor_id]).get(user.investor_id) if user.investor_id else None
    return render_template("users/form.html", form=form, user=user, investor=investor)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        flash(_("Change your own password on the account page: it asks for the current one."), "info")
        return redirect(url_for("auth.password"))
    form = PasswordResetForm(user=user)
    if form.validate_on_submit():
        with refusal(UserError, PasswordRejected) as refused:
            reset_password(user, form.password.data, actor_id=current_user.id)
        if refused:
            error = refused.error
            form.password.errors = [*form.password.errors, str(error)]
        else:
            flash(
                _("The password of %(email)s was changed and every session of the account ended.", email=user.email),
                "success",
            )
            return redirect(url_for(".user_list"))
    return render_template("users/password.html", form=form, user=user)


# --- the audit log -------------------------------------------------------------------------------------------


@bp.get("/audit")
def audit_log() -> ResponseReturnValue:
    """Security events, newest first, filtered by kind and by an e-mail address (of the account or the actor)."""
    filters = AuditFilterForm(formdata=request.args)
    page = keyset_page(audit_query(**filters.query_kwargs()), AuditLog.at, AuditLog.id)  # no count of every row
    return render_template(
        "users/audit.html",
        page=page,
        filters=filters,
        actors=users_by_id([row.user_id for row in page.items]),
        describe=describe_event,
    )


@bp.get("/audit.csv")
def audit_csv() -> ResponseReturnValue:
    """The audit log with the page's filters, every row, as UTF-8 CSV (the export itself is audited)."""
    filters = AuditFilterForm(formdata=request.args)
    rows = audit_rows(audit_query(**filters.query_kwargs()))
    record(
        AuditEvent.EXPORTED, user_id=current_user.id, detail={"what": "audit log", "filters": request.args.to_dict()}
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("When"), _("Event"), _("Account"), _("By"), _("Details"), _("From"), _("Page")])
    for row, actor in rows:
        what, detail = describe_event(row)
        writer.writerow(
            [_cell(v) for v in (wib(row.at), what, row.email, actor.email if actor else "", detail, row.ip, row.path)]
        )
    response = Response(out.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response


def _cell(value: object) -> str:
    """A cell as text, with a leading formula character neutralised for spreadsheets."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
