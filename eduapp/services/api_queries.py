"""Read-only queries the JSON API needs beyond what the pages use: pages of a roster and of a learner's
attempts, who of an enterprise passed which exam, and the points a practice answer earned.
Nothing here changes anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from eduapp.extensions import db
from eduapp.models import Attempt, Exam, PracticeAnswer, User
from eduapp.services import points, search, tenancy


def _page(query: Select, page: int, per_page: int) -> tuple[list, int]:
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    items = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).unique().scalars().all()
    return list(items), total


def roster_page(actor: User, q: str = "", active: bool | None = None, page: int = 1,
                per_page: int = 20) -> tuple[list[User], int]:
    """A page of the actor's enterprise's people as the roster page lists them (search.roster)."""
    return _page(search.roster(actor, q, active), page, per_page)


def roster_member(actor: User, user_id: int) -> User | None:
    """One person of the actor's enterprise; anyone else is None (404)."""
    return db.session.execute(tenancy.roster(actor).where(User.id == user_id)).unique().scalar_one_or_none()


@dataclass(frozen=True)
class Pass:
    exam_id: int
    exam_title: str
    best_score: int  # centipoints
    first_passed_at: datetime | None


def passes_of(user_ids: list[int]) -> dict[int, list[Pass]]:
    """For each person, the exams they passed (annulled attempts do not count), the earliest pass first."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Attempt.user_id, Exam.id, Exam.title, func.max(Attempt.score), func.min(Attempt.submitted_at))
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.user_id.in_(user_ids), Attempt.passed.is_(True), Attempt.annulled_at.is_(None))
        .group_by(Attempt.user_id, Exam.id, Exam.title)
    ).all()
    found: dict[int, list[Pass]] = {}
    for user_id, exam_id, title, best, first in rows:
        found.setdefault(user_id, []).append(Pass(exam_id, title, best or 0, first))
    for passes in found.values():
        passes.sort(key=lambda p: (p.first_passed_at is None, p.first_passed_at, p.exam_id))
    return found


def attempts_page(user: User, exam_id: int | None = None, state: str | None = None, page: int = 1,
                  per_page: int = 20) -> tuple[list[Attempt], int]:
    """The user's own attempts, the latest first."""
    query = select(Attempt).where(Attempt.user_id == user.id)
    if exam_id is not None:
        query = query.where(Attempt.exam_id == exam_id)
    if state is not None:
        query = query.where(Attempt.state == state)
    return _page(query.order_by(Attempt.started_at.desc(), Attempt.id.desc()), page, per_page)


def law_search(terms: list[str], page: int = 1, per_page: int = 20, level: str | None = None) -> tuple[list, int]:
    """A page of the law library's search (services.laws.search_articles) and the number of articles found."""
    from eduapp.services import laws

    return _page(laws.search_articles(terms, level), page, per_page)


def practice_points(user: User, question_id: int) -> int:
    """The points the user's latest answer to ``question_id`` earned (0: wrong, or over the daily cap)."""
    answer_id = db.session.execute(
        select(func.max(PracticeAnswer.id)).where(PracticeAnswer.user_id == user.id,
                                                  PracticeAnswer.question_id == question_id,
                                                  PracticeAnswer.source != "exam")
    ).scalar_one()
    if answer_id is None:
        return 0
    entry = points.by_source_key(f"practice_answer:{answer_id}")
    return entry.amount if entry is not None else 0
