"""Bearer tokens of the JSON API: random, expiring, revocable; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload, lazyload

from eduapp.extensions import db
from eduapp.models import ApiToken, User, utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user: User, hours: int) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=hours)
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), expires_at=expires_at))
    db.session.commit()
    return token, expires_at


# Every API request starts here: one statement, built once, that finds the user of a valid token with
# their roles (their organisation is loaded if a view asks for it; an autosave does not).
_USER_FOR = (
    select(User).join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None),
           ApiToken.expires_at > bindparam("now"), User.active.is_(True))
    .options(joinedload(User.role_rows), lazyload(User.organisation))
)


def user_for(token: str) -> User | None:
    """The active user of a valid token (not expired, not revoked), else None."""
    return db.session.execute(_USER_FOR, {"digest": _digest(token), "now": utcnow()}).unique().scalar_one_or_none()


def revoke(token: str) -> bool:
    done = db.session.execute(
        update(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
    db.session.commit()
    return bool(done)


def active(user: User) -> list[ApiToken]:
    """``user``'s tokens that still let a request in, newest first."""
    return list(db.session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                               ApiToken.expires_at > utcnow())
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).scalars())


def revoke_by_id(user: User, token_id: int) -> bool:
    """Revoke one of ``user``'s own tokens by its id; False if there is no such live token."""
    done = db.session.execute(
        update(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
    db.session.commit()
    return bool(done)


def revoke_all(user: User) -> int:
    """Revoke every live token of ``user`` (a password change); the caller commits."""
    return db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
