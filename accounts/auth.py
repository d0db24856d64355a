"""Sign in, sign out and change one's password.

Failed sign-ins are logged and counted per account (lockout after 5 in 15 minutes, for 15 minutes; the owner is
told, permits/notify/lockout.py) and rate-limited per client address (Flask-Limiter; the address is the proxy's
``X-Forwarded-For`` under ``TRUSTED_PROXIES``). An unknown address, an inactive or locked account and a wrong
password look the same to the person signing in: one message, one password check. ``next`` only ever leads to a
page of this site.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from accounts import tokens
from accounts.forms import LoginForm, LogoutForm, PasswordForm, RevokeTokenForm, TokenForm
from accounts.services import UserError, change_password, find_user
from app.audit import record
from app.database import utcnow
from app.extensions import limiter
from app.input_policy import printable
from app.models import AuditEvent, Role, User
from app.security import (
    _DUMMY_HASH,
    FAILURE_WINDOW,
    LOCK_TIME,
    MAX_FAILURES,
    PasswordRejected,
    invalidate_sessions,
    is_locked,
    record_failure,
    verify_password,
)
from app.transactions import refusal
from app.urls import safe_next
from permits.notify.lockout import notify_lockout

bp = Blueprint("auth", __name__, template_folder="templates")
NEW_TOKEN = "new_api_token"  # noqa: S105 - the session key of a token just made, until its page shows it once


def home_for(role: Role) -> str:
    """Where a user lands after signing in."""
    if role is Role.INVESTOR:
        return url_for("portal.home")
    return url_for("dashboard.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user.role))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = find_user(form.email.data)
        # One password check whatever the account: the same time for unknown, inactive and locked ones.
        password_ok = verify_password(user.password_hash if user else _DUMMY_HASH, form.password.data)
        if user is not None and password_ok and user.active and not is_locked(user):
            user.last_login_at = utcnow()
            login_user(user)
            record(AuditEvent.LOGIN, user_id=user.id, email=user.email)
            return redirect(safe_next(form.next.data, home_for(user.role)))
        _failed_sign_in(user, form.email.data)
        flash(
            _(
                "The e-mail address or the password is not correct. After %(num)d failed attempts within %(minutes)d "
                "minutes an account is locked for %(lock)d minutes, and its owner is told.",
                num=MAX_FAILURES,
                minutes=FAILURE_WINDOW // timedelta(minutes=1),
                lock=LOCK_TIME // timedelta(minutes=1),
            ),
            "error",
        )
    return render_template("auth/login.html", form=form)


def _failed_sign_in(user: User | None, email: str) -> None:
    """Audit a failed sign-in and count it against the account; at the limit, lock it and tell its owner."""
    if user is None:
        record(AuditEvent.LOGIN_FAILED, email=email, detail="unknown account")
        return
    if is_locked(user):  # attempts while locked neither count nor lengthen the lock
        record(AuditEvent.LOGIN_FAILED, user_id=user.id, email=user.email, detail="account locked")
        return
    detail = "inactive account" if not user.active else "wrong password"
    record(AuditEvent.LOGIN_FAILED, user_id=user.id, email=user.email, detail=detail)
    now = utcnow()
    if record_failure(user, now):
        record(AuditEvent.LOCKOUT, user_id=user.id, email=user.email)
        notify_lockout(
            user,
            locked_at=now,
            locked_until=user.locked_until,
            failures=MAX_FAILURES,
            window_minutes=FAILURE_WINDOW // timedelta(minutes=1),
            address=request.remote_addr,
        )


def audit_refused_sign_in() -> None:
    """A sign-in refused by the input policy (control characters) is a failed sign-in too: audited, with the
    address made printable. It counts against no account: no stored address holds such characters."""
    if request.method == "POST":
        email = printable(request.form.get("email", ""))
        record(AuditEvent.LOGIN_FAILED, email=email, detail="refused: control characters in the form")


@bp.post("/logout")
@login_required
def logout():
    """Sign out here and everywhere else (the session cookie's version is bumped)."""
    form = LogoutForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        invalidate_sessions(user)
        record(AuditEvent.LOGOUT, user_id=user.id, email=user.email)
        logout_user()
        flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with refusal(UserError, PasswordRejected) as refused:
            change_password(user, form.current.data, form.new.data)
        if refused:
            error = refused.error
            target = form.current if isinstance(error, UserError) and "current" in str(error) else form.new
            target.errors = [*target.errors, str(error)]
        else:
            login_user(user)  # this session carries on with the new version; the others have ended
            flash(_("Your password has been changed. Other sessions have been signed out."), "success")
            return redirect(home_for(user.role))
    return render_template("auth/password.html", form=form)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    """One's personal API tokens: make one (shown once, on the page the creation leads to), see when each was last
    used, revoke one. The new token waits in the session for that one page, and is gone from it once shown."""
    form, status = TokenForm(), 200
    if form.validate_on_submit():
        with refusal(tokens.TokenError) as refused:
            session[NEW_TOKEN] = tokens.create_token(current_user._get_current_object(), form.name.data).secret
        if not refused:
            return redirect(url_for("auth.api_tokens"))
        form.name.errors = [*form.name.errors, str(refused.error)]
        status = 422
    elif form.is_submitted():
        status = 422
    new_secret = session.pop(NEW_TOKEN, None)
    return render_template(
        "auth/tokens.html", form=form, tokens=tokens.user_tokens(current_user.id), new_secret=new_secret
    ), status


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def api_token_revoke(token_id: int):
    if RevokeTokenForm().validate_on_submit():
        token = tokens.revoke_token(current_user._get_current_object(), token_id)
        flash(_("The token %(prefix)s… no longer works.", prefix=token.prefix), "success")
    return redirect(url_for("auth.api_tokens"))
