"""The audit trail on a bare connection (no ORM session, no models), for migrations: appending a record
chained exactly as eduapp.services.audit.record does, and re-keying a trail written before the chain was
keyed (migration 0015; docs/security.md §8)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from eduapp.domain.audit_chain import GENESIS, ChainEntry, ChainKey, canonical_json, rechain, record_hash
from eduapp.models.base import UTCDateTime
from eduapp.stores.audit import CHAIN_LOCK_KEY, lock_chain

__all__ = ["CHAIN_LOCK_KEY", "append", "lock", "rechain_trail"]

RECHAIN_ACTION = "audit.rechain"

AUDIT = sa.table(
    "audit_records", sa.column("id", sa.Integer), sa.column("at", UTCDateTime()), sa.column("actor_id", sa.Integer),
    sa.column("actor", sa.String), sa.column("action", sa.String), sa.column("object_type", sa.String),
    sa.column("object_id", sa.String), sa.column("summary", sa.Text), sa.column("ip", sa.String),
    sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
)


def lock(connection) -> None:
    """The chain's lock (eduapp.stores.audit), for the rest of the connection's transaction."""
    lock_chain(connection)


def append(connection, key: ChainKey, action: str, object_type: str | None, object_id: str | None, summary: dict,
           now: datetime) -> str:
    """Append one record by "system" (the caller holds the lock); returns its hash."""
    prev = connection.execute(sa.select(AUDIT.c.hash).order_by(AUDIT.c.id.desc()).limit(1)).scalar() or GENESIS
    row = {"at": now.astimezone(UTC), "actor_id": None, "actor": "system", "action": action,
           "object_type": object_type, "object_id": object_id, "ip": None, "prev_hash": prev,
           "summary": canonical_json(summary)}
    row["hash"] = record_hash(key, prev, row["at"], None, "system", action, object_type, object_id, row["summary"],
                              None)
    connection.execute(sa.insert(AUDIT).values(**row))
    return row["hash"]


def rechain_trail(connection, key: ChainKey, now: datetime | None = None) -> int:
    """Re-key every record (checked first against its legacy hash: a broken trail is refused with
    LegacyChainBroken) and append an ``audit.rechain`` record naming how many and the old head hash.
    Returns how many records were re-keyed (0 when the trail is empty or already keyed: nothing is
    written)."""
    lock(connection)
    rows = connection.execute(sa.select(AUDIT).order_by(AUDIT.c.id)).all()
    if not rows:
        return 0
    entries = [ChainEntry(r.id, r.at, r.actor_id, r.actor, r.action, r.object_type, r.object_id, r.summary, r.ip,
                          r.prev_hash, r.hash) for r in rows]
    updates = list(rechain(entries, key))
    if all(new == entry.hash for (_id, _prev, new), entry in zip(updates, entries, strict=True)):
        return 0  # already keyed under this key (written by this release): nothing to re-key
    # Two passes: no new hash may meet an old one under the unique index while rows are half updated.
    for record_id, _prev, _new in updates:
        connection.execute(sa.update(AUDIT).where(AUDIT.c.id == record_id).values(hash=f"rechain-{record_id}"))
    for record_id, prev, new in updates:
        connection.execute(sa.update(AUDIT).where(AUDIT.c.id == record_id).values(prev_hash=prev, hash=new))
    append(connection, key, RECHAIN_ACTION, None, None,
           {"records": len(updates), "old_head_hash": rows[-1].hash, "algorithm": key.algorithm},
           now or datetime.now(UTC))
    return len(updates)
