"""Bringing stored rule sets within the law (migration 0012, and testable on its own).

A rule set may allow going below the statutory minimum (减轻) only when it names a provision of a
法律、法规 or 规章 with its level (eduapp.domain.rule_limits). Rule sets saved before that rule keep
their flag in the database; ``clear_unfounded_reductions`` clears it on each one that lacks such a
basis and appends an audit record for each, chained onto the trail exactly as
eduapp.services.audit.record does, under the audit key (so ``eduapp audit verify`` keeps passing). It
works on a bare connection (no ORM session, no models): a migration calls it with ``op.get_bind()``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from eduapp.domain import offsets as rules
from eduapp.domain import rule_limits
from eduapp.domain.audit_chain import ChainKey
from eduapp.services import audit_connection

ACTION = "rule_set.clear_below_minimum"
REASON = ("规则未载明授权减轻处罚的法律、法规或者规章条款及其层级（《中华人民共和国行政处罚法》第三十二条第（五）项）；"
          "学法不属于第三十二条规定的情形，规范性文件不能自行设定减轻处罚。")

_rule_sets = sa.table("rule_sets", sa.column("id", sa.Integer), sa.column("code", sa.String),
                      sa.column("version", sa.Integer), sa.column("maths", sa.JSON))


def _maths(data: dict) -> rules.Maths:
    known = {k: v for k, v in (data or {}).items() if k in rules.Maths.__dataclass_fields__}
    return rules.Maths(**known)


def clear_unfounded_reductions(connection, now: datetime | None = None, key: ChainKey | None = None) -> list[int]:
    """Clear ``allow_below_minimum`` on every rule set without a lawful basis for 减轻; one audit record
    each, chained under ``key`` (default: the app's audit key). Returns the ids cleared. Running it again
    clears nothing."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if key is None:
        from eduapp.services.audit import chain_key

        key = chain_key()
    audit_connection.lock(connection)
    cleared = []
    for row_id, code, version, maths in connection.execute(
            sa.select(_rule_sets.c.id, _rule_sets.c.code, _rule_sets.c.version, _rule_sets.c.maths)
            .order_by(_rule_sets.c.id)).all():
        maths = dict(maths or {})
        if not maths.get("allow_below_minimum") or rule_limits.reduction_authorised(_maths(maths)):
            continue
        maths["allow_below_minimum"] = False
        connection.execute(sa.update(_rule_sets).where(_rule_sets.c.id == row_id).values(maths=maths))
        audit_connection.append(connection, key, ACTION, "rule_set", str(row_id), {
            "code": code, "version": version, "allow_below_minimum": [True, False], "reason": REASON,
        }, now)
        cleared.append(row_id)
    return cleared
