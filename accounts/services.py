"""Accounts: creating, changing, deactivating them and their passwords; the reads of the users' pages.

Every function flushes and never commits; each change is written to the audit log with the administrator who
made it (``actor_id``) and the e-mail of the account. The audit events are the model's: a change of an account
is logged as ``USER_CREATED`` and a reset as ``PASSWORD_CHANGED``, told apart by their ``detail``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from app.audit import record
from app.extensions import db
from app.listing import Sort, sort_clauses
from app.models import AuditEvent, AuditLog, Region, Role, User
from app.security import check_password_policy, hash_password, invalidate_sessions, verify_password
from app.timezone import WIB
from estates.queries import investor_exists, investor_names


class UserError(ValueError):
    """An account could not be created or changed; ``str()`` says why. Nothing was written."""


def normalise_email(email: str) -> str:
    """The address as stored: validated syntax, lower-case (no DNS lookup: intranets may have none).

    The reserved ``.test`` domain is accepted: the published demo accounts use it (``admin@pantau.test``).
    """
    try:
        return validate_email(email.strip(), check_deliverability=False, test_environment=True).normalized.lower()
    except EmailNotValidError as exc:
        raise UserError(_l("This is not a valid e-mail address.")) from exc


def find_user(email: str) -> User | None:
    try:
        address = normalise_email(email)
    except UserError:
        return None
    return db.session.scalar(select(User).where(User.email == address))


def check_role_links(role: Role, investor_id: int | None, region_id: int | None) -> None:
    """The rules that tie a role to an investor and a region (the database has the same CHECK constraints).

    An investor account needs an existing investor, and only an investor account has one; only an officer may be
    limited to one kab/kota, which must exist. Raises UserError.
    """
    if (role is Role.INVESTOR) != (investor_id is not None):
        raise UserError(_l("An investor account needs its investor, and only an investor account has one."))
    if investor_id is not None and not investor_exists(investor_id):
        raise UserError(_l("Unknown investor."))
    if region_id is not None and role is not Role.OFFICER:
        raise UserError(_l("Only an officer may be limited to one kab/kota."))
    if region_id is not None and db.session.get(Region, region_id) is None:
        raise UserError(_l("Unknown kab/kota."))


def create_user(
    *,
    email: str,
    name: str,
    role: Role | str,
    password: str,
    investor_id: int | None = None,
    region_id: int | None = None,
    created_by: int | None = None,
) -> User:
    """Create an account. Investors need their Investor; only officers may be scoped to a region.

    Raises UserError (bad or taken e-mail, role rules) or PasswordRejected (the password policy).
    """
    address = normalise_email(email)
    try:
        role = Role(role)
    except ValueError as exc:
        raise UserError(_l("Unknown role.")) from exc
    if find_user(address) is not None:
        raise UserError(_l("An account with this e-mail address already exists."))
    check_role_links(role, investor_id, region_id)
    name = name.strip() or address
    check_password_policy(password, email=address, name=name)
    user = User(
        email=address,
        name=name[:120],
        role=role,
        password_hash=hash_password(password),
        investor_id=investor_id,
        region_id=region_id,
    )
    db.session.add(user)
    db.session.flush()
    record(AuditEvent.USER_CREATED, user_id=created_by, email=address, detail=f"role={role}")
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; every other session of the user ends."""
    if not verify_password(user.password_hash, current):
        raise UserError(_l("The current password is not correct."))
    if new == current:
        raise UserError(_l("Choose a password different from the current one."))
    check_password_policy(new, email=user.email, name=user.name)
    user.password_hash = hash_password(new)
    invalidate_sessions(user)
    record(AuditEvent.PASSWORD_CHANGED, user_id=user.id)


# --- administrators change accounts --------------------------------------------------------------------------


def _describe(key: str, value: object) -> str:
    """A value as the audit log shows it: names rather than ids."""
    if value is None:
        return "none"
    if key == "investor":
        return investor_names([value]).get(value, str(value))
    if key == "region":
        found = db.session.get(Region, value)
        return found.name if found else str(value)
    return str(value)


def update_user(
    user: User,
    *,
    name: str,
    role: Role | str,
    investor_id: int | None,
    region_id: int | None,
    active: bool,
    actor_id: int,
) -> list[str]:
    """Change an account's name, role, investor, region and whether it may sign in; return what changed.

    The role rules are those of ``create_user``. An administrator may not take away their own administrator
    role nor deactivate themself (another administrator must do it, so one always remains). Deactivating ends
    the user's sessions (``deactivate_user``). Raises UserError; nothing is changed then.
    """
    try:
        role = Role(role)
    except ValueError as exc:
        raise UserError(_l("Unknown role.")) from exc
    if user.id == actor_id and role is not Role.ADMINISTRATOR:
        raise UserError(_l("You cannot take away your own administrator role: ask another administrator."))
    if user.id == actor_id and not active:
        raise UserError(_l("You cannot deactivate your own account: ask another administrator."))
    check_role_links(role, investor_id, region_id)
    name = (name.strip() or user.email)[:120]
    wanted = {"name": name, "role": role, "investor_id": investor_id, "region_id": region_id}
    changes = [
        f"{key.removesuffix('_id')}: {_describe(key.removesuffix('_id'), getattr(user, key))}"
        f" -> {_describe(key.removesuffix('_id'), value)}"
        for key, value in wanted.items()
        if getattr(user, key) != value
    ]
    for key, value in wanted.items():
        setattr(user, key, value)
    db.session.flush()
    if changes:
        record(AuditEvent.USER_CREATED, user_id=actor_id, email=user.email, detail="changed " + "; ".join(changes))
    if user.active and not active:
        deactivate_user(user, actor_id=actor_id)
        changes.append("deactivated")
    elif active and not user.active:
        reactivate_user(user, actor_id=actor_id)
        changes.append("reactivated")
    return changes


def deactivate_user(user: User, *, actor_id: int) -> None:
    """Stop the account from signing in and end its sessions on every device. Raises UserError for oneself."""
    if user.id == actor_id:
        raise UserError(_l("You cannot deactivate your own account: ask another administrator."))
    if not user.active:
        return
    user.active = False
    invalidate_sessions(user)
    record(AuditEvent.USER_CREATED, user_id=actor_id, email=user.email, detail="deactivated")


def reactivate_user(user: User, *, actor_id: int) -> None:
    """Let the account sign in again (with its password; old sessions stay ended) and lift a lockout."""
    if user.active:
        return
    user.active = True
    user.locked_until = None
    record(AuditEvent.USER_CREATED, user_id=actor_id, email=user.email, detail="reactivated")


def reset_password(user: User, new: str, *, actor_id: int) -> None:
    """An administrator sets a new password for someone else: the policy applies, the user's sessions end and a
    lockout is lifted. One's own password is changed on the account page, which asks for the current one.

    Raises UserError (one's own account) or PasswordRejected.
    """
    if user.id == actor_id:
        raise UserError(_l("Change your own password on the account page: it asks for the current one."))
    check_password_policy(new, email=user.email, name=user.name)
    user.password_hash = hash_password(new)
    user.locked_until = None
    invalidate_sessions(user)
    record(AuditEvent.PASSWORD_CHANGED, user_id=actor_id, email=user.email, detail="reset by an administrator")


# --- reads for the administration pages ---------------------------------------------------------------------


def _contains(column, text: str):
    """Case-insensitive substring match; ``%`` and ``_`` typed by the user match themselves."""
    return func.lower(column).contains(text.lower(), autoescape=True)


USER_SORTS = {
    "email": User.email,
    "name": User.name,
    "role": User.role,
    "active": User.active,
    "login": User.last_login_at,
}
USER_DEFAULT_SORT = Sort("email")


def users_query(*, text: str | None = None, role: Role | None = None, sort: Sort = USER_DEFAULT_SORT) -> Select:
    """Accounts by e-mail (or in the order of ``sort``, a key of ``USER_SORTS``), with their region; optionally
    those whose e-mail or name contains ``text``."""
    query = select(User).options(joinedload(User.region)).order_by(*sort_clauses(sort, USER_SORTS), User.email)
    if text:
        query = query.where(or_(_contains(User.email, text), _contains(User.name, text)))
    if role is not None:
        query = query.where(User.role == role)
    return query


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def region_choices() -> list[tuple[int, str]]:
    return [(r.id, r.name) for r in db.session.scalars(select(Region).order_by(Region.bps_code))]


AUDIT_SORTS = {"at": AuditLog.at, "event": AuditLog.event, "email": AuditLog.email}
AUDIT_DEFAULT_SORT = Sort("at", descending=True)


def audit_query(
    *,
    event: AuditEvent | None = None,
    email: str | None = None,
    since: date | None = None,
    until: date | None = None,
    sort: Sort = AUDIT_DEFAULT_SORT,
) -> Select:
    """Audit rows, newest first or in the order of ``sort`` (a key of ``AUDIT_SORTS``); optionally of one kind,
    about or by an e-mail address containing ``email``, and from ``since`` to ``until`` (WIB calendar days, both
    included)."""
    order = sort_clauses(sort, AUDIT_SORTS) or sort_clauses(AUDIT_DEFAULT_SORT, AUDIT_SORTS)
    query = select(AuditLog).order_by(*order, AuditLog.id.desc())
    if since is not None:
        query = query.where(AuditLog.at >= datetime.combine(since, time.min, tzinfo=WIB).astimezone(UTC))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=WIB).astimezone(UTC)
        query = query.where(AuditLog.at < end)
    if event is not None:
        query = query.where(AuditLog.event == event)
    if email:
        by_actor = select(User.id).where(_contains(User.email, email))
        query = query.where(or_(_contains(AuditLog.email, email), AuditLog.user_id.in_(by_actor)))
    return query


def audit_rows(query: Select, limit: int = 100_000) -> list[tuple[AuditLog, User | None]]:
    """The rows of an audit query with the account of each actor (for an export), at most ``limit``."""
    rows = list(db.session.scalars(query.limit(limit)))
    actors = users_by_id([row.user_id for row in rows])
    return [(row, actors.get(row.user_id) if row.user_id is not None else None) for row in rows]


def users_by_id(user_ids: list[int | None]) -> dict[int, User]:
    """These accounts by id, in one query (the actors of a page of audit rows)."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
