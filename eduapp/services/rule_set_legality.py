"""Bringing stored rule sets within the law (migration 0012, and testable on its own).

A rule set may allow going below the statutory minimum (减轻) only when it names a provision of a
法律、法规 or 规章 with its level (eduapp.domain.rule_limits). Rule sets saved before that rule keep
their flag in the database; ``clear_unfounded_reductions`` clears it on each one that lacks such a
basis and appends an audit record for each, chained onto the trail exactly as
eduapp.services.audit.record does (so ``eduapp audit verify`` keeps passing). It works on a bare
connection (no ORM session, no models): a migration calls it with ``op.get_bind()``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from eduapp.domain import offsets as rules
from eduapp.domain import rule_limits
from eduapp.domain.audit_chain import GENESIS, canonical_json, record_hash
from eduapp.models.base import UTCDateTime

_CHAIN_LOCK_KEY = 4_711_001  # the same key as eduapp.services.audit
ACTION = "rule_set.clear_below_minimum"
REASON = ("规则未载明授权减轻处罚的法律、法规或者规章条款及其层级（《中华人民共和国行政处罚法》第三十二条第（五）项）；"
          "学法不属于第三十二条规定的情形，规范性文件不能自行设定减轻处罚。")

_rule_sets = sa.table("rule_sets", sa.column("id", sa.Integer), sa.column("code", sa.String),
                      sa.column("version", sa.Integer), sa.column("maths", sa.JSON))
_audit = sa.table(
    "audit_records", sa.column("id", sa.Integer), sa.column("at", UTCDateTime()), sa.column("actor_id", sa.Integer),
    sa.column("actor", sa.String), sa.column("action", sa.String), sa.column("object_type", sa.String),
    sa.column("object_id", sa.String), sa.column("summary", sa.Text), sa.column("ip", sa.String),
    sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
)


def _maths(data: dict) -> rules.Maths:
    known = {k: v for k, v in (data or {}).items() if k in rules.Maths.__dataclass_fields__}
    return rules.Maths(**known)


def clear_unfounded_reductions(connection, now: datetime | None = None) -> list[int]:
    """Clear ``allow_below_minimum`` on every rule set without a lawful basis for 减轻; one audit record
    each. Returns the ids cleared. Running it again clears nothing."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    cleared = []
    for row_id, code, version, maths in connection.execute(
            sa.select(_rule_sets.c.id, _rule_sets.c.code, _rule_sets.c.version, _rule_sets.c.maths)
            .order_by(_rule_sets.c.id)).all():
        maths = dict(maths or {})
        if not maths.get("allow_below_minimum") or rule_limits.reduction_authorised(_maths(maths)):
            continue
        maths["allow_below_minimum"] = False
        connection.execute(sa.update(_rule_sets).where(_rule_sets.c.id == row_id).values(maths=maths))
        prev = connection.execute(
            sa.select(_audit.c.hash).order_by(_audit.c.id.desc()).limit(1)).scalar() or GENESIS
        record = {
            "at": now, "actor_id": None, "actor": "system", "action": ACTION, "object_type": "rule_set",
            "object_id": str(row_id), "ip": None, "prev_hash": prev,
            "summary": canonical_json({
                "code": code, "version": version, "allow_below_minimum": [True, False],
                "reason": REASON,
            }),
        }
        record["hash"] = record_hash(prev, record["at"], None, "system", ACTION, "rule_set", record["object_id"],
                                     record["summary"], None)
        connection.execute(sa.insert(_audit).values(**record))
        cleared.append(row_id)
    return cleared
