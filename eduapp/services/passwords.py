"""Password hashing with argon2id (argon2-cffi), parameters from the app's settings."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# Verifying against this keeps a login for an unknown user as slow as one for a known user.
_DUMMY_PASSWORD = "not-a-password-of-anyone"  # noqa: S105


def hasher() -> PasswordHasher:
    ext = current_app.extensions
    if "eduapp.hasher" not in ext:
        cfg = current_app.config
        ph = PasswordHasher(
            time_cost=cfg["ARGON2_TIME_COST"],
            memory_cost=cfg["ARGON2_MEMORY_KIB"],
            parallelism=cfg["ARGON2_PARALLELISM"],
            type=Type.ID,
        )
        ext["eduapp.hasher"] = (ph, ph.hash(_DUMMY_PASSWORD))
    return ext["eduapp.hasher"][0]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    ph = hasher()
    try:
        return ph.verify(password_hash or current_app.extensions["eduapp.hasher"][1], password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)
