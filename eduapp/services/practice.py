"""Practice: load the bank and the learner's answers, let domain/practice.py decide, store the answers.

Answers are PracticeAnswer rows (source "practice" or "daily"; finished exams add "exam" rows): the
wrong-answer book, mastery and progress are read from them, never stored separately. Practice
answers write no audit record: they change no results or rights, and the study points a right answer
earns (within the daily cap) are written to the points ledger, which is its own record.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select

from eduapp.domain import practice as rules
from eduapp.domain.grading import Key, compile_key, is_correct
from eduapp.domain.practice import AnswerRecord, Scope
from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import CHOICE_TYPES, FILL_BLANK, blanks_shown
from eduapp.extensions import db
from eduapp.models import Category, Law, PracticeAnswer, Question, QuestionVersion, User, VersionTag, utcnow
from eduapp.services import laws

PUBLISHED = "published"


class AnswerProblem(Exception):
    """An answer that cannot be taken; nothing was stored. ``question`` is set when it can be shown again."""

    def __init__(self, problem: Problem, status: int = 400, question: Question | None = None):
        super().__init__(problem.msgid)
        self.problem, self.status, self.question = problem, status, question


# --- the bank --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PoolItem:
    question_id: int
    qtype: str
    law: str | None
    category: str | None


def pool(scope: Scope | None = None, now: datetime | None = None) -> list[PoolItem]:
    """The published questions (their current versions), all or those of a law, category or tag scope;
    not those waiting for review after an amendment or citing a statute repealed by the day of ``now``
    (services.law_amendments.in_service)."""
    from eduapp.services.law_amendments import in_service

    query = (
        select(Question.id, QuestionVersion.qtype, QuestionVersion.law, Category.path)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .outerjoin(Category, Category.id == Question.category_id)
        .where(Question.status == PUBLISHED, in_service(now))
    )
    if scope is not None and scope.kind == rules.LAW:
        query = query.where(QuestionVersion.law == scope.value)
    elif scope is not None and scope.kind == rules.CATEGORY:
        query = query.where(
            or_(Category.path == scope.value, Category.path.startswith(scope.value + "/", autoescape=True))
        )
    elif scope is not None and scope.kind == rules.TAG:
        query = query.where(QuestionVersion.id.in_(select(VersionTag.version_id).where(VersionTag.tag == scope.value)))
    elif scope is not None and scope.kind == rules.CASE_STUDY:
        from eduapp.services import case_studies

        study = case_studies.published_one(int(scope.value))
        query = query.where(Question.id.in_(case_studies.question_ids(study) if study else []))
    return [PoolItem(*row) for row in db.session.execute(query.order_by(Question.id))]


def tag_counts() -> list[tuple[str, int]]:
    """Tags of the published questions with how many carry each, the most used first."""
    n = func.count(Question.id)
    rows = db.session.execute(
        select(VersionTag.tag, n)
        .join(Question, Question.current_version_id == VersionTag.version_id)
        .where(Question.status == PUBLISHED)
        .group_by(VersionTag.tag)
    ).all()
    return sorted(((tag, count) for tag, count in rows), key=lambda row: (-row[1], row[0]))


def published_question(question_id: int) -> Question | None:
    """A published question with its current version, or None."""
    question = db.session.get(Question, question_id)
    if question is None or question.status != PUBLISHED or question.current is None:
        return None
    return question


def published_questions(ids: list[int]) -> dict[int, Question]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Question).where(
            Question.id.in_(ids), Question.status == PUBLISHED, Question.current_version_id.is_not(None)
        )
    )
    return {q.id: q for q in rows.unique().scalars()}


@dataclass(frozen=True, slots=True)
class Citation:
    law: str
    article: str | None
    slug: str | None  # the statute in the law library, when loaded
    linked_article: bool  # the article itself is in the library


def citation_of(version: QuestionVersion) -> Citation | None:
    """The law and article a question cites, with where to read them in the law library."""
    if not version.law:
        return None
    if version.article:
        found = laws.article_for(version.law, version.article)
        if found is not None:
            return Citation(version.law, version.article, found.law.slug, True)
    slug = db.session.execute(select(Law.slug).where(Law.title == version.law)).scalar_one_or_none()
    return Citation(version.law, version.article, slug, False)


# --- the learner's answers ---------------------------------------------------------------------------


def history(user: User, since: datetime | None = None, source: str | None = None) -> list[AnswerRecord]:
    query = select(
        PracticeAnswer.question_id,
        PracticeAnswer.correct,
        PracticeAnswer.answered_at,
        PracticeAnswer.id,
        PracticeAnswer.source,
    ).where(PracticeAnswer.user_id == user.id)
    if since is not None:
        query = query.where(PracticeAnswer.answered_at >= since)
    if source is not None:
        query = query.where(PracticeAnswer.source == source)
    return [
        AnswerRecord(*row) for row in db.session.execute(query.order_by(PracticeAnswer.answered_at, PracticeAnswer.id))
    ]


# --- the home page -----------------------------------------------------------------------------------


@dataclass
class Home:
    daily_answered: int
    daily_total: int
    book: int
    mastered: int
    total: int
    laws: list[rules.LawProgress]
    categories: list[rules.CategoryCount]
    tags: list[tuple[str, int]]


def home(user: User, now: datetime | None = None) -> Home:
    items = pool()
    records = history(user)
    published = {item.question_id for item in items}
    known = rules.mastered(records) & published
    today = daily(user, now, items=items)
    return Home(
        daily_answered=len(today.answered),
        daily_total=len(today.question_ids),
        book=len(rules.wrong_book(records, published)),
        mastered=len(known),
        total=len(published),
        laws=rules.progress_by_law(((i.question_id, i.law) for i in items), known),
        categories=rules.category_counts(i.category for i in items),
        tags=tag_counts(),
    )


# --- rounds of practice in a scope --------------------------------------------------------------------


def new_round(user: User) -> str:
    latest = db.session.execute(
        select(func.max(PracticeAnswer.id)).where(PracticeAnswer.user_id == user.id)
    ).scalar_one()
    return rules.new_round(latest or 0, secrets.token_hex(4))


@dataclass
class Step:
    scope: Scope
    token: str
    question: Question | None  # None: the round is over (or the scope is empty)
    progress: rules.RoundProgress
    standing: int  # questions of the scope mastered; for the book, questions still in it


def step(user: User, scope: Scope, token: str) -> Step | None:
    """Where the learner is in a round; None when ``token`` is not a round (start a new one)."""
    records = history(user)
    mark = rules.round_mark(token, rules.last_seq(records))
    if mark is None:
        return None
    if scope.kind == rules.BOOK:
        published = {item.question_id for item in pool()}
        candidates = rules.wrong_book(records, published, upto=mark)
        still = len(set(candidates) & set(rules.wrong_book(records, published)))
    else:
        candidates = [item.question_id for item in pool(scope)]
        still = len(rules.mastered(records) & set(candidates))
    in_round = rules.answers_in_round(records, mark)
    progress = rules.round_progress(candidates, in_round)
    next_id = rules.next_question(candidates, rules.mastered(records), {r.question_id for r in in_round}, token)
    question = published_question(next_id) if next_id is not None else None
    return Step(scope, token, question, progress, still)


# --- answering ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    question: Question
    version: QuestionVersion
    response: object
    correct: bool
    key: Key
    option_marks: list[str] = field(default_factory=list)
    blank_marks: list[bool] = field(default_factory=list)
    citation: Citation | None = None
    stored: bool = True  # False: a repeated answer to today's set, graded but not counted


def _load(raw_question_id: str | None, raw_version_id: str | None) -> Question:
    question_id, problem = rules.parse_question_id(raw_question_id)
    if problem is not None:
        raise AnswerProblem(problem)
    question = published_question(question_id)
    if question is None:
        raise AnswerProblem(Problem(N_("This question is not available for practice."), field="question_id"))
    version_text = (raw_version_id or "").strip()
    if version_text and version_text != str(question.current_version_id):
        # Edited while the learner was answering: the options may have moved. Show the new version.
        raise AnswerProblem(
            Problem(N_("This question has just been updated. Please read it again and answer."), field="question_id"),
            409,
            question,
        )
    return question


def _grade(question: Question, values: list[str]) -> Outcome:
    version = question.current
    response, problem = rules.parse_response(version.qtype, values, len(version.options), version.stem)
    if problem is not None:
        raise AnswerProblem(problem, 400, question)
    key = compile_key(version.qtype, version.answer)
    outcome = Outcome(question, version, response, is_correct(key, response), key, citation=citation_of(version))
    if version.qtype in CHOICE_TYPES:
        outcome.option_marks = rules.option_marks(key, response, len(version.options))
    elif version.qtype == FILL_BLANK:
        outcome.blank_marks = rules.blank_marks(key, response)
    return outcome


def _store(user: User, outcome: Outcome, source: str, now: datetime) -> None:
    answer = PracticeAnswer(
        user_id=user.id,
        question_id=outcome.question.id,
        version_id=outcome.version.id,
        correct=outcome.correct,
        source=source,
        answered_at=now,
    )
    db.session.add(answer)
    if outcome.correct:  # a right answer earns practice points, up to the daily cap
        from eduapp.services import awards

        db.session.flush()
        awards.award_for_activity(user, "practice", f"practice_answer:{answer.id}", now, commit=False)
    db.session.commit()


def answer(
    user: User, raw_question_id: str | None, raw_version_id: str | None, values: list[str], now: datetime | None = None
) -> Outcome:
    """Grade and store a practice answer; AnswerProblem (nothing stored) for bad input."""
    question = _load(raw_question_id, raw_version_id)
    outcome = _grade(question, values)
    _store(user, outcome, rules.PRACTICE, now or utcnow())
    return outcome


# --- the daily set --------------------------------------------------------------------------------


@dataclass
class Daily:
    day: date
    question_ids: list[int]
    answered: dict[int, bool]  # question id -> right at the first answer today
    question: Question | None  # the next one to answer; None when the set is done

    @property
    def finished(self) -> bool:
        return bool(self.question_ids) and len(self.answered) >= len(self.question_ids)

    @property
    def right(self) -> int:
        return sum(self.answered.values())

    @property
    def position(self) -> int:
        return min(len(self.answered) + 1, len(self.question_ids))


def daily(user: User, now: datetime | None = None, items: list[PoolItem] | None = None) -> Daily:
    now = now or utcnow()
    day = rules.china_day(now)
    start, end = rules.day_bounds(day)
    today = [r for r in history(user, since=start, source=rules.DAILY) if r.answered_at < end]
    answered: dict[int, bool] = {}
    for r in today:
        answered.setdefault(r.question_id, r.correct)
    items = pool() if items is None else items
    from eduapp.services import case_studies

    ids = rules.daily_set(user.id, day, [(i.question_id, i.qtype) for i in items], list(answered),
                          featured=case_studies.published_question_ids())
    next_id = next((q for q in ids if q not in answered), None)
    return Daily(
        day, ids, {q: answered[q] for q in ids if q in answered}, published_question(next_id) if next_id else None
    )


def daily_answer(
    user: User, raw_question_id: str | None, raw_version_id: str | None, values: list[str], now: datetime | None = None
) -> tuple[Outcome, Daily]:
    """Grade a question of today's set and store it as a daily answer. A question answered already
    today is graded but not stored again (a second tap, the back button)."""
    now = now or utcnow()
    question = _load(raw_question_id, raw_version_id)
    today = daily(user, now)
    if question.id not in today.question_ids:
        raise AnswerProblem(Problem(N_("This question is not in today's set."), field="question_id"))
    outcome = _grade(question, values)
    if question.id in today.answered:
        outcome.stored = False
        db.session.rollback()
    else:
        _store(user, outcome, rules.DAILY, now)
        today = daily(user, now)
    return outcome, today


def daily_questions(today: Daily) -> list[tuple[int, Question | None, bool | None]]:
    """The set as a list of (question id, question or None if retired since, right or None if unanswered)."""
    found = {
        q.id: q
        for q in db.session.execute(select(Question).where(Question.id.in_(today.question_ids))).unique().scalars()
    }
    return [(qid, found.get(qid), today.answered.get(qid)) for qid in today.question_ids]


# --- the wrong-answer book -------------------------------------------------------------------------


@dataclass(frozen=True)
class BookEntry:
    question: Question
    missed_at: datetime
    times_wrong: int


def book(user: User) -> list[BookEntry]:
    records = history(user)
    published = {item.question_id for item in pool()}
    ids = rules.wrong_book(records, published)
    latest = rules.latest_answers(records)
    wrong_counts: dict[int, int] = {}
    for r in records:
        if not r.correct:
            wrong_counts[r.question_id] = wrong_counts.get(r.question_id, 0) + 1
    questions = published_questions(ids)
    return [BookEntry(questions[q], latest[q].answered_at, wrong_counts[q]) for q in ids if q in questions]


def blanks_of(version: QuestionVersion) -> int:
    return blanks_shown(version.qtype, version.stem)
