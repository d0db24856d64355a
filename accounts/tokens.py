"""Personal API tokens: made and revoked by their owner (audited), and looked up for each API call.

A token is ``pantau_`` and 43 random URL-safe characters; only its SHA-256 is stored, so a stolen database
reveals none. It acts with its owner's role and scope, and stops working when revoked or when the owner's
account is deactivated.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from accounts.models import ApiToken
from app.audit import record
from app.database import utcnow
from app.errors import NotFound, found
from app.extensions import db
from app.models import AuditEvent, User

TOKEN_PREFIX = "pantau_"  # noqa: S105 - the visible mark of a Pantau token, not a secret
SHOWN_CHARACTERS = 12  # "pantau_" and five more: enough to tell one's tokens apart, far too few to guess one
MAX_TOKENS = 20  # active tokens per user
MAX_TOKEN_LENGTH = 200  # a longer Authorization value is not one of ours: refused before hashing
LAST_USED_EVERY = timedelta(minutes=5)  # last use is written at most this often, not on every call


class TokenError(ValueError):
    """A token cannot be made (no name, too many); ``str()`` says why."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def user_tokens(user_id: int) -> Sequence[ApiToken]:
    query = (
        select(ApiToken)
        .where(ApiToken.user_id == user_id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    )
    return db.session.scalars(query).all()


def create_token(user: User, name: str) -> NewToken:
    from flask_babel import gettext as _

    name = " ".join((name or "").split())[:80]
    if not name:
        raise TokenError(_("Give the token a name, e.g. the system that will use it."))
    active = [t for t in user_tokens(user.id) if t.active]
    if len(active) >= MAX_TOKENS:
        raise TokenError(_("You have %(num)d active tokens: revoke one first.", num=MAX_TOKENS))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:SHOWN_CHARACTERS], token_hash=_digest(secret))
    db.session.add(token)
    db.session.flush()
    record(
        AuditEvent.API_TOKEN_CREATED, user_id=user.id, email=user.email, detail={"token": token.prefix, "name": name}
    )
    return NewToken(token, secret)


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s tokens (another user's, or an unknown id: ``NotFound``). Revoking twice is harmless."""
    token = found(db.session.get(ApiToken, token_id))
    if token.user_id != user.id:
        raise NotFound
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(
            AuditEvent.API_TOKEN_REVOKED,
            user_id=user.id,
            email=user.email,
            detail={"token": token.prefix, "name": token.name},
        )
    return token


def user_for_token(secret: str) -> User | None:
    """The active owner of an active token, or None (unknown, revoked, malformed, or the account deactivated)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_TOKEN_LENGTH or not secret.isascii():
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        token.last_used_at = now
    return token.user
