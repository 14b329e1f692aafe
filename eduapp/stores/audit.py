"""The audit chain's lock: writers of the chain serialise on a PostgreSQL advisory lock held until their
transaction ends, so that two never chain onto the same predecessor. SQLite has one writer at a time and
needs none. Used by services.audit (the session) and services.audit_connection (bare connections, in
migrations)."""

from __future__ import annotations

from sqlalchemy import text

from eduapp.extensions import db
from eduapp.stores import is_postgresql

# Any constant works: it only has to be the same for every writer of the chain.
CHAIN_LOCK_KEY = 4_711_001
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def lock_chain(connection=None) -> None:
    """Take the chain's lock for the rest of the transaction of ``connection`` (default: the session's)."""
    if connection is None:
        if is_postgresql():
            db.session.execute(_LOCK, {"key": CHAIN_LOCK_KEY})
    elif is_postgresql(connection):
        connection.execute(_LOCK, {"key": CHAIN_LOCK_KEY})
