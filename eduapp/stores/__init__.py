"""Stores: the one place where an aggregate's SQL may differ between PostgreSQL and SQLite.

Services decide; a store writes and reads rows. Where PostgreSQL has a faster or safer statement (row locks,
``ON CONFLICT``, advisory locks, bulk ``RETURNING``) and SQLite needs a portable one, both paths sit side by
side in the aggregate's store module and branch on :func:`is_postgresql`, nowhere else. ``tests/test_store_parity.py``
runs the same scenario through both and compares the rows.

This package holds the two primitives every store shares: the dialect check and ``insert_on_conflict``.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from eduapp.extensions import db


def is_postgresql(bind=None) -> bool:
    """True when the session's database (or the given connection or engine) is PostgreSQL."""
    target = bind if bind is not None else db.session.get_bind()
    return target.dialect.name == "postgresql"


def insert_on_conflict(model, bind=None):
    """``INSERT`` for ``model`` (an ORM class or a Core table) that supports ``.on_conflict_do_nothing()`` and
    ``.on_conflict_do_update()`` on the database in use: both dialects spell the clause the same way."""
    return (postgresql.insert if is_postgresql(bind) else sqlite.insert)(model)
