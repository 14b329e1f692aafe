"""Misconduct in study (作弊): an exam manager annuls a finished attempt, with a reason.

An annulled attempt no longer counts anywhere (results, statistics, leaderboards, the study
requirement of an offset), the study points its pass earned are reversed (the person's and the
enterprise pool's share), and from then on the enterprise's offset applications fail the "no
earlier fraud in study" check (DOMAIN.md; as 公安部令163号 excludes fraud in earlier study). It is
audited; an annulment is not undone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select, update

from eduapp.domain import points as point_rules
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.typed_input import fold_width
from eduapp.extensions import db
from eduapp.models import Attempt, Organisation, PointsEntry, User, utcnow
from eduapp.services import audit
from eduapp.services.search import contains

ANNULLED = "annulled"
FINISHED = "finished"


class MisconductError(Exception):
    def __init__(self, code: str, msgid: str, status: int = 409):
        super().__init__(code)
        self.code, self.msgid, self.status = code, msgid, status


@dataclass
class Annulment:
    attempt: Attempt
    reversed_points: int = 0
    not_reversed: list[int] = field(default_factory=list)  # entry ids whose points were already spent


def attempts_of_exam(exam_id: int, q: str = "", limit: int = 200) -> list[tuple[Attempt, User, Organisation]]:
    """Finished and annulled attempts of an exam, newest first, optionally by candidate name or account."""
    query = (
        select(Attempt, User, Organisation)
        .join(User, User.id == Attempt.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(Attempt.exam_id == exam_id, Attempt.state.in_((FINISHED, ANNULLED)))
    )
    q = q.strip()
    if q:
        query = query.where(contains(User.full_name, q) | contains(User.username, fold_width(q).strip()))
    return list(db.session.execute(query.order_by(Attempt.submitted_at.desc(), Attempt.id.desc()).limit(limit)))


def annul(exam_id: int, attempt_id: int, actor: User, reason: str, ip: str | None = None,
          now: datetime | None = None) -> Annulment:
    problems = point_rules.reason_problems(reason)
    if problems:
        raise InputError(problems)
    now = now or utcnow()
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.exam_id != exam_id:
        raise MisconductError("not_found", N_("There is no such attempt."), 404)
    claimed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt_id, Attempt.state == FINISHED)
        .values(state=ANNULLED, passed=False, annulled_at=now, annulled_by_id=actor.id,
                annul_reason=reason.strip())
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise MisconductError("not_finished", N_("Only a finished attempt can be annulled; this one is in progress "
                                                 "or annulled already."))
    from eduapp.services import certificates

    certificates.annul_with_attempt(attempt_id, actor, reason, now)  # its certificate no longer holds either
    audit.record("attempt.annul", actor=actor, obj_type="attempt", obj_id=attempt_id, ip=ip,
                 summary={"exam": exam_id, "user": attempt.user_id, "score": attempt.score,
                          "reason": reason.strip()})
    db.session.commit()
    db.session.refresh(attempt)
    return _reverse_awards(attempt, actor, ip, now)


def _reverse_awards(attempt: Attempt, actor: User, ip: str | None, now: datetime) -> Annulment:
    """Reverse the pass's points (each reversal its own transaction); points already spent stay
    spent and are reported, so that an administrator can adjust."""
    from eduapp.services import awards, points

    key = f"exam_attempt:{attempt.id}"
    entries = db.session.execute(
        select(PointsEntry).where(PointsEntry.source_key.in_(
            (key, f"{point_rules.POOL_PREFIX}{attempt.user_id}:{key}")))
    ).scalars().all()
    result = Annulment(attempt)
    for entry in entries:
        try:
            done = awards.reverse(entry, point_rules.ANNULLED_FOR_MISCONDUCT, actor, now=now, ip=ip)
        except points.LedgerError:
            db.session.rollback()
            result.not_reversed.append(entry.id)
            continue
        result.reversed_points += -sum(e.amount for e in done)
    return result


def enterprise_has_fraud(enterprise_id: int) -> bool:
    """Whether anyone of the enterprise has had an attempt annulled for misconduct."""
    return db.session.execute(select(exists().where(
        Attempt.state == ANNULLED, Attempt.user_id == User.id, User.organisation_id == enterprise_id,
    ))).scalar()


def problem(error: MisconductError) -> Problem:
    return Problem(error.msgid, {})
