"""Administrators manage the accounts and read the audit log.

One blueprint (``users``, under ``/admin``), for administrators only (``guard_blueprint``): the list of users,
creating an account with an initial password, editing one (name, role, investor, region, active), an
administrator's reset of somebody's password, and the audit log. Views validate a form, call a service of
``accounts.services``, commit once, flash and redirect; a refused save shows the form again with the reasons beside the
fields and writes nothing. Unknown ids are a 404; unknown filter values are ignored.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select

from accounts.forms import ROLE_ORDER, AuditFilterForm, PasswordResetForm, UserCreateForm, UserEditForm, describe_event
from accounts.forms import role_filter as read_role
from accounts.services import (
    AUDIT_DEFAULT_SORT,
    AUDIT_SORTS,
    USER_DEFAULT_SORT,
    USER_SORTS,
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
from app.database import utcnow
from app.formatting import wib
from app.listing import Sort, csv_download, every_row, read_sort
from app.models import AuditLog, Role, User
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


def _users() -> tuple[str, Role | None, Sort, Select]:
    text = request.args.get("q", "").strip()[:MAX_SEARCH]
    role = read_role(request.args.get("role"))
    sort = read_sort(USER_SORTS, default=USER_DEFAULT_SORT)
    return text, role, sort, users_query(text=text or None, role=role, sort=sort)


@bp.get("/users")
def user_list() -> ResponseReturnValue:
    text, role, sort, query = _users()
    page = paginate(query)
    return render_template(
        "users/list.html",
        page=page,
        investors=investor_names([u.investor_id for u in page.items]),
        q=text,
        role=role,
        sort=sort,
        roles=ROLE_ORDER,
        now_utc=utcnow(),
    )


@bp.get("/users.csv")
def user_list_csv() -> ResponseReturnValue:
    """The accounts with the page's filters and order, as UTF-8 CSV (audited); never a password hash."""
    _text, _role, _sort, query = _users()
    users = every_row(query)
    investors = investor_names([u.investor_id for u in users])
    header = [_("E-mail"), _("Name"), _("Role"), _("Investor or kab/kota"), _("Status"), _("Last sign-in")]

    def line(user: User) -> list[object]:
        where = investors.get(user.investor_id) if user.investor_id else user.region.name if user.region else ""
        status = _("Active") if user.active else _("Inactive")
        return [
            user.email,
            user.name,
            user.role.label,
            where,
            status,
            wib(user.last_login_at) if user.last_login_at else "",
        ]

    return csv_download("users", "users.csv", header, (line(u) for u in users))


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


def _audit_filters() -> tuple[AuditFilterForm, Sort, Select]:
    filters = AuditFilterForm(formdata=request.args)
    sort = read_sort(AUDIT_SORTS, default=AUDIT_DEFAULT_SORT)
    return filters, sort, audit_query(**filters.query_kwargs(), sort=sort)


@bp.get("/audit")
def audit_log() -> ResponseReturnValue:
    """Security events, newest first, filtered by kind and by an e-mail address (of the account or the actor)."""
    filters, sort, query = _audit_filters()
    keyset = sort == AUDIT_DEFAULT_SORT  # newest first, the log's own order: pages by cursor, no count of every row
    page = keyset_page(query, AuditLog.at, AuditLog.id) if keyset else paginate(query)
    return render_template(
        "users/audit.html",
        page=page,
        filters=filters,
        sort=sort,
        keyset=keyset,
        actors=users_by_id([row.user_id for row in page.items]),
        describe=describe_event,
    )


@bp.get("/audit.csv")
def audit_csv() -> ResponseReturnValue:
    """The audit log with the page's filters and order, every row, as UTF-8 CSV (the export itself is audited)."""
    _filters, _sort, query = _audit_filters()
    header = [_("When"), _("Event"), _("Account"), _("By"), _("Details"), _("From"), _("Page")]

    def line(row: AuditLog, actor: User | None) -> list[object]:
        what, detail = describe_event(row)
        return [wib(row.at), what, row.email, actor.email if actor else "", detail, row.ip, row.path]

    return csv_download("audit log", "audit-log.csv", header, (line(row, actor) for row, actor in audit_rows(query)))
