"""Bearer tokens of the JSON API: random, expiring, revocable; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

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


def user_for(token: str) -> User | None:
    """The active user of a valid token (not expired, not revoked), else None."""
    row = db.session.execute(select(ApiToken).where(ApiToken.token_hash == _digest(token))).scalar_one_or_none()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = db.session.get(User, row.user_id)
    return user if user is not None and user.active else None


def revoke(token: str) -> bool:
    done = db.session.execute(
        update(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
    db.session.commit()
    return bool(done)
