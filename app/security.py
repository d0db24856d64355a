"""Passwords, sign-in rules, roles and the access scope of the signed-in user.

Passwords are hashed with argon2 and must pass a length and a strength check (zxcvbn, which knows the
common-password lists). After ``MAX_FAILURES`` failed sign-ins within ``FAILURE_WINDOW`` an account is
locked for ``LOCK_TIME``; the count comes from the audit log and the lock is a column, so both hold across
workers. Every service that loads records takes a ``Scope``: plain values, no Flask objects, so that the
JSON API can use the same rules.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from zxcvbn import zxcvbn

from app.database import utcnow
from app.errors import problem, wants_json
from app.extensions import db, login_manager
from app.models import AuditEvent, AuditLog, Role, User
from app.numbers import strict_int
from app.urls import MAX_ID

MIN_PASSWORD_LENGTH = 10
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a failed sign-in takes the same time either way.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


class PasswordRejected(ValueError):
    """The password does not meet the policy; ``str()`` says why, for the user."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_policy(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse short, common or guessable passwords (and ones built from the user's own e-mail or name)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(_l("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH))
    if len(password) > 256:
        raise PasswordRejected(_l("Use at most 256 characters."))
    user_inputs = [part for part in (email, email.split("@")[0], name) if part]
    result = zxcvbn(password[:100], user_inputs=user_inputs)
    common = any(m.get("dictionary_name") == "passwords" and m.get("token") == password for m in result["sequence"])
    if common or result["score"] < 3:
        raise PasswordRejected(_l("This password is too common or too easy to guess: add unusual words or length."))


# --- sessions ---------------------------------------------------------------------------------------------


@login_manager.user_loader
def _load_user(value: str) -> User | None:
    user_id, _, version = value.partition(":")
    user_id, version = strict_int(user_id, maximum=MAX_ID), strict_int(version, maximum=MAX_ID)
    if user_id is None or version is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def scope_of(user: User) -> Scope:
    return Scope(role=user.role, investor_id=user.investor_id, region_id=user.region_id, user_id=user.id)


def invalidate_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie issued before now stops working."""
    user.session_version += 1


# --- failed sign-ins ---------------------------------------------------------------------------------------


def is_locked(user: User, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return user.locked_until is not None and user.locked_until > now


def recent_failures(user: User, now: datetime | None = None) -> int:
    now = now or utcnow()
    since = now - FAILURE_WINDOW
    if user.locked_until is not None and user.locked_until - LOCK_TIME > since:
        since = user.locked_until - LOCK_TIME  # failures before the last lock do not count twice
    query = select(func.count(AuditLog.id)).where(
        AuditLog.user_id == user.id, AuditLog.event == AuditEvent.LOGIN_FAILED, AuditLog.at > since
    )
    return db.session.scalar(query) or 0


def record_failure(user: User, now: datetime | None = None) -> bool:
    """Count a failed sign-in (already in the audit log); lock the account at the limit. True when locked now."""
    now = now or utcnow()
    if recent_failures(user, now) >= MAX_FAILURES:
        user.locked_until = now + LOCK_TIME
        return True
    return False


# --- roles and scope ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose records a request may see, as plain values for the services."""

    role: Role
    investor_id: int | None = None
    region_id: int | None = None
    user_id: int | None = None

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.ADMINISTRATOR, Role.GOVERNOR) or (
            self.role is Role.OFFICER and self.region_id is None
        )

    @property
    def can_edit(self) -> bool:
        """May record and change investors, estates, zones, claims and permits."""
        return self.role in (Role.ADMINISTRATOR, Role.OFFICER)


EDITORS = (Role.OFFICER, Role.ADMINISTRATOR)  # may record and change investors, estates and permits
OFFICE = (Role.ADMINISTRATOR, Role.OFFICER, Role.GOVERNOR)  # may read the office's pages (not investors)
SYSTEM_SCOPE = Scope(role=Role.ADMINISTRATOR)  # for the command line and scheduled jobs


def current_scope() -> Scope:
    """The signed-in user's scope (the views call this; services receive the Scope)."""
    return scope_of(current_user)


def role_required(*roles: Role) -> Callable:
    """Let only these roles in: others get 403 (JSON for API clients, a page for browsers), logged."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in roles:
                deny_access(f"role {current_user.role} not in {', '.join(roles)}")
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # read by the route table test
        return wrapped

    return decorator


def guard_blueprint(blueprint, *roles: Role) -> None:
    """Let only these roles reach any page of ``blueprint`` (403, logged, for the others)."""

    @blueprint.before_request
    def _only_these_roles():
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if current_user.role not in roles:
            deny_access(f"{blueprint.name}: role {current_user.role} not in {', '.join(roles)}")
        return None


def deny_access(detail: str) -> None:
    """Log a refused access and answer 403."""
    from app.audit import record

    record(AuditEvent.ACCESS_DENIED, user_id=getattr(current_user, "id", None), detail=detail)
    db.session.commit()  # the refusal is kept: answering 403 rolls the request back
    abort(403)


def unauthorized_handler():
    if wants_json():
        return problem(401, "Unauthorized", str(_l("Please sign in to see this page.")))
    flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


login_manager.unauthorized_handler(unauthorized_handler)
