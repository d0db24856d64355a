"""Forms of accounts: sign in, sign out and change one's password; create and edit an account, reset its password,
filter the audit log.

The role rules (an investor account needs its investor; only an officer may be limited to one kab/kota; an
administrator cannot demote or deactivate themself) are checked here, beside the fields, and again by the
services in ``accounts.services``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, StopValidation, ValidationError

from accounts.services import UserError, find_user, normalise_email, region_choices
from app.forms import IdSelectField, Present
from app.models import AuditEvent, AuditLog, Role, User
from app.security import PasswordRejected, check_password_policy
from estates.queries import investor_choices

# The order administrators pick from most often first.
ROLE_ORDER = (Role.OFFICER, Role.INVESTOR, Role.GOVERNOR, Role.ADMINISTRATOR)
# The model has one event for every change of an account and one for every password change (adding members needs a
# migration); the services in accounts.services start ``detail`` with what happened, and the log shows it by name.
ACCOUNT_DETAILS = (
    ("changed ", _l("Account changed")),
    ("deactivated", _l("Account deactivated")),
    ("reactivated", _l("Account reactivated")),
    ("role=", _l("Account created")),
)
PASSWORD_DETAILS = (("reset by an administrator", _l("Password reset by an administrator")),)
CHOOSE_FROM_LIST = _l("Choose one of the options in the list.")


def describe_event(row: AuditLog) -> tuple[str, str]:
    """(what happened, the rest of the detail) for one audit row, e.g. ("Account changed", "name: A -> B")."""
    detail = row.detail or ""
    known = {AuditEvent.USER_CREATED: ACCOUNT_DETAILS, AuditEvent.PASSWORD_CHANGED: PASSWORD_DETAILS}
    for prefix, label in known.get(row.event, ()):
        if detail.startswith(prefix):
            rest = detail.removeprefix(prefix).strip()
            if prefix == "role=" and rest in {r.value for r in Role}:
                rest = Role(rest).label  # the role of a new account, by name
            return str(label), rest
    if row.event is AuditEvent.PASSWORD_CHANGED:
        return str(_l("Password changed")), detail
    return row.event.label, detail


def _role_or_none(value: Any) -> Role | None:
    if value is None or value == "":
        return None
    return Role(value)  # ValueError for anything else: a field error, never a 500


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("Choose a role…"))] + [SelectChoice(r.value, str(r.label)) for r in ROLE_ORDER]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class AccountForm(FlaskForm):
    """The fields an administrator sets on any account (the create and edit forms add theirs)."""

    name = StringField(
        _l("Name"),
        [Present(), Length(max=120)],
        filters=[_strip],
        description=_l("As shown in permit histories, e.g. the person's name and unit."),
    )
    role = SelectField(
        _l("Role"),
        [Present()],
        choices=_role_choices,
        coerce=_role_or_none,
        invalid_choice_message=CHOOSE_FROM_LIST,
        invalid_value_message=CHOOSE_FROM_LIST,
    )
    investor_id = IdSelectField(
        _l("Investor"),
        options=investor_choices,
        placeholder=_l("None"),
        description=_l("Investor accounts only: the company whose estates and permits the account sees."),
    )
    region_id = IdSelectField(
        _l("Kab/kota"),
        options=region_choices,
        placeholder=_l("Whole province"),
        description=_l("Officers only: limit the account to the estates of one kab/kota."),
    )

    def validate_investor_id(self, field: Field) -> None:
        if self.role.data is Role.INVESTOR and field.data is None:
            raise ValidationError(_("Choose the investor this account belongs to."))
        if self.role.data is not Role.INVESTOR and field.data is not None:
            raise ValidationError(_("Only an investor account has an investor: choose “None” or the investor role."))

    def validate_region_id(self, field: Field) -> None:
        if field.data is not None and self.role.data is not Role.OFFICER:
            raise ValidationError(
                _("Only an officer may be limited to one kab/kota: choose “Whole province” or the officer role.")
            )


def _password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        [Present(), Length(max=256)],
        description=_l("At least 10 characters; common or easily guessed passwords are refused."),
        render_kw={"autocomplete": "new-password"},
    )


def _confirm_field() -> PasswordField:
    return PasswordField(
        _l("The password again"),
        [Present(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


def _check_policy(field: Field, email: str, name: str) -> None:
    try:
        check_password_policy(field.data or "", email=email, name=name)
    except PasswordRejected as error:
        raise ValidationError(str(error)) from error


class UserCreateForm(AccountForm):
    email = EmailField(
        _l("E-mail"),
        [Present(), Length(max=254)],
        filters=[_strip],
        description=_l("The person signs in with it. It cannot be changed later."),
        render_kw={"autocomplete": "off"},
    )
    password = _password_field(_l("Initial password"))
    confirm = _confirm_field()
    submit = SubmitField(_l("Create the account"))

    def validate_email(self, field: Field) -> None:
        try:
            address = normalise_email(field.data or "")
        except UserError as error:
            raise StopValidation(str(error)) from error
        if find_user(address) is not None:
            raise ValidationError(_("An account with this e-mail address already exists."))

    def validate_password(self, field: Field) -> None:
        _check_policy(field, self.email.data or "", self.name.data or "")


class UserEditForm(AccountForm):
    """``user`` is the account being edited and ``actor_id`` the administrator editing it."""

    active = BooleanField(_l("Active: the person can sign in"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, user: User, actor_id: int, **kwargs: Any) -> None:
        super().__init__(*args, obj=user, **kwargs)
        self.user, self.actor_id = user, actor_id

    def validate_role(self, field: Field) -> None:
        if self.user.id == self.actor_id and field.data is not Role.ADMINISTRATOR:
            raise ValidationError(_("You cannot take away your own administrator role: ask another administrator."))

    def validate_active(self, field: Field) -> None:
        if self.user.id == self.actor_id and not field.data:
            raise ValidationError(_("You cannot deactivate your own account: ask another administrator."))


class PasswordResetForm(FlaskForm):
    """A new password for ``user``, typed by an administrator."""

    password = _password_field(_l("New password"))
    confirm = _confirm_field()
    submit = SubmitField(_l("Set the new password"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field: Field) -> None:
        _check_policy(field, self.user.email, self.user.name)


def _event_or_none(value: Any) -> AuditEvent | None:
    if isinstance(value, AuditEvent):
        return value
    return AuditEvent(value) if value in {e.value for e in AuditEvent} else None


def _event_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("Every kind"))] + [SelectChoice(e.value, e.label) for e in AuditEvent]


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the query string (no CSRF: it only reads). A value that is not
    recognised is ignored rather than refused."""

    class Meta:
        csrf = False

    event = SelectField(_l("Kind"), choices=_event_choices, coerce=_event_or_none, validate_choice=False)
    email = StringField(_l("E-mail contains"), filters=[_strip])
    since = DateField(_l("From"), validators=[Optional()])  # a bad date reads as none
    until = DateField(_l("Until"), validators=[Optional()])

    @property
    def email_text(self) -> str | None:
        return (self.email.data or "")[:254] or None

    @property
    def active(self) -> bool:
        return bool(self.event.data or self.email_text or self.since.data or self.until.data)

    def query_kwargs(self) -> dict:
        """The filters as keyword arguments of ``accounts.services.audit_query``."""
        return {"event": self.event.data, "email": self.email_text, "since": self.since.data, "until": self.until.data}


def role_filter(value: str | None) -> Role | None:
    """The ``role`` query argument of the users list; None when missing or not a role."""
    return Role(value) if value in {r.value for r in Role} else None


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(message=_l("Give your e-mail address.")), Length(max=254)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Give your password.")), Length(max=256)]
    )
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=256)],
        description=_l("At least 10 characters; common or easily guessed passwords are refused."),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )
    submit = SubmitField(_l("Change the password"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Create the token"))


class RevokeTokenForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
