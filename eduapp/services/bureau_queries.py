"""Read-only queries behind the bureau's JSON API (eduapp/api/bureau_*.py): filtered lists as Select
statements the API pages through (the question bank's page filters through ``questions`` too). Nothing here
writes; the writes go through the services that own them (question_import, cases, rule_sets,
reminder_sending)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, or_, select

from eduapp.domain.typed_input import fold_width
from eduapp.extensions import db
from eduapp.models import (
    Attempt,
    Category,
    Delivery,
    Exam,
    OffsetApplication,
    Question,
    QuestionVersion,
    Reminder,
    RuleSet,
    User,
    VersionTag,
)
from eduapp.services.search import contains


def paginate(query: Select, page: int, per_page: int) -> tuple[list, int]:
    """One page of ``query``'s rows (entities when it selects one, else tuples) and the total."""
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    result = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).unique()
    rows = result.scalars().all() if len(query.column_descriptions) == 1 else result.all()
    return list(rows), total


# --- questions ---------------------------------------------------------------------------------------


def questions(*, status: str | None = None, qtype: str | None = None, law: str | None = None,
              q: str | None = None, difficulty: int | None = None, tag: str | None = None,
              category: str | None = None) -> Select:
    """Questions by their current version, filtered as the question bank page and the API filter them
    (``category`` takes in its sub-categories); by id (uid)."""
    query = select(Question).join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
    if status:
        query = query.where(Question.status == status)
    if qtype:
        query = query.where(QuestionVersion.qtype == qtype)
    if law:
        query = query.where(QuestionVersion.law == law)
    if q:
        query = query.where(question_matches(q))
    if difficulty is not None:
        query = query.where(QuestionVersion.difficulty == difficulty)
    if tag:
        query = query.where(QuestionVersion.id.in_(select(VersionTag.version_id).where(VersionTag.tag == tag)))
    if category:
        query = query.join(Category, Category.id == Question.category_id).where(
            or_(Category.path == category, Category.path.startswith(category + "/", autoescape=True)))
    return query.order_by(Question.uid)


def question_matches(q: str):
    """A question whose text holds ``q``, or whose id holds it (``12`` finds air-0012 and q-1203; case,
    full-width characters and spaces around do not matter): the search box of the question bank."""
    typed = fold_width(q).strip()
    return or_(contains(QuestionVersion.search_text, q.strip()), contains(Question.uid, typed))


# --- exams -------------------------------------------------------------------------------------------


def exams(*, now: datetime, status: str | None = None, state: str | None = None, q: str | None = None,
          is_competition: bool | None = None) -> Select:
    """Every exam with its number of attempts, the latest closing first (the exam manager's list)."""
    query = (
        select(Exam, func.count(Attempt.id))
        .outerjoin(Attempt, Attempt.exam_id == Exam.id)
        .group_by(Exam.id)
    )
    if status:
        query = query.where(Exam.status == status)
    if state == "upcoming":
        query = query.where(Exam.open_at > now)
    elif state == "open":
        query = query.where(Exam.open_at <= now, Exam.close_at > now)
    elif state == "closed":
        query = query.where(Exam.close_at <= now)
    if q:
        query = query.where(contains(Exam.title, q))
    if is_competition is not None:
        query = query.where(Exam.is_competition.is_(is_competition))
    return query.order_by(Exam.close_at.desc(), Exam.id.desc())


# --- offsets -----------------------------------------------------------------------------------------


def applications(*, statuses: tuple[str, ...] = (), enterprise_id: int | None = None,
                 case_id: int | None = None) -> Select:
    """Offset applications, the newest first."""
    query = select(OffsetApplication)
    if statuses:
        query = query.where(OffsetApplication.status.in_(statuses))
    if enterprise_id:
        query = query.where(OffsetApplication.enterprise_id == enterprise_id)
    if case_id:
        query = query.where(OffsetApplication.case_id == case_id)
    return query.order_by(OffsetApplication.created_at.desc(), OffsetApplication.id.desc())


def rule_sets(*, code: str | None = None, status: str | None = None) -> Select:
    """Every version of every rule set, by code and the newest version first (the rule sets page)."""
    query = select(RuleSet)
    if code:
        query = query.where(RuleSet.code == code)
    if status:
        query = query.where(RuleSet.status == status)
    return query.order_by(RuleSet.code, RuleSet.version.desc())


# --- reminder deliveries -----------------------------------------------------------------------------


def deliveries(*, since: datetime, until: datetime, statuses: tuple[str, ...] = (), channel: str | None = None,
               kind: str | None = None) -> Select:
    """Deliveries created in [since, until) with their recipients, the latest change first."""
    query = (
        select(Delivery, User)
        .join(Reminder, Reminder.id == Delivery.reminder_id)
        .outerjoin(User, User.id == Reminder.recipient_id)
        .where(Delivery.created_at >= since, Delivery.created_at < until)
    )
    if statuses:
        query = query.where(Delivery.status.in_(statuses))
    if channel:
        query = query.where(Delivery.channel == channel)
    if kind:
        query = query.where(Reminder.kind == kind)
    return query.order_by(Delivery.updated_at.desc(), Delivery.id.desc())
