"""Bearer tokens of the JSON API: random, expiring, revocable; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timedelta

from flask import has_app_context
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.base import instance_state
from sqlalchemy.orm.util import identity_key

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import ApiToken, User, UserRole, utcnow
from eduapp.models.user import ROLES_READ
from eduapp.services import token_cache


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user: User, hours: int) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=hours)
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), expires_at=expires_at))
    db.session.commit()
    return token, expires_at


# Every API request starts here: one Core statement, built once, that reads a valid token's row, its
# active user's columns and their roles as plain rows (one row per role). The result is kept per process
# for EDUAPP_TOKEN_CACHE_SECONDS (eduapp/services/token_cache.py states the bound on revocation).
_TOKENS, _USERS, _ROLES = ApiToken.__table__, User.__table__, UserRole.__table__
_TOKEN_CHECK = (
    select(_TOKENS.c.id.label("token_id"), _TOKENS.c.expires_at.label("token_expires_at"), *_USERS.c,
           _ROLES.c.role.label("role_name"))
    .select_from(_TOKENS.join(_USERS, _USERS.c.id == _TOKENS.c.user_id)
                 .outerjoin(_ROLES, _ROLES.c.user_id == _USERS.c.id))
    .where(_TOKENS.c.token_hash == bindparam("digest"), _TOKENS.c.revoked_at.is_(None),
           _TOKENS.c.expires_at > bindparam("now"), _USERS.c.active.is_(True))
    .order_by(_ROLES.c.role)
)
_USER_KEYS = tuple(c.key for c in _USERS.c)


def _read(digest: str, now: datetime) -> token_cache.Entry | None:
    rows = db.session.connection().execute(_TOKEN_CHECK, {"digest": digest, "now": now}).mappings().all()
    if not rows:
        return None
    first = rows[0]
    return token_cache.Entry(
        token_id=first["token_id"], expires_at=first["token_expires_at"],
        user={key: first[key] for key in _USER_KEYS},
        roles=frozenset(Role(row["role_name"]) for row in rows if row["role_name"] is not None), read_at=time.time())


def _loaded(model, values: dict):
    """An instance of ``model`` holding ``values`` as if a query had loaded them (no change to flush),
    detached, with its identity; without the constructor's attribute events (a third cheaper)."""
    instance = model._sa_class_manager.new_instance()
    instance.__dict__.update(values)
    make_transient_to_detached(instance)
    return instance


def _user_of(entry: token_cache.Entry) -> User:
    """The entry's user as a persistent instance of this request's session, without a query: the columns
    are set as if loaded and the roles as read (models.user.ROLES_READ: no UserRole instances to build and
    cascade into the session; role_rows and the organisation load on first use). The session's own
    instance if it already has one."""
    session = db.session()  # the request's Session itself (not the scoped proxy)
    existing = session.identity_map.get(identity_key(User, (entry.user["id"],)))
    if existing is not None:
        return existing
    user = _loaded(User, entry.user)
    user.__dict__[ROLES_READ] = entry.roles  # after _loaded: making it detached expires role_rows
    _attach(session, user)
    return user


def _attach(session, user: User) -> None:
    """``session.add(user)`` for a detached instance with nothing loaded to cascade to: what add does
    before walking every property of the mapper for save-update cascades (a twentieth of an autosave's
    Python work, issue 19, for a user whose relationships are not loaded yet). SQLAlchemy's own step,
    pinned with the lock file; tests/test_exam_day_paths.py holds the user persistent in the session."""
    attach = getattr(session, "_update_impl", None)
    if attach is None:  # another SQLAlchemy: the public path
        session.add(user)
        return
    attach(instance_state(user))


def user_for(token: str) -> User | None:
    """The active user of a valid token (not expired, not revoked), else None; a check read within the
    last EDUAPP_TOKEN_CACHE_SECONDS in this process is used again (eduapp/services/token_cache.py)."""
    digest, now = _digest(token), utcnow()
    ttl = token_cache.ttl()
    cache = token_cache.of() if ttl > 0 else None
    entry = cache.get(digest, ttl) if cache is not None else None
    if entry is None or entry.expires_at <= now:
        entry = _read(digest, now)
        if entry is None:
            if cache is not None:
                cache.forget(digest=digest)
            return None
        if cache is not None:
            cache.put(digest, entry)
    return _user_of(entry)


def revoke(token: str) -> bool:
    digest = _digest(token)
    done = db.session.execute(
        update(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
    db.session.commit()
    token_cache.of().forget(digest=digest)
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
    token_cache.of().forget(token_id=token_id)
    return bool(done)


_FORGET_ON_COMMIT = "eduapp.forget_token_users"


@event.listens_for(Session, "after_commit")
def _forget_committed(session) -> None:
    """A check read by another thread between revoke_all and its commit would still hold the old rows."""
    users = session.info.pop(_FORGET_ON_COMMIT, None)
    if users and has_app_context():
        for user_id in users:
            forget_user(user_id)


def forget_user(user_id: int) -> None:
    """Drop this process's cached checks of ``user_id``'s tokens (their roles or flags changed)."""
    token_cache.of().forget(user_id=user_id)


def revoke_all(user: User) -> int:
    """Revoke every live token of ``user`` (a password change, a deactivation); the caller commits. This
    process's cached checks of them are dropped at once; other processes' expire within the TTL."""
    forget_user(user.id)
    db.session.info.setdefault(_FORGET_ON_COMMIT, set()).add(user.id)  # and again once it is committed
    return db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
