"""How a case's fine is computed, read from the catalogue in the database: the statutory range for a
case (a fixed range, a multiple of its recorded basis, or per occurrence) and the floor of an offset
(raised to the highest applicable minimum of the type's 行政处罚法 §29 group). The rules are
eduapp.domain.fines; this module only loads the catalogue rows they need."""

from __future__ import annotations

from sqlalchemy import select

from eduapp.domain import fines
from eduapp.domain.cases import FineRange
from eduapp.domain.catalogue import fine_rule
from eduapp.extensions import db
from eduapp.models import PenaltyCase, ViolationType


def same_act_rules(vt: ViolationType) -> list[fines.FineRule]:
    """The fine rules of the codes in the type's 行政处罚法 §29 group (itself included); [] without one."""
    if not vt.same_act_group:
        return []
    found = db.session.execute(select(ViolationType).where(ViolationType.same_act_group == vt.same_act_group))
    return [fine_rule(v) for v in found.scalars()]


def statutory_range(vt: ViolationType, fine_basis_fen: int | None = None,
                    occurrences: int | None = None) -> fines.StatutoryRange:
    """The range the statute allows for a case of this type with this basis or number of occurrences."""
    return fines.statutory_range(fine_rule(vt), fine_basis_fen, occurrences)


def fine_range(vt: ViolationType, fine_basis_fen: int | None = None, occurrences: int | None = None) -> FineRange:
    """The range the fine checks use: computed for the case (empty when its basis is missing)."""
    found = statutory_range(vt, fine_basis_fen, occurrences)
    return FineRange(found.fine_min, found.fine_max)


def case_floor(case: PenaltyCase) -> fines.Floor:
    """The floor of an offset for this case, with the checks that explain it (§29 group-aware)."""
    vt = case.violation_type
    return fines.offset_floor(fine_rule(vt), same_act_rules(vt), case.fine_basis_fen, case.occurrences,
                              case.harm_level)
