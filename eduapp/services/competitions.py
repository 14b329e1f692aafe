"""Competitions' placing points: ranks 1-3 of a closed competition earn the points of the earning rules
(ties share a rank), awarded once each through the ledger (``services/awards.py``), by an administrator or
by the periodic task once no attempt is still running."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from eduapp.domain import points as rules
from eduapp.domain.problems import N_
from eduapp.extensions import db
from eduapp.models import Attempt, Exam, User, utcnow
from eduapp.services import attempts, audit, awards, exam_stats, points
from eduapp.services.points import LedgerError


def closed_competitions(now: datetime | None = None, limit: int = 20) -> list[Exam]:
    return list(db.session.execute(
        select(Exam).where(Exam.is_competition.is_(True), Exam.close_at < (now or utcnow()))
        .order_by(Exam.close_at.desc()).limit(limit)
    ).scalars())


def award_competition_placings(actor: User | None, exam_id: int, now: datetime | None = None,
                               ip: str | None = None) -> int:
    """Award the placing points of a closed competition (ranks 1-3; ties share a rank). Safe to run
    again: each placing is awarded once. Returns how many people were awarded now."""
    now = now or utcnow()
    exam = db.session.get(Exam, exam_id)
    if exam is None or not exam.is_competition:
        raise LedgerError("not_found", N_("There is no such competition."), 404)
    if exam.close_at >= now:
        raise LedgerError("not_closed", N_("Placing points are awarded after the competition closes."))
    board = exam_stats.leaderboard(exam, limit=100)
    awarded = []
    for placing in board.entries:
        kind = rules.competition_kind(placing.rank)
        if kind is None:
            continue
        key = f"competition:{exam.id}:{placing.user_id}"
        if points.by_source_key(key) is None:
            user = db.session.get(User, placing.user_id)
            if awards.award_for_activity(user, kind, key, now, commit=False) is not None:
                awarded.append(placing.user_id)
    if awarded:
        audit.record("points.competition", actor=actor, obj_type="exam", obj_id=exam.id, ip=ip,
                     summary={"awarded": awarded})
    db.session.commit()
    return len(awarded)


def award_due_competitions(now: datetime | None = None, within_days: int = 7) -> dict[int, int]:
    """The periodic task: award the placings of every competition that closed in the last
    ``within_days`` days once none of its attempts is still running (overdue ones are finished
    first). Idempotent, so it simply runs again; returns {competition id: people awarded now}."""
    now = now or utcnow()
    attempts.finalise_overdue(now)
    running = select(Attempt.id).where(Attempt.exam_id == Exam.id, Attempt.state == "in_progress").exists()
    due = db.session.execute(
        select(Exam.id).where(Exam.is_competition.is_(True), Exam.status == "published", Exam.close_at < now,
                              Exam.close_at >= now - timedelta(days=within_days), ~running)
    ).scalars().all()
    return {exam_id: award_competition_placings(None, exam_id, now) for exam_id in due}
