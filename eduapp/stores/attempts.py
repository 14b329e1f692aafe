"""The attempts store: an attempt's items written at the start, the autosave, and the marks and practice
answers written at grading, each with its PostgreSQL statement and its portable one side by side.

services.attempts decides (who may save, when a save is refused, what a mark is); this module only
writes and reads rows. PostgreSQL gets a paper's rows, marks and practice answers as arrays in one
statement (``unnest``) and the common autosave as one ``UPDATE … RETURNING`` joined to the question;
any other database (SQLite, the embedded default) gets an executemany and a read before the update.
``tests/test_store_parity.py`` runs both and compares the rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, bindparam, cast, exists, extract, func, insert, select, text, update

from eduapp.extensions import db
from eduapp.models import Attempt, AttemptItem, PracticeAnswer, QuestionVersion
from eduapp.models.base import UTCDateTime
from eduapp.stores import is_postgresql

IN_PROGRESS = "in_progress"  # services.attempts.IN_PROGRESS (the store may not import services)

_ITEMS, _ATTEMPTS, _VERSIONS = AttemptItem.__table__, Attempt.__table__, QuestionVersion.__table__
_PRACTICE = PracticeAnswer.__table__


# --- the paper's items, at the start -------------------------------------------------------------------

# PostgreSQL: the paper's rows as one INSERT of arrays, whatever the paper's length (a statement of 50
# rows of VALUES is too long for psycopg's statement cache and is parsed anew at every start; an
# executemany is 50 statements).
_PG_INSERT_ITEMS = text("""
    INSERT INTO attempt_items (attempt_id, position, slot, section, question_version_id, option_order, points, seq,
                               flagged)
    SELECT :attempt_id, t.position, t.slot, t.section, t.version_id, CAST(t.option_order AS json), t.points, 0, false
    FROM unnest(CAST(:positions AS integer[]), CAST(:slots AS integer[]), CAST(:sections AS integer[]),
                CAST(:version_ids AS integer[]), CAST(:option_orders AS text[]), CAST(:points AS integer[]))
         AS t(position, slot, section, version_id, option_order, points)""")


def insert_items(attempt_id: int, rows: Sequence) -> None:
    """The paper's items (``rows``: services.papers.PaperRow, in the order the candidate sees them) of a new
    attempt, numbered from 1, nothing answered; in the session's transaction."""
    if not rows:
        return
    if is_postgresql():
        db.session.execute(_PG_INSERT_ITEMS, {
            "attempt_id": attempt_id, "positions": list(range(1, len(rows) + 1)),
            "slots": [r.slot for r in rows], "sections": [r.section for r in rows],
            "version_ids": [r.version_id for r in rows], "option_orders": [json.dumps(r.option_order) for r in rows],
            "points": [r.points for r in rows],
        })
        return
    db.session.execute(insert(AttemptItem), [
        {"attempt_id": attempt_id, "position": position, "slot": row.slot, "section": row.section,
         "question_version_id": row.version_id, "points": row.points, "seq": 0, "flagged": False,
         "option_order": row.option_order}
        for position, row in enumerate(rows, start=1)
    ])


# --- the autosave --------------------------------------------------------------------------------------

# The portable autosave's two statements, built once (Core, on the session's connection and transaction).
_SAVE_READ = (
    select(_ATTEMPTS.c.state, _ATTEMPTS.c.deadline, _VERSIONS.c.qtype, _VERSIONS.c.options, _VERSIONS.c.stem)
    .select_from(_ITEMS.join(_ATTEMPTS, _ATTEMPTS.c.id == _ITEMS.c.attempt_id)
                 .join(_VERSIONS, _VERSIONS.c.id == _ITEMS.c.question_version_id))
    .where(_ITEMS.c.id == bindparam("item"), _ITEMS.c.attempt_id == bindparam("attempt"),
           _ATTEMPTS.c.user_id == bindparam("user"))
)
# Only a newer seq overwrites, and only while the attempt is open (checked in the same statement).
_SAVE = (
    update(_ITEMS)
    .where(_ITEMS.c.id == bindparam("item"), _ITEMS.c.seq < bindparam("new_seq"),
           exists().where(_ATTEMPTS.c.id == bindparam("attempt"), _ATTEMPTS.c.state == IN_PROGRESS,
                          _ATTEMPTS.c.deadline >= bindparam("now")))
    .values(response=bindparam("response"), seq=bindparam("new_seq"), saved_at=bindparam("now"))
    .returning(_ITEMS.c.seq)
)
_SAVE_FLAGGED = _SAVE.values(flagged=bindparam("flagged"))
# PostgreSQL, the common case in one round trip: write first, only to the user's own open attempt and
# only a newer seq, and return the item's question version (what it shows is kept in memory per process,
# eduapp/services/shown_versions.py) to check the response against (rolled back if it fails).
_SAVE_CHECKED = (
    update(_ITEMS)
    .where(_ITEMS.c.id == bindparam("item"), _ITEMS.c.attempt_id == bindparam("attempt"),
           _ITEMS.c.seq < bindparam("new_seq"), _ATTEMPTS.c.id == _ITEMS.c.attempt_id,
           _ATTEMPTS.c.user_id == bindparam("user"), _ATTEMPTS.c.state == IN_PROGRESS,
           _ATTEMPTS.c.deadline >= bindparam("now"))
    .values(response=bindparam("response"), seq=bindparam("new_seq"), saved_at=bindparam("now"))
    .returning(_ITEMS.c.seq, _ITEMS.c.question_version_id)
)
_SAVE_CHECKED_FLAGGED = _SAVE_CHECKED.values(flagged=bindparam("flagged"))


def save_unchecked(connection, user_id: int, attempt_id: int, item_id: int, stored: object, seq: int,
                   now: datetime, flagged: bool | None):
    """PostgreSQL's autosave in one round trip: write ``stored`` first (only to ``user_id``'s own open,
    not overdue attempt, only a newer ``seq``) and return (seq kept, question version id) for the caller
    to check the response against, rolling the transaction back if it fails. None when nothing was
    written, and always None on any other database (nothing is executed: the caller takes the portable
    path, ``save_context`` then ``save_if_newer``)."""
    if not is_postgresql(connection):
        return None
    params = {"item": item_id, "attempt": attempt_id, "user": user_id, "new_seq": seq, "response": stored,
              "now": now}
    if flagged is None:
        return connection.execute(_SAVE_CHECKED, params).first()
    return connection.execute(_SAVE_CHECKED_FLAGGED, {**params, "flagged": bool(flagged)}).first()


def save_context(connection, user_id: int, attempt_id: int, item_id: int):
    """(state, deadline, qtype, options, stem) of the item of ``user_id``'s attempt; None when there is none."""
    return connection.execute(_SAVE_READ, {"item": item_id, "attempt": attempt_id, "user": user_id}).first()


def save_if_newer(connection, attempt_id: int, item_id: int, value: object, seq: int, now: datetime,
                  flagged: bool | None) -> int | None:
    """Write ``value`` if ``seq`` is newer than the stored one and the attempt still open; the seq written,
    None when nothing was."""
    params = {"item": item_id, "attempt": attempt_id, "new_seq": seq, "response": value, "now": now}
    if flagged is None:
        return connection.execute(_SAVE, params).scalar_one_or_none()
    return connection.execute(_SAVE_FLAGGED, {**params, "flagged": bool(flagged)}).scalar_one_or_none()


# --- grading -------------------------------------------------------------------------------------------

# Grading reads the items with their versions' keys as plain rows and writes the marks and the practice
# answers with one statement each on PostgreSQL (the ORM wrote 50 UPDATEs and built 100 objects).
_GRADE_READ = (
    select(_ITEMS.c.id, _ITEMS.c.response, _ITEMS.c.points, _VERSIONS.c.id.label("version_id"),
           _VERSIONS.c.question_id, _VERSIONS.c.qtype, _VERSIONS.c.answer)
    .select_from(_ITEMS.join(_VERSIONS, _VERSIONS.c.id == _ITEMS.c.question_version_id))
    .where(_ITEMS.c.attempt_id == bindparam("attempt"))
    .order_by(_ITEMS.c.id)  # the practice answers are written in this order: the same ids on every database
)
_PG_MARKS = text("""
    UPDATE attempt_items SET mark = t.mark
    FROM unnest(CAST(:ids AS integer[]), CAST(:marks AS integer[])) AS t(id, mark)
    WHERE attempt_items.id = t.id""")
_MARK = update(_ITEMS).where(_ITEMS.c.id == bindparam("item_id")).values(mark=bindparam("new_mark"))
_PG_PRACTICE = text("""
    INSERT INTO practice_answers (user_id, question_id, version_id, correct, source, answered_at)
    SELECT :user_id, t.question_id, t.version_id, t.correct, 'exam', :answered_at
    FROM unnest(CAST(:question_ids AS integer[]), CAST(:version_ids AS integer[]), CAST(:correct AS boolean[]))
         AS t(question_id, version_id, correct)""").bindparams(bindparam("answered_at", type_=UTCDateTime()))


def items_to_grade(connection, attempt_id: int) -> list:
    """The attempt's items with their versions' keys: (id, response, points, version_id, question_id, qtype,
    answer)."""
    return connection.execute(_GRADE_READ, {"attempt": attempt_id}).all()


def write_marks(connection, marks: list[tuple[int, int]]) -> None:
    """(item id, mark) pairs."""
    if not marks:
        return
    if is_postgresql(connection):
        connection.execute(_PG_MARKS, {"ids": [i for i, _ in marks], "marks": [m for _, m in marks]})
    else:
        connection.execute(_MARK, [{"item_id": i, "new_mark": m} for i, m in marks])


def write_practice(connection, user_id: int, answers: list[tuple[int, int, bool]], now: datetime) -> None:
    """The finished exam's answers, (question id, version id, correct), as practice answers (the
    wrong-answer book and progress read them)."""
    if not answers:
        return
    if is_postgresql(connection):
        connection.execute(_PG_PRACTICE, {"user_id": user_id, "answered_at": now,
                                          "question_ids": [q for q, _, _ in answers],
                                          "version_ids": [v for _, v, _ in answers],
                                          "correct": [c for _, _, c in answers]})
    else:
        connection.execute(insert(_PRACTICE), [
            {"user_id": user_id, "question_id": q, "version_id": v, "correct": c, "source": "exam", "answered_at": now}
            for q, v, c in answers])


# --- time taken, for the statistics and leaderboards ---------------------------------------------------


def seconds_taken():
    """An SQL expression: whole seconds from an attempt's start to its submission, in the database's own
    date arithmetic (PostgreSQL's epoch of an interval; elsewhere Julian days)."""
    if is_postgresql():
        seconds = extract("epoch", Attempt.submitted_at - Attempt.started_at)
    else:
        seconds = (func.julianday(Attempt.submitted_at) - func.julianday(Attempt.started_at)) * 86400.0
    return cast(func.round(seconds), Integer)
