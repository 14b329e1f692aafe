"""Writing and verifying the audit trail, and anchoring it outside the database (docs/security.md §8)."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, insert, select

from eduapp.domain.audit_chain import (
    GENESIS,
    Anchor,
    ChainBreak,
    ChainEntry,
    ChainKey,
    canonical_json,
    record_hash,
    verify_chain,
)
from eduapp.domain.problems import N_
from eduapp.extensions import db
from eduapp.models import AuditRecord, User, utcnow
from eduapp.services import audit_connection, cli_operator
from eduapp.services.cli_operator import Operator
from eduapp.stores import audit as audit_store

_RECORDS = AuditRecord.__table__
_LAST_HASH = select(_RECORDS.c.hash).order_by(_RECORDS.c.id.desc()).limit(1)
_INSERT = insert(_RECORDS)


class AnchorFileError(RuntimeError):
    """The anchor file cannot be read or holds a line that is not an anchor: ``msgid`` and ``params`` for
    gettext (pages), ``str()`` in English (the CLI, the logs)."""

    def __init__(self, msgid: str, **params):
        super().__init__(msgid % params)
        self.msgid, self.params = msgid, params


def chain_key() -> ChainKey:
    """The key and algorithm of the chain, from EDUAPP_AUDIT_KEY and EDUAPP_AUDIT_ALGORITHM."""
    return ChainKey(current_app.config["AUDIT_KEY"].encode("utf-8"), current_app.config["AUDIT_ALGORITHM"])


def record(
    action: str,
    *,
    actor: User | Operator | None,
    obj_type: str | None = None,
    obj_id: object = None,
    summary: dict | None = None,
    ip: str | None = None,
) -> str:
    """Append a record to the current transaction (the caller commits it with the change it describes);
    returns its hash. Core statements built once: every sign-in, start and submit writes one.
    From the command line the operator (``eduapp --as``, EDUAPP_OPERATOR) stands in for a missing actor."""
    actor, summary = cli_operator.mark(actor, summary)
    session = db.session
    audit_store.lock_chain()  # two transactions never chain onto the same predecessor
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
    row["hash"] = record_hash(chain_key(), prev_hash, row["at"], row["actor_id"], row["actor"], row["action"],
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


def anchor_path() -> Path:
    return Path(current_app.config["AUDIT_ANCHOR_FILE"])


def read_anchors(path: Path | None = None) -> list[Anchor]:
    """Every anchor in the file (none if it does not exist yet); a line that is no anchor is an error."""
    path = path or anchor_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except OSError as error:
        code = errno.errorcode.get(error.errno or 0, type(error).__name__)
        raise AnchorFileError(N_("cannot read the anchor file %(path)s (%(code)s)"), path=str(path), code=code)
    anchors = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            anchors.append(Anchor.from_json(line))
        except (ValueError, KeyError, TypeError) as error:
            raise AnchorFileError(N_("line %(line)s of the anchor file %(path)s is not an anchor"),
                                  line=number, path=str(path)) from error
    return anchors


def write_anchor(now: datetime | None = None) -> Anchor:
    """Append the chain's current count and head to the anchor file (opened O_APPEND, one JSON line,
    fsync'd). ``eduapp audit anchor`` and the hourly beat task both call this."""
    with db.engine.begin() as connection:  # its own transaction: the caller's session is left alone
        audit_connection.lock(connection)  # no writer between the count and the head
        count = connection.execute(select(func.count()).select_from(_RECORDS)).scalar_one()
        head = connection.execute(select(_RECORDS.c.id, _RECORDS.c.hash).order_by(_RECORDS.c.id.desc())
                                  .limit(1)).first()
    at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    anchor = Anchor(count, head.id if head else None, head.hash if head else GENESIS, at)
    fd = os.open(anchor_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (anchor.to_json() + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return anchor


def verify() -> tuple[int, ChainBreak | None]:
    """Check the whole chain against the key and every anchor in the anchor file."""
    return verify_chain(_entries(), chain_key(), read_anchors())


def changes(before: dict, after: dict) -> dict:
    """The fields that differ, as {field: [old, new]}: the summary of an edit."""
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}
