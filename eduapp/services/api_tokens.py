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
