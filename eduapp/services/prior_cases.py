"""An enterprise's earlier cases, for the "first violation within a look-back window" checks of an
offset (services.offset_inputs) and of 首违不罚 (services.non_penalty); services.cases re-exports them."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import select

from eduapp.extensions import db
from eduapp.models import PenaltyCase, ViolationType


class PriorCase(NamedTuple):
    violation_code: str
    opened_on: date
    status: str


def prior_cases(enterprise_id: int, before: date, exclude_case_id: int | None = None) -> list[PriorCase]:
    """The enterprise's cases opened before ``before``, oldest first (for "first violation within
    a look-back window" checks). Every status counts, 不予处罚 included: the caller decides."""
    query = (
        select(ViolationType.code, PenaltyCase.opened_on, PenaltyCase.status)
        .join(ViolationType, PenaltyCase.violation_type_id == ViolationType.id)
        .where(PenaltyCase.enterprise_id == enterprise_id, PenaltyCase.opened_on < before)
        .order_by(PenaltyCase.opened_on, PenaltyCase.id)
    )
    if exclude_case_id is not None:
        query = query.where(PenaltyCase.id != exclude_case_id)
    return [PriorCase(*row) for row in db.session.execute(query)]
