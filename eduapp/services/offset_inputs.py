"""What an offset evaluation (eduapp.domain.offsets.evaluate) reads about a case: its facts, the
enterprise's history (prior cases, offsets granted, study fraud), its people's study and its pool's
points. services.offsets (the preview) and services.offset_facts (a pending application's
re-evaluation) both evaluate from here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from eduapp.domain import offsets as rules
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Attempt, Exam, OffsetApplication, Organisation, PenaltyCase, User
from eduapp.services import fines, misconduct, points
from eduapp.services.offset_common import today_local
from eduapp.services.prior_cases import prior_cases


def case_facts(case: PenaltyCase) -> rules.Case:
    vt = case.violation_type
    floor = fines.case_floor(case)  # computed from the basis, raised to the §29 group's highest minimum
    return rules.Case(violation_code=vt.code, status=case.status, harm_level=case.harm_level,
                      corrected=case.corrected, proposed_fine=case.proposed_fine, statutory_min=floor.amount,
                      opened_on=case.opened_on, fine_checks=floor.checks)


def history(case: PenaltyCase) -> rules.History:
    # Up to and including the day this case was opened; the domain applies the look-back window.
    prior = prior_cases(case.enterprise_id, case.opened_on + timedelta(days=1), exclude_case_id=case.id)
    granted = db.session.execute(
        select(OffsetApplication.finished_at, OffsetApplication.offset_fen)
        .where(OffsetApplication.enterprise_id == case.enterprise_id, OffsetApplication.status == "approved")
    ).all()
    return rules.History(
        prior_cases=tuple((p.violation_code, p.opened_on) for p in prior),
        offsets_granted=tuple((today_local(at), fen) for at, fen in granted if at is not None),
        study_fraud=misconduct.enterprise_has_fraud(case.enterprise_id),
    )


def _exam_topics(exam: Exam) -> frozenset[str]:
    return frozenset(t for s in exam.sections for t in (*s.get("laws", ()), *s.get("tags", ())))


def _passes(user_ids: list[int]) -> dict[int, tuple[tuple[date, int, frozenset[str]], ...]]:
    """Every passed exam of these people, in one query: (passed on, score %, topics of the exam)."""
    found: dict[int, list[tuple[date, int, frozenset[str]]]] = {}
    if user_ids:
        for a, e in db.session.execute(
            select(Attempt, Exam).join(Exam, Exam.id == Attempt.exam_id)
            .where(Attempt.user_id.in_(user_ids), Attempt.passed.is_(True), Attempt.submitted_at.is_not(None))
        ).all():
            found.setdefault(a.user_id, []).append(
                (today_local(a.submitted_at), (a.score or 0) * 100 // max(a.max_score, 1), _exam_topics(e)))
    return {user_id: tuple(rows) for user_id, rows in found.items()}


def study(enterprise: Organisation, within_days: int, today: date) -> rules.Study:
    staff = [u for u in db.session.execute(
        select(User).where(User.organisation_id == enterprise.id, User.active.is_(True))
    ).scalars() if u.roles & {Role.ENTERPRISE_STAFF, Role.ENTERPRISE_CONTACT}]
    passes = _passes([u.id for u in staff])
    people = []
    for role, name in (("legal_representative", enterprise.legal_representative),
                       ("env_manager", enterprise.env_manager)):
        person = next((u for u in staff if name and u.full_name == name), None)
        if person is not None:
            people.append(rules.KeyPerson(role, person.full_name, passes.get(person.id, ())))
    since = today - timedelta(days=within_days)
    passed = sum(1 for u in staff if any(d >= since for d, _, _ in passes.get(u.id, ())))
    return rules.Study(key_people=tuple(people), staff_total=len(staff), staff_passed=passed)


def pool_points(enterprise: Organisation, now: datetime | None = None) -> rules.Points:
    """The pool's lots as they stand at ``now`` (the preview's moment, not the wall clock's)."""
    account = points.pool_account(enterprise)
    return rules.Points(lots=tuple((remaining, today_local(expires_at)) for remaining, expires_at in
                                   points.lots_of(account, now)))
