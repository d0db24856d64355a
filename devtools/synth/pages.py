"""The pages each role uses, on synthetic data: what ``bench/bench_pages.py`` times and what
``tests/test_statement_counts.py`` walks at two sizes.

``sample()`` picks the records the pages show (the first synthetic investor, which owns one estate in a hundred
and so the most permits; its first estate; that estate's permit with the longest history); ``accounts`` adds one
user per role (an officer for the whole province, one for the estate's kab/kota, the governor's office, the
investor, an administrator); ``signed_in`` gives a test client signed in as one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Role, User
from app.pagination import cursor_of
from app.security import hash_password
from estates.models import Estate, Investor
from permits.models import Permit, PermitEvent

PASSWORD = "kata-sandi-sintetis-yang-panjang"  # noqa: S105 - the synthetic accounts' password, never production


@dataclass(frozen=True)
class Sample:
    investor_id: int
    estate_id: int
    permit_id: int
    region_id: int
    agency_id: int
    search: str  # a word of estate names that matches a few of them
    audit_cursor: str | None  # the audit log's page 50, as the "older" link would reach it (keyset)


@dataclass(frozen=True)
class Page:
    role: str
    name: str
    endpoint: str
    args: tuple[tuple[str, object], ...] = ()

    def url(self) -> str:
        return url_for(self.endpoint, **dict(self.args))


def sample() -> Sample:
    investor_id = db.session.scalar(select(func.min(Investor.id)).where(Investor.is_demo.is_(True)))
    estate = db.session.scalars(select(Estate).where(Estate.investor_id == investor_id).order_by(Estate.id)).first()
    longest = (
        select(PermitEvent.permit_id)
        .join(Permit)
        .where(Permit.estate_id == estate.id)
        .group_by(PermitEvent.permit_id)
        .order_by(func.count().desc(), PermitEvent.permit_id)
        .limit(1)
    )
    permit = db.session.get(Permit, db.session.scalar(longest))
    deep = db.session.execute(
        select(AuditLog.at, AuditLog.id).order_by(AuditLog.at.desc(), AuditLog.id.desc()).offset(49 * 20).limit(1)
    ).first()
    return Sample(
        investor_id,
        estate.id,
        permit.id,
        estate.region_id,
        permit.agency_id or 0,
        f"{estate.id:06d}"[:-1],
        cursor_of(*deep) if deep else None,
    )


def pages(s: Sample) -> list[Page]:
    """Every page a role uses, in the order the table prints them."""
    office = [
        Page("officer", "dashboard", "dashboard.index"),
        Page("officer", "estates list", "estates.estate_list"),
        Page("officer", "estates search", "estates.estate_list", (("q", s.search),)),
        Page("officer", "estate page", "estates.estate_detail", (("estate_id", s.estate_id),)),
        Page("officer", "permits list", "permits.permit_list"),
        *[
            Page("officer", f"permits {band}", "permits.permit_list", (("band", band),))
            for band in ("overdue", "at_risk", "on_track", "stopped")
        ],
        Page("officer", "permit page", "permits.permit_detail", (("permit_id", s.permit_id),)),
        Page("officer", "stalled list", "stalls.stalled_list"),
        Page("officer", "stalled by agency", "stalls.stalled_list", (("agency", s.agency_id),)),
        Page("officer", "agency figures", "stalls.agency_stats"),
        Page("officer", "agency figures CSV", "stalls.agency_stats_csv"),
        Page("officer", "forecast", "forecast.index"),
    ]
    return [
        *office,
        Page("region", "dashboard", "dashboard.index"),
        Page("region", "permits list", "permits.permit_list"),
        Page("region", "stalled list", "stalls.stalled_list"),
        Page("region", "agency figures", "stalls.agency_stats"),
        Page("governor", "dashboard", "dashboard.index"),
        Page("governor", "agency figures", "stalls.agency_stats"),
        Page("governor", "agency figures by type", "stalls.agency_stats", (("group", "type"),)),
        Page("governor", "forecast", "forecast.index"),
        Page("investor", "portal", "portal.home"),
        Page("investor", "portal permit", "portal.permit_detail", (("permit_id", s.permit_id),)),
        Page("administrator", "audit log", "users.audit_log"),
        Page("administrator", "audit log page 50", "users.audit_log", (("page", 50), ("before", s.audit_cursor))),
    ]


def accounts(s: Sample) -> dict[str, User]:
    """One user per role of ``pages`` (created when missing, committed)."""
    hashed = hash_password(PASSWORD)
    wanted = {
        "officer": (Role.OFFICER, None, None),
        "region": (Role.OFFICER, None, s.region_id),
        "governor": (Role.GOVERNOR, None, None),
        "investor": (Role.INVESTOR, s.investor_id, None),
        "administrator": (Role.ADMINISTRATOR, None, None),
    }
    users = {}
    for key, (role, investor_id, region_id) in wanted.items():
        email = f"{key}.{s.investor_id}@sintetis.pantau.test"  # .test: the sign-in form accepts it, as the demo's
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                name=f"Sintetis {key}",
                role=role,
                password_hash=hashed,
                investor_id=investor_id,
                region_id=region_id,
            )
            db.session.add(user)
        users[key] = user
    db.session.commit()
    return users


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client
