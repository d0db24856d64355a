"""Creating accounts and changing passwords (flush, never commit)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import record
from app.models import AuditEvent, Region, Role, User, db
from app.security import check_password_policy, hash_password, invalidate_sessions, verify_password


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
    if (role is Role.INVESTOR) != (investor_id is not None):
        raise UserError(_l("An investor account needs its investor, and only an investor account has one."))
    if region_id is not None and role is not Role.OFFICER:
        raise UserError(_l("Only an officer may be limited to one kab/kota."))
    if region_id is not None and db.session.get(Region, region_id) is None:
        raise UserError(_l("Unknown kab/kota."))
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
