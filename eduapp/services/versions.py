"""Versioned published documents (offset rule sets, 免罚清单): one row per version, sharing ``code``.
A draft is edited in place; saving an active or retired version makes a new version (``version`` + 1);
activating a version retires the code's earlier active one from the day before the new one takes effect.
The callers check the values, write the audit record and commit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from eduapp.extensions import db
from eduapp.models import User


def place(model, actor: User | None, existing, data: dict, prefix: str):
    """The row holding ``data`` and what happened: "update" (a draft in place), "create" (version 1 of a
    new code ``<prefix>-NNN``) or "new_version". Flushed, not committed."""
    if existing is not None and existing.status == "draft":
        for key, value in data.items():
            setattr(existing, key, value)
        db.session.flush()
        return existing, "update"
    if existing is not None:
        code = existing.code
    else:
        count = db.session.execute(select(func.count(func.distinct(model.code)))).scalar_one()
        code = f"{prefix}-{count + 1:03d}"
    latest = db.session.execute(select(func.max(model.version)).where(model.code == code)).scalar() or 0
    row = model(code=code, version=latest + 1, created_by_id=actor.id if actor else None, **data)
    db.session.add(row)
    db.session.flush()
    return row, "create" if existing is None else "new_version"


def retire_others(model, active) -> list[int]:
    """Retire the code's other active versions (ending the day before ``active`` takes effect); their ids."""
    retired = []
    for other in db.session.execute(
        select(model).where(model.code == active.code, model.id != active.id, model.status == "active")
    ).scalars():
        other.status = "retired"
        day_before = active.effective_from - timedelta(days=1)
        if other.effective_to is None or other.effective_to > day_before:
            other.effective_to = max(day_before, other.effective_from)
        retired.append(other.id)
    return retired
