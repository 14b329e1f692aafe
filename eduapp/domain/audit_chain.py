"""The hash chain of the audit trail: how a record's hash is made and how a chain is checked."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64


def canonical_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class ChainEntry:
    id: int
    at: datetime
    actor_id: int | None
    actor: str
    action: str
    object_type: str | None
    object_id: str | None
    summary: str
    ip: str | None
    prev_hash: str
    hash: str


def record_hash(
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    actor: str,
    action: str,
    object_type: str | None,
    object_id: str | None,
    summary: str,
    ip: str | None,
) -> str:
    payload = canonical_json(
        {
            "prev": prev_hash,
            "at": at.isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "summary": summary,
            "ip": ip,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    record_id: int
    reason: str


def verify_chain(entries: Iterable[ChainEntry]) -> tuple[int, ChainBreak | None]:
    """Walk the entries in id order; return how many were checked and the first break, if any."""
    expected_prev = GENESIS
    checked = 0
    for entry in entries:
        checked += 1
        if entry.prev_hash != expected_prev:
            return checked, ChainBreak(
                entry.id, "prev_hash does not match the record before it (a record was deleted or inserted)"
            )
        actual = record_hash(
            entry.prev_hash,
            entry.at,
            entry.actor_id,
            entry.actor,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.summary,
            entry.ip,
        )
        if actual != entry.hash:
            return checked, ChainBreak(entry.id, "content does not match its hash (the record was edited)")
        expected_prev = entry.hash
    return checked, None
