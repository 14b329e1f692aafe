"""Writing and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import insert, select, text

from eduapp.domain.audit_chain import (
    GENESIS,
    ChainBreak,
    ChainEntry,
    canonical_json,
    record_hash,
    verify_chain,
)
from eduapp.extensions import db
from eduapp.models import AuditRecord, User, utcnow

# Any constant works: it only has to be the same for every writer of the chain.
_CHAIN_LOCK_KEY = 4_711_001


_RECORDS = AuditRecord.__table__
_LAST_HASH = select(_RECORDS.c.hash).order_by(_RECORDS.c.id.desc()).limit(1)
_INSERT = insert(_RECORDS)
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def record(
    action: str,
    *,
    actor: User | None,
    obj_type: str | None = None,
    obj_id: object = None,
    summary: dict | None = None,
    ip: str | None = None,
) -> str:
    """Append a record to the current transaction (the caller commits it with the change it describes);
    returns its hash. Core statements built once: every sign-in, start and submit writes one."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Serialise writers so that two transactions never chain onto the same predecessor.
        session.execute(_LOCK, {"key": _CHAIN_LOCK_KEY})
    session.flush()  # the change it describes first (ids assigned), as callers expect
    prev_hash = session.execute(_LAST_HASH).scalar() or GENESIS
    row = {
        "at": utcnow(),
        "actor_id": actor.id if actor is not None else None,
        "actor": actor.username if actor is not None else "system",
        "action": action,
        "object_type": obj_type,
        "object_id": None if obj_id is None else str(obj_id),
        "summary": canonical_json(summary or {}),
        "ip": ip,
        "prev_hash": prev_hash,
    }
    row["hash"] = record_hash(prev_hash, row["at"], row["actor_id"], row["actor"], row["action"],
                              row["object_type"], row["object_id"], row["summary"], row["ip"])
    session.execute(_INSERT, row)
    return row["hash"]


def _entries(batch: int = 5000) -> Iterator[ChainEntry]:
    last_id = 0
    while True:
        rows = (
            db.session.execute(
                select(AuditRecord).where(AuditRecord.id > last_id).order_by(AuditRecord.id).limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        for row in rows:
            yield ChainEntry(
                row.id,
                row.at,
                row.actor_id,
                row.actor,
                row.action,
                row.object_type,
                row.object_id,
                row.summary,
                row.ip,
                row.prev_hash,
                row.hash,
            )
        last_id = rows[-1].id
        db.session.expunge_all()


def verify() -> tuple[int, ChainBreak | None]:
    return verify_chain(_entries())


def changes(before: dict, after: dict) -> dict:
    """The fields that differ, as {field: [old, new]}: the summary of an edit."""
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}
