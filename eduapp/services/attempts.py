"""Attempts: start (draw and freeze the paper), save answers, submit, finalise overdue attempts.

The server holds the clock: the deadline is fixed when the attempt starts, a save after it is
refused, and an overdue attempt is finalised with what was saved in time (by the periodic task or
at the candidate's next request). Saves carry a sequence number and only a higher one overwrites,
so retries and requests that arrive out of order are harmless. Submitting claims the attempt with a
conditional UPDATE: a second submit, or a submit racing the periodic task, finds it claimed and
returns the same result, and points are awarded once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from eduapp.domain import exam_rules
from eduapp.domain.blueprint import max_score
from eduapp.domain.grading import as_stored, check_response, compile_key, grade, passed
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import Attempt, AttemptItem, Exam, QuestionVersion, User, utcnow
from eduapp.services import audit, exams, papers, shown_versions
from eduapp.stores import attempts as attempt_store

IN_PROGRESS, FINISHED = "in_progress", "finished"


class AttemptError(Exception):
    """A request the attempt's state refuses; ``code`` is stable (API), ``msgid`` is for people."""

    def __init__(self, code: str, msgid: str, status: int = 409, **params):
        super().__init__(code)
        self.code, self.msgid, self.status, self.params = code, msgid, status, params


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def for_user(user: User, attempt_id: int) -> Attempt | None:
    """The user's own attempt; another candidate's is None (404)."""
    return db.session.execute(
        select(Attempt).where(Attempt.id == attempt_id, Attempt.user_id == user.id)
    ).scalar_one_or_none()


def attempts_of(user: User, exam: Exam) -> list[Attempt]:
    return list(db.session.execute(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id).order_by(Attempt.number)
    ).scalars())


def in_progress(user: User, exam: Exam, now: datetime | None = None) -> Attempt | None:
    """The open attempt, after finalising it if its time is up."""
    attempt = db.session.execute(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id, Attempt.state == IN_PROGRESS)
    ).scalar_one_or_none()
    if attempt is not None and _now(now) > attempt.deadline:
        submit(attempt, now=attempt.deadline, by="deadline")
        return None
    return attempt


# The user's attempts of an exam, as plain rows (a start only needs how many, and the running one).
_MINE = select(Attempt.id, Attempt.state).where(Attempt.exam_id == bindparam("exam"),
                                                Attempt.user_id == bindparam("user"))


def start(user: User, exam: Exam, now: datetime | None = None, rng: random.Random | None = None) -> Attempt:
    """The attempt in progress, or a new one with its frozen paper: the one drawn for this candidate
    before the opening (services.papers) if there is one still good, else one drawn now."""
    now = _now(now)
    if not exams.may_take(user, exam):
        raise AttemptError("not_found", N_("There is no such exam."), 404)
    mine = db.session.execute(_MINE, {"exam": exam.id, "user": user.id}).all()
    running = next((row.id for row in mine if row.state == IN_PROGRESS), None)
    if running is not None:
        current = db.session.get(Attempt, running)
        if now <= current.deadline:
            return current
        submit(current, now=current.deadline, by="deadline")
    if not exam_rules.is_open(exam.open_at, exam.close_at, now):
        raise AttemptError("closed", N_("This exam is not open now."), 409)
    override = exams.override_for(exam, user.id)
    used = len(mine)
    if not exam_rules.may_start(True, False, exam.attempts_allowed, override.extra_attempts if override else 0,
                                used):
        raise AttemptError("no_attempts_left", N_("You have used every attempt this exam allows."), 409)

    sections = exams.sections_of(exam)
    rows = papers.take(exam.id, user.id)
    if rows is None:
        try:
            rows = papers.draw_paper(exam, sections, exams.candidates(now), rng or random.SystemRandom())
        except ValueError:
            raise AttemptError("paper_unavailable",
                               N_("The question bank cannot fill this exam's paper now; please tell the exam "
                                  "manager."), 409)
    attempt = Attempt(
        exam_id=exam.id, user_id=user.id, number=used + 1, state=IN_PROGRESS, started_at=now,
        deadline=exam_rules.deadline(now, exam.duration_minutes, override.extra_minutes if override else 0,
                                     exam.close_at),
        max_score=max_score(sections) * 100,
    )
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError:  # a second start of the same attempt number raced this one
        db.session.rollback()
        current = in_progress(user, exam, now)
        if current is None:
            raise
        return current
    # The paper's rows in one statement (no ORM objects: at the opening of an exam day every candidate
    # starts within a minute, and building 50 objects per start was most of its time).
    attempt_store.insert_items(attempt.id, rows)
    audit.record("attempt.start", actor=user, obj_type="attempt", obj_id=attempt.id,
                 summary={"exam": exam.id, "number": attempt.number, "deadline": attempt.deadline.isoformat()})
    _commit_keeping_loaded()
    return attempt


def _commit_keeping_loaded() -> None:
    """Commit without expiring what this session loaded: the start answers with the attempt and exam it
    has just written and read, and reloading both after the commit was two more statements per start;
    the autosave's session holds only the request's user, whose expiry was a few per cent of its work."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def save_answer(attempt: Attempt, item_id: int, raw: object, seq: object, now: datetime | None = None,
                flagged: bool | None = None, received_at: datetime | None = None) -> int:
    """Store a response if ``seq`` is newer than the stored one; returns the sequence number kept."""
    return save_own_answer(attempt.user_id, attempt.id, item_id, raw, seq, now, flagged, received_at)


def _arrival(now: datetime, received_at: datetime | None) -> datetime:
    """The time the deadline is compared with: when the request reached us (eduapp/request_time.py),
    never later than ``now``."""
    return now if received_at is None else min(received_at, now)


def save_own_answer(user_id: int, attempt_id: int, item_id: int, raw: object, seq: object,
                    now: datetime | None = None, flagged: bool | None = None,
                    received_at: datetime | None = None) -> int:
    """save_answer for the autosave of the exam page, by ids: one read (the item, its question and its
    attempt's state, only when the attempt is ``user_id``'s) and one conditional UPDATE; on PostgreSQL,
    usually one UPDATE … RETURNING alone. Thousands of candidates send one of these every few seconds on
    exam day; the attempt, its exam and the exam's audience are not loaded.

    The deadline is compared with ``received_at``, when the answer reached us (eduapp/request_time.py),
    not with the time it is processed: an answer that arrived in time is kept however busy the server
    was; its saved_at is that arrival time."""
    now = _arrival(_now(now), received_at)
    connection = db.session.connection()
    valid_seq = not isinstance(seq, bool) and isinstance(seq, int) and 0 < seq < 2**31
    # PostgreSQL writes first and checks after (the store's one round trip); elsewhere nothing is written here.
    written = attempt_store.save_unchecked(connection, user_id, attempt_id, item_id, as_stored(raw), seq, now,
                                           flagged) if valid_seq else None
    if written is not None:
        kept, version_id = written
        question = shown_versions.shown((version_id,))[version_id]  # in memory once the paper was shown
        _, problem = check_response(question.qtype, raw, len(question.options), question.stem)
        if problem is not None:  # undo the write: a refused answer changes nothing
            db.session.rollback()
            raise InputError([problem])
        _commit_keeping_loaded()  # the request's user is not read again: expiring it would be work for nothing
        return kept
    # Nothing written (SQLite; or on PostgreSQL: another's or no such item, an older seq, a finished or overdue
    # attempt). The read says which.
    row = attempt_store.save_context(connection, user_id, attempt_id, item_id)
    if row is None:
        if db.session.execute(select(Attempt.id).where(Attempt.id == attempt_id, Attempt.user_id == user_id)).first():
            raise AttemptError("not_found", N_("There is no such question in this attempt."), 404)
        raise AttemptError("not_found", N_("This page does not exist, or you cannot see it."), 404)
    state, deadline, qtype, options, stem = row
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq < 2**31:
        raise InputError([Problem(N_("seq is a whole number above 0, higher for each newer answer."), {}, "seq")])
    if state != IN_PROGRESS:
        raise AttemptError("finished", N_("This attempt has been submitted; answers can no longer change."))
    if now > deadline:
        attempt = db.session.get(Attempt, attempt_id)
        submit(attempt, now=attempt.deadline, by="deadline")
        raise AttemptError("time_up", N_("Time is up: this answer arrived after the deadline and was not saved. "
                                          "Answers saved before the deadline count."))
    value, problem = check_response(qtype, raw, len(options or ()), stem)
    if problem is not None:
        raise InputError([problem])
    kept = attempt_store.save_if_newer(connection, attempt_id, item_id, value, seq, now, flagged)
    db.session.commit()
    if kept is None:  # not newer than the stored answer (a retry, a late arrival), or the attempt just closed
        kept = db.session.execute(select(AttemptItem.seq).where(AttemptItem.id == item_id)).scalar_one()
        db.session.commit()
        if kept < seq:  # the attempt was finished between our check and the update
            raise AttemptError("finished", N_("This attempt has been submitted; answers can no longer change."))
    return kept


@dataclass(frozen=True)
class Result:
    score: int  # centipoints
    max_score: int
    passed: bool
    points_awarded: int


def result_of(attempt: Attempt) -> Result:
    return Result(attempt.score or 0, attempt.max_score, bool(attempt.passed), attempt.points_awarded)


def submit(attempt: Attempt, now: datetime | None = None, by: str = "candidate",
           received_at: datetime | None = None) -> Result:
    """Finish and grade the attempt once; a repeated submit returns the same result. ``received_at``:
    when the submission reached us (eduapp/request_time.py), its submitted_at if before the deadline."""
    now = _now(now)
    claimed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.state == IN_PROGRESS)
        .values(state=FINISHED, submitted_at=min(_arrival(now, received_at), attempt.deadline), finished_by=by)
    ).rowcount
    if not claimed:
        db.session.rollback()
        db.session.refresh(attempt)
        return result_of(attempt)
    exam = attempt.exam
    connection = db.session.connection()
    items = attempt_store.items_to_grade(connection, attempt.id)
    marks, practice, score = [], [], 0
    for item in items:
        mark = grade(compile_key(item.qtype, item.answer), item.response, item.points, exam.mc_rule)
        marks.append((item.id, mark))
        score += mark
        if item.response is not None:
            practice.append((item.question_id, item.version_id, mark == item.points * 100))
    attempt_store.write_marks(connection, marks)
    attempt_store.write_practice(connection, attempt.user_id, practice, now)
    attempt.score = score
    attempt.passed = passed(score, exam.pass_score)
    attempt.points_awarded = 0
    if attempt.passed and exam.points_on_pass:
        # First pass only: lock the candidate's attempts so two passing submits cannot both award.
        earlier = db.session.execute(
            select(Attempt.id).where(Attempt.exam_id == exam.id, Attempt.user_id == attempt.user_id,
                                     Attempt.id != attempt.id, Attempt.points_awarded > 0).with_for_update()
        ).first()
        if earlier is None:
            attempt.points_awarded = exam.points_on_pass
            from eduapp.services import awards

            awards.award_for_activity(db.session.get(User, attempt.user_id), "exam_pass", f"exam_attempt:{attempt.id}",
                                      now, points=exam.points_on_pass, commit=False)
    from eduapp.services import certificates

    certificate = certificates.issue(attempt, now)  # a pass of an exam that gives one
    audit.record("attempt.submit", actor=None if by == "deadline" else db.session.get(User, attempt.user_id),
                 obj_type="attempt", obj_id=attempt.id,
                 summary={"exam": exam.id, "score": score, "max_score": attempt.max_score, "passed": attempt.passed,
                          "points_awarded": attempt.points_awarded, "by": by,
                          "certificate": certificate.number if certificate else None})
    db.session.commit()
    return result_of(attempt)


def finalise_overdue(now: datetime | None = None, grace: timedelta = timedelta(0)) -> int:
    """Finish every attempt whose deadline has passed more than ``grace`` ago (the periodic task leaves
    answers that reached us in time but wait in a busy server's queue that long); returns how many."""
    now = _now(now)
    ids = db.session.execute(
        select(Attempt.id).where(Attempt.state == IN_PROGRESS, Attempt.deadline < now - grace)
    ).scalars().all()
    for attempt_id in ids:
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is not None:
            submit(attempt, now=attempt.deadline, by="deadline")
    return len(ids)


def may_review(attempt: Attempt, now: datetime | None = None) -> bool:
    return exam_rules.may_review(attempt.exam.review_policy, attempt.state == FINISHED, attempt.exam.close_at,
                                 _now(now))


def points_of_passed_exams(user: User) -> int:
    """Study points earned by passing exams (until the points ledger)."""
    return db.session.execute(
        select(func.coalesce(func.sum(Attempt.points_awarded), 0)).where(Attempt.user_id == user.id)
    ).scalar_one()


_PAPER = (
    select(AttemptItem.id, AttemptItem.position, AttemptItem.question_version_id, AttemptItem.option_order,
           AttemptItem.points, AttemptItem.response, AttemptItem.seq, AttemptItem.flagged)
    .order_by(AttemptItem.position)
)
# A review adds the answer key, mark and explanation, joined from the version.
_PAPER_REVEALED = _PAPER.add_columns(AttemptItem.mark, QuestionVersion.answer, QuestionVersion.explanation,
                                     QuestionVersion.law, QuestionVersion.article).join(
    QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)


def paper(attempt: Attempt, reveal: bool) -> list[dict]:
    """The items as the candidate sees them; answer keys, marks and explanations only when ``reveal``."""
    # Plain rows, not ORM objects, and what each version shows from memory (services.shown_versions):
    # the paper is read at every start and re-read, on exam day thousands of times a minute. The answer
    # key and explanation are read only for a review.
    query = _PAPER_REVEALED if reveal else _PAPER
    items = db.session.execute(query.where(AttemptItem.attempt_id == attempt.id)).all()
    versions = shown_versions.shown(item.question_version_id for item in items)
    out = []
    for item in items:
        version = versions[item.question_version_id]
        entry = {
            "id": item.id,
            "position": item.position,
            "qtype": version.qtype,
            "stem": version.stem,
            "options": [{"id": i, "text": version.options[i]} for i in item.option_order],
            "blanks": version.blanks,
            "points": item.points,
            "response": item.response,
            "seq": item.seq,
            "flagged": item.flagged,
        }
        if reveal:
            entry.update({
                "mark": item.mark,
                "correct": item.mark is not None and item.mark == item.points * 100,
                "answer": item.answer,
                "explanation": item.explanation,
                "law": item.law,
                "article": item.article,
            })
        out.append(entry)
    return out


def unanswered(attempt: Attempt) -> int:
    return sum(1 for item in attempt.items if item.response is None)



@dataclass(frozen=True)
class ExamSummary:
    """An exam as a candidate sees it in their list."""

    id: int
    title: str
    is_competition: bool
    state: str  # upcoming | open | closed
    open_at: datetime
    close_at: datetime
    duration_minutes: int
    attempts_allowed: int
    attempts_used: int
    pass_score: int  # points
    max_score: int  # points
    best_score: int | None  # centipoints
    passed: bool
    attempt_in_progress: int | None
    can_start: bool


def summary(exam: Exam, user: User, now: datetime | None = None) -> ExamSummary:
    now = _now(now)
    mine = attempts_of(user, exam)
    finished = [a for a in mine if a.state == FINISHED]
    current = next((a for a in mine if a.state == IN_PROGRESS and a.deadline >= now), None)
    state = "upcoming" if now < exam.open_at else ("open" if now < exam.close_at else "closed")
    override = exams.override_for(exam, user.id)
    allowed = exam.attempts_allowed + (override.extra_attempts if override else 0)
    return ExamSummary(
        id=exam.id, title=exam.title, is_competition=exam.is_competition, state=state, open_at=exam.open_at,
        close_at=exam.close_at, duration_minutes=exam.duration_minutes, attempts_allowed=allowed,
        attempts_used=len(mine), pass_score=exam.pass_score, max_score=max_score(exams.sections_of(exam)),
        best_score=max((a.score or 0 for a in finished), default=None), passed=any(a.passed for a in finished),
        attempt_in_progress=current.id if current else None,
        can_start=exam_rules.may_start(state == "open", current is not None, exam.attempts_allowed,
                                       override.extra_attempts if override else 0, len(mine)),
    )
