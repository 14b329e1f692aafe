"""Who an exam-closing reminder reaches: the learners of the exam's audience who have not passed it
and may still make an attempt, found in one query per exam (the benchmark's world has thousands of
candidates per exam).

"May still make an attempt" is ``domain.exam_rules.may_start``, the rule the exam page uses for its
start button, given SQL expressions instead of one candidate's numbers: an attempt running, or fewer
attempts used than those allowed plus the candidate's extra attempts (exam_overrides). Passing does
not stop a retake, but the reminder says "you have not passed it yet": who passed is left out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select, true

from eduapp.domain import exam_rules
from eduapp.domain import reminders as rules
from eduapp.domain.points import end_of_day
from eduapp.domain.practice import china_day
from eduapp.domain.roles import LEARNER_ROLES
from eduapp.extensions import db
from eduapp.models import Attempt, Exam, ExamOverride, User, UserRole
from eduapp.services.attempts import IN_PROGRESS
from eduapp.services.org_tree import OrgTree, audience_condition


def may_still_attempt(exam: Exam, now: datetime):
    """A condition on ``User``: the person may start or go on with an attempt of the open ``exam``."""
    mine = (Attempt.exam_id == exam.id) & (Attempt.user_id == User.id)
    running = exists().where(mine, Attempt.state == IN_PROGRESS, Attempt.deadline >= now)
    used = select(func.count(Attempt.id)).where(mine).scalar_subquery()
    extra = func.coalesce(select(ExamOverride.extra_attempts).where(
        ExamOverride.exam_id == exam.id, ExamOverride.user_id == User.id).scalar_subquery(), 0)
    return exam_rules.may_start(true(), running, exam.attempts_allowed, extra, used)


def scan_exam_closing(now: datetime, leads: tuple[int, ...]) -> Iterator:
    """Learners in the audience of an open exam who have not passed it and have an attempt left (or
    running), 7, 3 and 1 days before it closes."""
    from eduapp.services.reminder_due import Due
    from eduapp.services.reminder_due import local as _local

    today = china_day(now)
    horizon = end_of_day(today + timedelta(days=max(leads)))
    exams = db.session.execute(
        select(Exam).where(Exam.status == "published", Exam.open_at <= now, Exam.close_at > now,
                           Exam.close_at <= horizon)
    ).scalars().all()
    tree = OrgTree() if exams else None
    for exam in exams:
        lead = rules.occasion_before((china_day(exam.close_at) - today).days, leads)
        audience = audience_condition(exam, tree)
        if lead is None or audience is None:
            continue
        passed = exists().where(Attempt.exam_id == exam.id, Attempt.user_id == User.id, Attempt.passed.is_(True))
        learners = select(UserRole.user_id).where(UserRole.role.in_(LEARNER_ROLES))
        params = {"title": exam.title, "close": _local(exam.close_at)}
        for (user_id,) in db.session.execute(
            select(User.id).where(audience, User.id.in_(learners), ~passed, may_still_attempt(exam, now))
            .order_by(User.id)
        ):
            yield Due("exam", exam.id, user_id, f"{lead}d", params, "/exams/")
