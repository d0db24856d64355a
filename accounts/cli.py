"""``flask users create``: the first administrator, and any other account, from the command line."""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup
from sqlalchemy import select

from accounts.services import UserError, create_user
from app.extensions import db
from app.models import Region, Role
from app.security import PasswordRejected
from estates.queries import investor_id_by_nib

users = AppGroup("users", help="Manage user accounts.")


@users.command("create")
@click.option("--email", required=True, help="The e-mail address the user signs in with.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default="", help="The name shown in histories (default: the e-mail address).")
@click.option("--investor-nib", default=None, help="For an investor account: the NIB of its investor.")
@click.option("--region", "region_code", default=None, help="For an officer limited to one kab/kota: its BPS code.")
def create_command(email: str, role: str, name: str, investor_nib: str | None, region_code: str | None) -> None:
    """Create an account. The password is read from PANTAU_PASSWORD, or asked for (twice) when it is unset."""
    investor_id = _investor_id(investor_nib) if investor_nib else None
    region_id = _region_id(region_code) if region_code else None
    password = os.environ.get("PANTAU_PASSWORD") or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            email=email, name=name, role=role, password=password, investor_id=investor_id, region_id=region_id
        )
    except (UserError, PasswordRejected) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email}.")


def _investor_id(nib: str) -> int:
    found = investor_id_by_nib(nib)
    if found is None:
        raise click.ClickException(f"No investor has the NIB {nib}.")
    return found


def _region_id(code: str) -> int:
    found = db.session.scalar(select(Region.id).where(Region.bps_code == code.strip()))
    if found is None:
        raise click.ClickException(f"No kab/kota has the BPS code {code} (36.01 ... 36.74).")
    return found
