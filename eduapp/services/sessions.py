"""Server-side sessions: every browser sign-in has a record, checked on every request (issue 15, item 4).

The signed cookie carries the user's id and session token (Flask-Login) and a random session id; only
the id's SHA-256 is stored. Signing out, ending a session from /account/sessions, a password change and
the idle timeout of bureau roles revoke the record, so a copy of the cookie gets nothing afterwards.

Per request: one indexed read (the user joined to their session record); last-seen is written at most
once a minute.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update

from eduapp.domain.roles import BUREAU_ROLES
from eduapp.extensions import db
from eduapp.models import User, UserSession, utcnow
from eduapp.services.attempts import _commit_keeping_loaded

TOUCH_EVERY = timedelta(minutes=1)
# The key of the session id in the signed cookie.
COOKIE_KEY = "sid"

IDLE = "idle"
LOGOUT = "logout"
ENDED = "ended"
NEW_CREDENTIALS = "password"


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def start(user: User, user_agent: str | None, ip: str | None) -> str:
    """Record a new sign-in of ``user``; returns the session id to keep in the signed cookie."""
    sid = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, sid_hash=_digest(sid), user_agent=(user_agent or "")[:200] or None,
                               ip=ip))
    db.session.commit()
    return sid


_USER_AND_SESSION = (
    select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.sid_hash == bindparam("digest"), UserSession.revoked_at.is_(None),
           User.id == bindparam("user_id"), User.session_token == bindparam("token"), User.active.is_(True))
)


def idle_limit(user: User) -> timedelta | None:
    """How long a session of ``user`` may stay unused: bureau roles only (EDUAPP_SESSION_IDLE_MINUTES)."""
    minutes = current_app.config["SESSION_IDLE_MINUTES"]
    if minutes and user.roles & BUREAU_ROLES:
        return timedelta(minutes=minutes)
    return None


def load(user_id: int, token: str, sid: str | None, now: datetime | None = None) -> tuple[User | None, str | None]:
    """The user of a live session, else None with the reason it just ended (``IDLE``) or None."""
    if not sid:
        return None, None
    now = now or utcnow()
    row = db.session.execute(
        _USER_AND_SESSION, {"digest": _digest(sid), "user_id": user_id, "token": token}
    ).one_or_none()
    if row is None:
        return None, None
    user, record = row
    limit = idle_limit(user)
    if limit is not None and now - record.last_seen_at > limit:
        record.revoked_at, record.revoked_reason = now, IDLE
        db.session.commit()
        return None, IDLE
    if now - record.last_seen_at >= TOUCH_EVERY:
        record.last_seen_at = now
        _commit_keeping_loaded()
    return user, None


def end_current(sid: str | None, reason: str = LOGOUT) -> None:
    """Revoke the session whose id the cookie carries (sign-out)."""
    if not sid:
        return
    db.session.execute(
        update(UserSession).where(UserSession.sid_hash == _digest(sid), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    db.session.commit()


def end(user: User, session_id: int) -> bool:
    """End one of ``user``'s own sessions by its record id; False if there is no such live session."""
    done = db.session.execute(
        update(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id,
                                  UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=ENDED)
    ).rowcount
    db.session.commit()
    return bool(done)


def revoke_others(user: User, keep_sid: str | None, reason: str = NEW_CREDENTIALS) -> int:
    """Revoke every live session of ``user`` but the one ``keep_sid`` names (the caller commits)."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep_sid:
        query = query.where(UserSession.sid_hash != _digest(keep_sid))
    return db.session.execute(query.values(revoked_at=utcnow(), revoked_reason=reason)).rowcount


def active(user: User, now: datetime | None = None) -> list[UserSession]:
    """``user``'s live sessions, newest first (idle ones of bureau roles are not shown as live)."""
    now = now or utcnow()
    rows = db.session.execute(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).scalars().all()
    limit = idle_limit(user)
    return [r for r in rows if limit is None or now - r.last_seen_at <= limit]


def is_current(record: UserSession, sid: str | None) -> bool:
    return bool(sid) and record.sid_hash == _digest(sid)
