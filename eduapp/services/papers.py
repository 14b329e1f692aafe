"""Drawing exam papers, and drawing them ahead of the opening.

At the opening of an exam day every candidate starts within a minute, and drawing a paper (reading the
whole published bank, matching the blueprint, shuffling) was most of a start's work. So papers are
also drawn before the exam opens: ``prepare_upcoming`` (the beat, every minute) draws one for each
learner of the audience of an exam opening within ``EXAM_PREPARE_MINUTES`` who has none and has not
started, and ``take`` hands it to the start, which copies it into the new attempt.

A prepared paper is only a head start, never a different paper: it is drawn exactly as at the start,
an exam's are dropped whenever the exam is saved (services.exams.save), and ``take`` gives it up (the
start then draws afresh) if any of its questions is no longer the published current version. Each is
used once: the start deletes it in the same transaction that creates the attempt.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select

from eduapp.domain.blueprint import Candidate, Section, draw, option_order
from eduapp.domain.questions import CHOICE_TYPES
from eduapp.domain.roles import LEARNER_ROLES
from eduapp.extensions import db
from eduapp.models import Attempt, Exam, PreparedPaper, Question, QuestionVersion, User, UserRole, utcnow
from eduapp.services import exams
from eduapp.services.org_tree import OrgTree, audience_condition
from eduapp.stores import papers as paper_store

BATCH = 500  # prepared papers written per statement
# Papers drawn per run of the periodic task (about 1 ms each): a run ends well within the beat's minute,
# so two runs never draw side by side; an audience larger than this is finished by the next runs.
RUN_LIMIT = 20_000


@dataclass(frozen=True)
class PaperRow:
    """One item of a drawn paper, in the order the candidate sees it."""

    slot: int
    section: int
    version_id: int
    points: int
    option_order: list[int]

    def stored(self) -> list:
        return [self.slot, self.section, self.version_id, self.points, self.option_order]


def option_counts(version_ids: list[int] | None = None) -> dict[int, int]:
    """How many options each version has: of ``version_ids``, or of every published current version."""
    query = select(QuestionVersion.id, QuestionVersion.options)
    if version_ids is None:
        query = query.join(Question, Question.current_version_id == QuestionVersion.id).where(
            Question.status == "published")
    else:
        query = query.where(QuestionVersion.id.in_(version_ids))
    return {version_id: len(options or ()) for version_id, options in db.session.execute(query)}


def draw_paper(exam: Exam, sections: list[Section], candidates: list[Candidate], rng: random.Random,
               counts: dict[int, int] | None = None) -> list[PaperRow]:
    """A paper for ``exam``: the blueprint's questions drawn at random from ``candidates``, and each
    one's option order (``counts`` from ``option_counts``, read for the drawn versions when not given).

    Raises ValueError when the bank cannot fill the blueprint."""
    items = draw(sections, candidates, rng, shuffle=exam.shuffle_questions)
    if counts is None:
        counts = option_counts([item.candidate.version_id for item in items])
    return [
        PaperRow(item.slot, item.section, item.candidate.version_id, item.points,
                 option_order(counts.get(item.candidate.version_id, 0), rng,
                              exam.shuffle_options and item.candidate.qtype in CHOICE_TYPES))
        for item in items
    ]


def take(exam_id: int, user_id: int) -> list[PaperRow] | None:
    """The user's prepared paper for the exam, removed in this transaction; None when there is none, or
    when one of its questions has since been edited, withdrawn or flagged for review after an amendment
    (services.law_amendments; the start then draws afresh)."""
    stored, current = paper_store.take(exam_id, user_id)
    if not stored:
        return None
    rows = [PaperRow(slot, section, version_id, points, list(order))
            for slot, section, version_id, points, order in stored]
    version_ids = sorted({row.version_id for row in rows})
    if current is None:
        current = paper_store.still_current(version_ids)
    return rows if current == len(version_ids) else None


def prepare(exam: Exam, now: datetime | None = None, rng: random.Random | None = None,
            limit: int | None = None) -> int:
    """Draw a paper for every learner of the exam's audience who has neither one nor an attempt (at most
    ``limit``, in user id order); returns how many were drawn. Safe to run again, and beside the starts
    (a paper taken meanwhile is not drawn again: the learner has an attempt by then)."""
    now = now or utcnow()
    audience = audience_condition(exam, OrgTree())
    if audience is None or exam.status != "published":
        return 0
    learners = select(UserRole.user_id).where(UserRole.role.in_(LEARNER_ROLES))
    has_paper = exists().where(PreparedPaper.exam_id == exam.id, PreparedPaper.user_id == User.id)
    has_attempt = exists().where(Attempt.exam_id == exam.id, Attempt.user_id == User.id)
    user_ids = db.session.execute(
        select(User.id).where(audience, User.id.in_(learners), ~has_paper, ~has_attempt).order_by(User.id)
        .limit(limit)
    ).scalars().all()
    if not user_ids:
        return 0
    rng = rng or random.SystemRandom()
    sections = exams.sections_of(exam)
    # What the bank offers on the day the exam opens (or today, once open): a repeal takes effect by day.
    candidates, counts = exams.candidates(max(now, exam.open_at)), option_counts()
    drawn = 0
    for start in range(0, len(user_ids), BATCH):
        try:
            rows = [{"exam_id": exam.id, "user_id": user_id, "prepared_at": now,
                     "items": [row.stored() for row in draw_paper(exam, sections, candidates, rng, counts)]}
                    for user_id in user_ids[start:start + BATCH]]
        except ValueError:  # the bank cannot fill the blueprint: the starts will say so
            break
        paper_store.insert_papers(rows)
        db.session.commit()
        drawn += len(rows)
    return drawn


def prepare_upcoming(lead_minutes: int, now: datetime | None = None) -> dict[int, int]:
    """Prepare the papers of every published exam opening within ``lead_minutes`` (the soonest first, at
    most RUN_LIMIT in all), and forget those of exams that have closed; returns {exam id: papers drawn}."""
    now = now or utcnow()
    db.session.execute(delete(PreparedPaper).where(
        PreparedPaper.exam_id.in_(select(Exam.id).where(Exam.close_at <= now))))
    db.session.commit()
    if lead_minutes <= 0:
        return {}
    upcoming = db.session.execute(
        select(Exam).where(Exam.status == "published", Exam.open_at > now,
                           Exam.open_at <= now + timedelta(minutes=lead_minutes)).order_by(Exam.open_at)
    ).scalars().all()
    drawn: dict[int, int] = {}
    for exam in upcoming:
        left = RUN_LIMIT - sum(drawn.values())
        drawn[exam.id] = prepare(exam, now, limit=left) if left > 0 else 0
    return drawn
