"""The exam-day benchmark's checks of the database after the run: nothing acknowledged was lost, every
attempt has exactly one result, every first pass exactly one points award."""

from __future__ import annotations

import time
from collections import Counter

from sqlalchemy import func, select

MISSING = object()


def wait_until_finished(app, exam_id: int, timeout: float) -> tuple[int, float]:
    """Poll until no attempt of the exam is in progress (the worker finalises the overdue ones);
    (attempts still in progress, seconds waited)."""
    from eduapp.extensions import db
    from eduapp.models import Attempt

    started = time.monotonic()
    with app.app_context():
        while True:
            left = db.session.execute(select(func.count()).select_from(Attempt).where(
                Attempt.exam_id == exam_id, Attempt.state == "in_progress")).scalar_one()
            db.session.rollback()
            if left == 0 or time.monotonic() - started > timeout:
                return left, time.monotonic() - started
            time.sleep(1)


def wait_until_prepared(app, exam_id: int, expected: int, timeout: float) -> tuple[int, float]:
    """Poll until the worker has drawn ``expected`` papers for the exam; (papers drawn, seconds waited)."""
    from eduapp.extensions import db
    from eduapp.models import PreparedPaper

    started = time.monotonic()
    with app.app_context():
        while True:
            drawn = db.session.execute(select(func.count()).select_from(PreparedPaper).where(
                PreparedPaper.exam_id == exam_id)).scalar_one()
            db.session.rollback()
            if drawn >= expected or time.monotonic() - started > timeout:
                return drawn, time.monotonic() - started
            time.sleep(0.25)


def check(app, exam_id: int, ledger, candidate_ids: set[int]) -> dict:
    from eduapp.extensions import db
    from eduapp.models import Attempt, AttemptItem, AuditRecord, PointsEntry, PracticeAnswer

    with app.app_context():
        attempts = {a.id: a for a in db.session.execute(select(Attempt).where(Attempt.exam_id == exam_id)).scalars()}
        stored = {item_id: (seq, response) for item_id, seq, response in db.session.execute(
            select(AttemptItem.id, AttemptItem.seq, AttemptItem.response)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id).where(Attempt.exam_id == exam_id))}
        answered = Counter(attempt_id for attempt_id, in db.session.execute(
            select(AttemptItem.attempt_id).join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(Attempt.exam_id == exam_id, AttemptItem.response.is_not(None))))
        submits = Counter(int(obj_id) for obj_id, in db.session.execute(
            select(AuditRecord.object_id).where(AuditRecord.action == "attempt.submit",
                                                AuditRecord.object_type == "attempt")))
        practice = Counter(user_id for user_id, in db.session.execute(
            select(PracticeAnswer.user_id).where(PracticeAnswer.source == "exam")))
        awards = Counter()
        for source_key, in db.session.execute(
                select(PointsEntry.source_key).where(PointsEntry.source_key.like("exam_attempt:%"))):
            awards[int(source_key.split(":", 1)[1])] += 1

    # every acknowledged answer is stored: the stored seq is at least the acknowledged one, and the
    # stored response is the one sent with the stored seq
    lost = []
    for item_id, acked_seq in ledger.acked.items():
        seq, response = stored.get(item_id, (0, None))
        if seq < acked_seq or ledger.sent.get((item_id, seq), MISSING) != response:
            lost.append(item_id)

    per_user = Counter(a.user_id for a in attempts.values())
    unfinished = [a.id for a in attempts.values() if a.state != "finished" or a.score is None]
    late = [a.id for a in attempts.values() if a.submitted_at is not None and a.submitted_at > a.deadline]
    duplicate_results = (
        sum(n - 1 for n in per_user.values() if n > 1)  # a second attempt of one candidate
        + sum(1 for attempt_id in attempts if submits[attempt_id] > 1)  # graded twice (audit)
        + sum(1 for a in attempts.values() if practice[a.user_id] > answered[a.id])  # graded twice (practice)
    )
    missing_results = sum(1 for attempt_id in attempts if submits[attempt_id] == 0) + len(unfinished)
    passed_first = {a.id for a in attempts.values() if a.passed}
    # one attempt per candidate: its award is the candidate's first pass (two keys for one user
    # would be two awards; source keys are unique, so a repeated key cannot exist at all)
    user_awards = Counter(attempts[a].user_id for a, n in awards.items() if a in attempts for _ in range(n))
    duplicate_awards = sum(n - 1 for n in user_awards.values() if n > 1)
    missing_awards = sum(1 for a in passed_first if awards[a] == 0)
    wrong_awards = sum(1 for a in attempts if awards[a] and a not in passed_first)
    reply_mismatch = sum(
        1 for attempt_id, reply in ledger.submitted.items()
        if attempt_id in attempts and round((attempts[attempt_id].score or 0) / 100, 2) != reply["score"]
    )
    by = Counter(a.finished_by for a in attempts.values())
    return {
        "attempts": len(attempts),
        "candidates_with_attempt": len(set(per_user) & candidate_ids),
        "acknowledged_answers": len(ledger.acked),
        "answers_sent": len(ledger.sent),
        "lost_answers": len(lost),
        "lost_examples": lost[:5],
        "unfinished_attempts": len(unfinished),
        "submitted_after_deadline": len(late),
        "duplicate_results": duplicate_results,
        "missing_results": missing_results,
        "passed": len(passed_first),
        "duplicate_awards": duplicate_awards,
        "missing_awards": missing_awards,
        "awards_without_pass": wrong_awards,
        "submit_replies_differing": reply_mismatch,
        "finished_by_candidate": by.get("candidate", 0),
        "finished_by_deadline": by.get("deadline", 0),
    }
