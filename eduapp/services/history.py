"""Audit records as readable history (eduapp.domain.history): the names behind the ids a record holds,
the actors' full names, and a case's whole history (the case, its offset applications, its non-penalty
decision). The web helper eduapp.web.history translates the sentences."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from eduapp.domain import history as rules
from eduapp.domain.history_text import Msg
from eduapp.extensions import db
from eduapp.models import (
    AuditRecord,
    Exam,
    NonPenaltyDecision,
    OffsetApplication,
    Organisation,
    PenaltyCase,
    PointsAccount,
    User,
    ViolationType,
)


@dataclass(frozen=True)
class Entry:
    """One record and its sentence."""

    record: AuditRecord
    message: Msg


class _Names:
    """name_of for the domain rules: one query per id, remembered for the page."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, object], str | None] = {}

    def __call__(self, kind: str, key: object) -> str | None:
        if (kind, key) not in self.seen:
            self.seen[(kind, key)] = self._look_up(kind, key)
        return self.seen[(kind, key)]

    def _look_up(self, kind: str, key: object) -> str | None:
        if kind == "username":
            user = db.session.execute(select(User).where(User.username == str(key))).scalar_one_or_none()
            return user.full_name if user else None
        try:
            number = int(str(key))
        except ValueError:
            return None
        if kind == "points_account":
            account = db.session.get(PointsAccount, number)
            if account is None:
                return None
            return self("user" if account.owner_kind == "person" else "enterprise", account.owner_id)
        model, attribute = {"user": (User, "full_name"), "enterprise": (Organisation, "name"),
                            "organisation": (Organisation, "name"), "violation_type": (ViolationType, "code"),
                            "exam": (Exam, "title")}.get(kind, (None, None))
        row = db.session.get(model, number) if model is not None else None
        return getattr(row, attribute) if row is not None else None


def entries(records: list[AuditRecord], *, with_username: bool = False) -> list[Entry]:
    """Each record with its sentence; actors by full name (administrators also see the username)."""
    ids = {r.actor_id for r in records if r.actor_id is not None}
    users = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(ids))).scalars()} if ids else {}
    names = _Names()
    out = []
    for record in records:
        summary = rules.parse_summary(record.summary)
        user = users.get(record.actor_id)
        actor = rules.actor_name(record.actor, user.full_name if user else None, known=user is not None,
                                 via_cli=summary.get("via") == rules.VIA_CLI, with_username=with_username)
        out.append(Entry(record, rules.describe(record.action, summary, actor, record.object_id, names)))
    return out


def case_records(case: PenaltyCase) -> list[AuditRecord]:
    """The audit records of the case, of its offset applications and of its non-penalty decision, oldest
    first (the case page's history)."""
    applications = select(OffsetApplication.id).where(OffsetApplication.case_id == case.id)
    decisions = select(NonPenaltyDecision.id).where(NonPenaltyDecision.case_id == case.id)
    as_text = [str(i) for i in db.session.execute(applications).scalars()]
    decided = [str(i) for i in db.session.execute(decisions).scalars()]
    return list(db.session.execute(
        select(AuditRecord).where(or_(
            and_(AuditRecord.object_type == "penalty_case", AuditRecord.object_id == str(case.id)),
            and_(AuditRecord.object_type == "offset_application", AuditRecord.object_id.in_(as_text)),
            and_(AuditRecord.object_type == "non_penalty_decision", AuditRecord.object_id.in_(decided)),
        )).order_by(AuditRecord.id)
    ).scalars())
