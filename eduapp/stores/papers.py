"""The prepared papers store (services.papers decides who gets one and whether it is still good): taking a
candidate's paper at the start, and writing a batch of them before the opening.

PostgreSQL takes the paper and counts its versions still current in one round trip (a ``DELETE …
RETURNING`` in a CTE); any other database deletes, then counts. Both write with ``ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

from sqlalchemy import JSON, bindparam, delete, func, select, text

from eduapp.extensions import db
from eduapp.models import PreparedPaper, Question
from eduapp.stores import insert_on_conflict, is_postgresql

# The start's statements, built once (Core: at the opening thousands of starts run them).
_PAPERS, _QUESTIONS = PreparedPaper.__table__, Question.__table__
_TAKE = (delete(_PAPERS).where(_PAPERS.c.exam_id == bindparam("exam"), _PAPERS.c.user_id == bindparam("user"))
         .returning(_PAPERS.c["items"]))
_STILL_CURRENT = select(func.count()).select_from(_QUESTIONS).where(
    _QUESTIONS.c.current_version_id.in_(bindparam("versions", expanding=True)), _QUESTIONS.c.status == "published",
    _QUESTIONS.c.review_reason.is_(None))
# PostgreSQL: both in one round trip (how many of the paper's versions are still current and published).
_TAKE_CHECKED = text("""
    WITH taken AS (DELETE FROM prepared_papers WHERE exam_id = :exam AND user_id = :user RETURNING items)
    SELECT taken.items,
           (SELECT count(*) FROM questions
            WHERE status = 'published' AND review_reason IS NULL AND current_version_id IN (
                SELECT CAST(item ->> 2 AS integer) FROM json_array_elements(taken.items) AS item)) AS current
    FROM taken""").columns(items=JSON)


def take(exam_id: int, user_id: int) -> tuple[list | None, int | None]:
    """Delete the user's prepared paper of the exam in this transaction: (its stored items, or None when
    there was none; how many of its distinct versions are still current, published and not flagged for
    review, or None when not counted yet: then ask ``still_current``)."""
    params = {"exam": exam_id, "user": user_id}
    if is_postgresql():
        row = db.session.execute(_TAKE_CHECKED, params).first()
        return row if row is not None else (None, 0)
    return db.session.execute(_TAKE, params).scalar_one_or_none(), None


def still_current(version_ids: list[int]) -> int:
    """How many of ``version_ids`` (distinct) are their question's current, published, unflagged version."""
    return db.session.execute(_STILL_CURRENT, {"versions": version_ids}).scalar_one()


def insert_papers(rows: list[dict]) -> None:
    """Prepared papers ({exam_id, user_id, prepared_at, items}); one a candidate has already is kept."""
    db.session.execute(insert_on_conflict(PreparedPaper).on_conflict_do_nothing(), rows)
