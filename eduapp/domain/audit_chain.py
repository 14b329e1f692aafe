"""The keyed hash chain of the audit trail: how a record's hash is made, and how a chain is checked
against its key and the anchors written outside the database (GB/T 22239-2019 8.1.4.3 audit records
protected from deletion, modification and overwriting).

Each record's hash is an HMAC (SHA-256, or SM3 for 国密 deployments) over its content and the hash of the
record before it, under a key kept outside the database: whoever can write the database but does not hold
the key cannot recompute a chain after editing a record. An anchor (count of records, id and hash of the
newest) written to an append-only store outside the database notices the deletion of the newest records.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from eduapp.domain.problems import N_

GENESIS = "0" * 64
ALGORITHMS = ("hmac-sha256", "hmac-sm3")


def canonical_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _sm3(data: bytes) -> bytes:
    from gmssl import func, sm3

    return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))


def hmac_sm3(key: bytes, message: bytes) -> str:
    """HMAC (RFC 2104) over SM3 (GB/T 32905-2016; block 64 bytes), as GB/T 15852.2 specifies it."""
    block = 64
    if len(key) > block:
        key = _sm3(key)
    key = key.ljust(block, b"\0")
    inner = _sm3(bytes(b ^ 0x36 for b in key) + message)
    return _sm3(bytes(b ^ 0x5C for b in key) + inner).hex()


def keyed_digest(key: bytes, message: bytes, algorithm: str = "hmac-sha256") -> str:
    if algorithm == "hmac-sha256":
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    if algorithm == "hmac-sm3":
        return hmac_sm3(key, message)
    raise ValueError(f"unknown audit algorithm {algorithm!r} (one of {', '.join(ALGORITHMS)})")


@dataclass(frozen=True)
class ChainKey:
    """The key and algorithm of the chain (from EDUAPP_AUDIT_KEY, EDUAPP_AUDIT_ALGORITHM)."""

    key: bytes
    algorithm: str = "hmac-sha256"


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


def _payload(prev_hash, at, actor_id, actor, action, object_type, object_id, summary, ip) -> bytes:
    return canonical_json(
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
    ).encode("utf-8")


def legacy_record_hash(prev_hash, at, actor_id, actor, action, object_type, object_id, summary, ip) -> str:
    """The unkeyed SHA-256 of records written before the chain was keyed (checked once, by migration 0015)."""
    return hashlib.sha256(_payload(prev_hash, at, actor_id, actor, action, object_type, object_id, summary,
                                   ip)).hexdigest()


def record_hash(
    key: ChainKey,
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
    payload = _payload(prev_hash, at, actor_id, actor, action, object_type, object_id, summary, ip)
    return keyed_digest(key.key, payload, key.algorithm)


def entry_hash(key: ChainKey | None, entry: ChainEntry) -> str:
    """The hash ``entry`` should carry: keyed, or the legacy SHA-256 when ``key`` is None."""
    fields = (entry.prev_hash, entry.at, entry.actor_id, entry.actor, entry.action, entry.object_type,
              entry.object_id, entry.summary, entry.ip)
    return legacy_record_hash(*fields) if key is None else record_hash(key, *fields)


@dataclass(frozen=True)
class Anchor:
    """The state of the chain at a moment, kept outside the database: the first ``count`` records in id
    order end with record ``head_id`` whose hash is ``head_hash``."""

    count: int
    head_id: int | None
    head_hash: str
    at: str  # ISO 8601, UTC

    def to_json(self) -> str:
        return canonical_json({"count": self.count, "head_id": self.head_id, "head_hash": self.head_hash,
                               "at": self.at})

    @classmethod
    def from_json(cls, line: str) -> Anchor:
        data = json.loads(line)
        count, head_id, head_hash, at = data["count"], data["head_id"], data["head_hash"], data["at"]
        if not isinstance(count, int) or count < 0 or not isinstance(head_hash, str) or not isinstance(at, str):
            raise ValueError("an anchor holds count (a whole number), head_id, head_hash and at")
        return cls(count, head_id, head_hash, at)


@dataclass(frozen=True)
class ChainBreak:
    record_id: int | None
    msgid: str  # the reason, for gettext (pages) with its params
    params: dict = field(default_factory=dict)
    kind: str = "altered"  # "altered" (a record edited, inserted or re-hashed) or "missing" (records deleted)

    @property
    def reason(self) -> str:
        """The reason in English (the CLI, the logs)."""
        return self.msgid % self.params


def verify_chain(
    entries: Iterable[ChainEntry], key: ChainKey | None, anchors: Iterable[Anchor] = ()
) -> tuple[int, ChainBreak | None]:
    """Walk the entries in id order against the key (None: the legacy unkeyed hash) and the anchors;
    return how many were checked and the first break, if any."""
    by_count: dict[int, Anchor] = {}
    for anchor in anchors:
        by_count.setdefault(anchor.count, anchor)
    expected_prev = GENESIS
    checked = 0
    for entry in entries:
        checked += 1
        if entry.prev_hash != expected_prev:
            return checked, ChainBreak(
                entry.id, N_("prev_hash does not match the record before it (a record was deleted or inserted)")
            )
        if entry_hash(key, entry) != entry.hash:
            return checked, ChainBreak(
                entry.id, N_("content does not match its keyed hash (the record was edited or its hash recomputed "
                             "without the audit key)")
            )
        anchor = by_count.get(checked)
        if anchor is not None and (anchor.head_hash != entry.hash or anchor.head_id not in (None, entry.id)):
            return checked, ChainBreak(
                entry.id, N_("record %(n)s of the chain is not the one anchored at %(at)s (the chain was rewritten "
                             "after the anchor)"), {"n": checked, "at": anchor.at}
            )
        expected_prev = entry.hash
    if by_count:
        highest = by_count[max(by_count)]
        if highest.count > checked:
            return checked, ChainBreak(
                None, N_("%(missing)s record(s) missing: the anchor of %(at)s counted %(count)s records up to record "
                         "#%(head)s, the trail now holds %(checked)s (the newest records were deleted)"),
                {"missing": highest.count - checked, "at": highest.at, "count": highest.count,
                 "head": highest.head_id, "checked": checked}, kind="missing",
            )
    return checked, None


class LegacyChainBroken(ValueError):
    """The trail to re-chain is itself broken: it is not re-keyed (that would hide the break)."""


def rechain(entries: Iterable[ChainEntry], key: ChainKey) -> Iterable[tuple[int, str, str]]:
    """Re-key a trail written before the chain was keyed: (id, new prev_hash, new hash) for each record,
    in id order. Each record must still link to the one before it and carry either its legacy unkeyed
    hash or its keyed hash (a trail partly re-keyed, or extended by a keyed writer, re-chains the same);
    otherwise LegacyChainBroken names the first record that does not."""
    old_prev, new_prev = GENESIS, GENESIS
    for entry in entries:
        if entry.prev_hash != old_prev or entry.hash not in (entry_hash(None, entry), entry_hash(key, entry)):
            raise LegacyChainBroken(f"audit record #{entry.id} does not match the chain before it: run "
                                    f"`eduapp audit verify` on the old release and investigate before upgrading")
        fields = (entry.at, entry.actor_id, entry.actor, entry.action, entry.object_type, entry.object_id,
                  entry.summary, entry.ip)
        new_hash = record_hash(key, new_prev, *fields)
        yield entry.id, new_prev, new_hash
        old_prev, new_prev = entry.hash, new_hash
