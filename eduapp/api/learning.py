"""Learners: practice by scope (law, category, tag, the wrong-answer book) in rounds, the daily set
(每日一练), the wrong-answer book (错题本), progress per law, and my attempts with their results.

Practice answers take the same JSON responses as exam answers (an option id, a list of option ids,
true/false, or a list of strings, one per blank) and are graded at once: right or wrong, the key, the
explanation and the points earned. The rules are those of the practice pages (services/practice.py).
"""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user
from marshmallow import Schema, fields, validate

from eduapp.api.arguments import Blueprint
from eduapp.api.certificates import CertificateOut, certificate_out
from eduapp.api.common import MAX_ID, PageArgs, Points, StrictInteger, Text, page_out, page_schema
from eduapp.api.errors import ApiError, problem_error, responds
from eduapp.api.routes import OptionOut, _points
from eduapp.domain.grading import check_response
from eduapp.domain.practice import BOOK, MAX_SCOPE_VALUE, SCOPE_KINDS, parse_scope, typed_letters
from eduapp.domain.roles import Permission
from eduapp.models import utcnow
from eduapp.security import require
from eduapp.services import api_queries, attempts, certificates, practice
from eduapp.services.practice import AnswerProblem

blp = Blueprint("api_learning", __name__, url_prefix="/api/v1",
                description="Practice, the daily set, the wrong-answer book, progress and my attempts")


# --- schemas -----------------------------------------------------------------------------------------


class PracticeQuestionOut(Schema):
    id = fields.Integer(required=True, metadata={"description": "the question: send it back as question_id"})
    version_id = fields.Integer(required=True, metadata={"description": "send it back: an answer to an older "
                                                                        "version is refused with 409"})
    qtype = fields.String(required=True, metadata={"description": "single | multiple | true_false | fill_blank"})
    stem = fields.String(required=True, metadata={"description": "Markdown"})
    options = fields.List(fields.Nested(OptionOut), required=True)
    blanks = fields.Integer(required=True)
    difficulty = fields.Integer(required=True, metadata={"description": "1 (easy) to 5"})
    law = fields.String(allow_none=True, required=True)
    article = fields.String(allow_none=True, required=True)


class PracticeAnswerIn(Schema):
    question_id = StrictInteger(required=True)
    version_id = StrictInteger(load_default=None, metadata={"description": "the version shown (recommended)"})
    response = fields.Raw(required=True, allow_none=True,
                          metadata={"description": "option id, list of option ids, true/false, or a list of "
                                                   "strings (one per blank); a choice may also be typed as "
                                                   "option letters (\"AC\", \"Ａ，Ｃ\"), A the first option"})


class OutcomeOut(Schema):
    question_id = fields.Integer(required=True)
    version_id = fields.Integer(required=True)
    correct = fields.Boolean(required=True)
    response = fields.Raw(required=True, metadata={"description": "the answer as graded"})
    answer = fields.Raw(required=True, metadata={"description": "the key"})
    option_marks = fields.List(fields.String(), required=True,
                               metadata={"description": "per option: right | wrong | missed | plain"})
    blank_marks = fields.List(fields.Boolean(), required=True, metadata={"description": "per blank: accepted"})
    explanation = fields.String(required=True)
    law = fields.String(allow_none=True, required=True)
    article = fields.String(allow_none=True, required=True)
    points_earned = fields.Integer(required=True, metadata={"description": "0 when wrong or over the daily cap"})


class ScopeOut(Schema):
    kind = fields.String(required=True)
    value = fields.String(required=True)


class RoundProgressOut(Schema):
    total = fields.Integer(required=True)
    answered = fields.Integer(required=True)
    right_first_time = fields.Integer(required=True)
    position = fields.Integer(required=True)
    finished = fields.Boolean(required=True)


class RoundOut(Schema):
    scope = fields.Nested(ScopeOut, required=True)
    round = fields.String(required=True, metadata={"description": "send it back to stay in this round"})
    question = fields.Nested(PracticeQuestionOut, allow_none=True, required=True,
                             metadata={"description": "null: the round is over (or the book is empty)"})
    progress = fields.Nested(RoundProgressOut, required=True)
    standing = fields.Integer(required=True, metadata={"description": "questions of the scope mastered; for "
                                                                      "the book, questions still in it"})


class RoundArgs(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(SCOPE_KINDS))
    value = Text(load_default="", validate=validate.Length(max=MAX_SCOPE_VALUE),
                          metadata={"description": "the statute's title, the category path or the tag"})
    round = Text(load_default="", validate=validate.Length(max=64),
                          metadata={"description": "from the previous answer; none or an unknown one starts a "
                                                   "new round"})


class DailyItemOut(Schema):
    question_id = fields.Integer(required=True)
    available = fields.Boolean(required=True, metadata={"description": "false: retired since"})
    correct = fields.Boolean(allow_none=True, required=True, metadata={"description": "null: not answered yet"})


class DailyOut(Schema):
    day = fields.Date(required=True, metadata={"description": "the day in China"})
    total = fields.Integer(required=True)
    answered = fields.Integer(required=True)
    right = fields.Integer(required=True)
    position = fields.Integer(required=True)
    finished = fields.Boolean(required=True)
    question = fields.Nested(PracticeQuestionOut, allow_none=True, required=True,
                             metadata={"description": "the next to answer; null when the set is done"})
    items = fields.List(fields.Nested(DailyItemOut), required=True)


class DailyOutcomeOut(OutcomeOut):
    counted = fields.Boolean(required=True, metadata={"description": "false: answered already today, not counted"})
    daily = fields.Nested(DailyOut, required=True)


class LawProgressOut(Schema):
    law = fields.String(required=True)
    total = fields.Integer(required=True)
    mastered = fields.Integer(required=True)
    percent = fields.Integer(required=True)


class CategoryOut(Schema):
    path = fields.String(required=True)
    name = fields.String(required=True)
    depth = fields.Integer(required=True)
    count = fields.Integer(required=True)


class TagOut(Schema):
    tag = fields.String(required=True)
    count = fields.Integer(required=True)


class PracticeOverviewOut(Schema):
    daily_answered = fields.Integer(required=True)
    daily_total = fields.Integer(required=True)
    book = fields.Integer(required=True, metadata={"description": "questions in the wrong-answer book"})
    mastered = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "published questions"})
    laws = fields.List(fields.Nested(LawProgressOut), required=True, metadata={"description": "progress per law"})
    categories = fields.List(fields.Nested(CategoryOut), required=True)
    tags = fields.List(fields.Nested(TagOut), required=True)


class BookArgs(PageArgs):
    law = Text(load_default=None, validate=validate.Length(min=1, max=MAX_SCOPE_VALUE),
                        metadata={"description": "only the questions citing this statute"})


class BookEntryOut(Schema):
    question = fields.Nested(PracticeQuestionOut, required=True)
    missed_at = fields.DateTime(required=True)
    times_wrong = fields.Integer(required=True)


class AttemptArgs(PageArgs):
    exam_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    state = fields.String(load_default=None, validate=validate.OneOf([attempts.IN_PROGRESS, attempts.FINISHED]))


class AttemptSummaryOut(Schema):
    id = fields.Integer(required=True)
    exam_id = fields.Integer(required=True)
    exam_title = fields.String(required=True)
    number = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"description": "in_progress | finished"})
    started_at = fields.DateTime(required=True)
    deadline = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True, required=True)
    score = Points(allow_none=True, required=True)
    max_score = Points(required=True)
    passed = fields.Boolean(allow_none=True, required=True)
    points_awarded = fields.Integer(required=True)
    annulled = fields.Boolean(required=True, metadata={"description": "annulled for misconduct: it counts nowhere"})
    review = fields.Boolean(required=True, metadata={"description": "GET /attempts/{id} shows keys and marks"})
    certificate = fields.Nested(CertificateOut, allow_none=True, required=True,
                                metadata={"description": "the attempt's certificate (GET /me/certificates), or null"})


BookPage = page_schema("WrongAnswerPage", BookEntryOut)
AttemptPage = page_schema("AttemptPage", AttemptSummaryOut)


# --- helpers -----------------------------------------------------------------------------------------


def question_out(question) -> dict:
    version = question.current
    return {
        "id": question.id, "version_id": version.id, "qtype": version.qtype, "stem": version.stem,
        "options": [{"id": i, "text": text} for i, text in enumerate(version.options or [])],
        "blanks": practice.blanks_of(version), "difficulty": version.difficulty, "law": version.law,
        "article": version.article,
    }


def _form_values(args: dict) -> list[str]:
    """The JSON response as the practice service reads a form (the values of ``response``), after
    checking it fits the question (a question that does not exist, or changed, the service refuses)."""
    raw = args["response"]
    question = practice.published_question(args["question_id"])
    if raw is None or question is None:
        return []
    version = question.current
    if args["version_id"] is not None and args["version_id"] != version.id:
        return []
    raw = typed_letters(version.qtype, raw, len(version.options or ()))
    value, problem = check_response(version.qtype, raw, len(version.options or ()), version.stem)
    if problem is not None:
        raise problem_error(problem)
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, int):
        return [str(value)]
    return [str(v) for v in value]


def _answer_problem(error: AnswerProblem) -> ApiError:
    if error.status == 409:
        return problem_error(error.problem, 409, "question_updated")
    return problem_error(error.problem)


def _outcome_out(outcome: practice.Outcome, earned: int) -> dict:
    version = outcome.version
    return {
        "question_id": outcome.question.id, "version_id": version.id, "correct": outcome.correct,
        "response": outcome.response, "answer": version.answer, "option_marks": outcome.option_marks,
        "blank_marks": outcome.blank_marks, "explanation": version.explanation, "law": version.law,
        "article": version.article, "points_earned": earned,
    }


def _daily_out(today: practice.Daily) -> dict:
    return {
        "day": today.day, "total": len(today.question_ids), "answered": len(today.answered), "right": today.right,
        "position": today.position, "finished": today.finished,
        "question": question_out(today.question) if today.question is not None else None,
        "items": [{"question_id": qid, "available": found is not None and found.status == practice.PUBLISHED,
                   "correct": right} for qid, found, right in practice.daily_questions(today)],
    }


def _attempt_summary(attempt, now) -> dict:
    if attempt.state == attempts.IN_PROGRESS and now > attempt.deadline:
        attempts.submit(attempt, now=attempt.deadline, by="deadline")
    return {
        "id": attempt.id, "exam_id": attempt.exam_id, "exam_title": attempt.exam.title, "number": attempt.number,
        "state": attempt.state, "started_at": attempt.started_at, "deadline": attempt.deadline,
        "submitted_at": attempt.submitted_at, "score": _points(attempt.score),
        "max_score": _points(attempt.max_score), "passed": attempt.passed, "points_awarded": attempt.points_awarded,
        "annulled": attempt.annulled_at is not None, "review": attempts.may_review(attempt, now),
        "certificate": None,  # my_attempts adds it, for a page at once
    }


# --- views -------------------------------------------------------------------------------------------


@blp.route("/me/practice")
@require(Permission.STUDY)
@blp.response(200, PracticeOverviewOut)
@responds(blp, 401, 403)
def overview():
    """What there is to practise: today's set, the wrong-answer book, mastered questions, progress per
    law, the categories and tags (each with its number of questions)."""
    home = practice.home(current_user)
    return {
        "daily_answered": home.daily_answered, "daily_total": home.daily_total, "book": home.book,
        "mastered": home.mastered, "total": home.total,
        "laws": [{"law": p.law, "total": p.total, "mastered": p.mastered, "percent": p.percent} for p in home.laws],
        "categories": [{"path": c.path, "name": c.name, "depth": c.depth, "count": c.count}
                       for c in home.categories],
        "tags": [{"tag": tag, "count": count} for tag, count in home.tags],
    }


@blp.route("/practice/next")
@require(Permission.STUDY)
@blp.arguments(RoundArgs, location="query")
@blp.response(200, RoundOut)
@responds(blp, 401, 403, 404)
def next_question(args):
    """The next question of a round in a scope (kind = law, category, tag or book; value names the
    statute, category path or tag). A round visits each question once, those not yet mastered first;
    without ``round`` (or with one that is over or unknown) a new round starts. ``question`` is null
    when the round is over. A scope without published questions is 404."""
    scope, problem = parse_scope(args["kind"], args["value"])
    if problem is not None:
        raise problem_error(problem)
    step = practice.step(current_user, scope, args["round"])
    if step is None:
        step = practice.step(current_user, scope, practice.new_round(current_user))
    if step.question is None and step.progress.total == 0 and scope.kind != BOOK:
        raise ApiError(404, "not_found", gettext("There are no published questions to practise here."))
    progress = step.progress
    return {
        "scope": {"kind": scope.kind, "value": scope.value}, "round": step.token,
        "question": question_out(step.question) if step.question is not None else None,
        "progress": {"total": progress.total, "answered": progress.answered,
                     "right_first_time": progress.right_first_time, "position": progress.position,
                     "finished": progress.finished},
        "standing": step.standing,
    }


@blp.route("/practice/answers", methods=["POST"])
@require(Permission.STUDY)
@blp.arguments(PracticeAnswerIn)
@blp.response(200, OutcomeOut)
@responds(blp, 400, 401, 403, 409)
def answer(args):
    """Answer a practice question (from a round, the wrong-answer book, anywhere): graded at once. A
    right answer earns practice points up to the daily cap and takes the question out of the
    wrong-answer book; a wrong one puts it in. 409 ``question_updated``: the question changed since it
    was shown (get it again)."""
    values = _form_values(args)
    version = str(args["version_id"]) if args["version_id"] is not None else None
    try:
        outcome = practice.answer(current_user, str(args["question_id"]), version, values)
    except AnswerProblem as error:
        raise _answer_problem(error)
    return _outcome_out(outcome, api_queries.practice_points(current_user, outcome.question.id))


@blp.route("/practice/daily")
@require(Permission.STUDY)
@blp.response(200, DailyOut)
@responds(blp, 401, 403)
def daily():
    """Today's set (每日一练): the same questions all day, the next one to answer, how each went."""
    return _daily_out(practice.daily(current_user))


@blp.route("/practice/daily/answers", methods=["POST"])
@require(Permission.STUDY)
@blp.arguments(PracticeAnswerIn)
@blp.response(200, DailyOutcomeOut)
@responds(blp, 400, 401, 403, 409)
def daily_answer(args):
    """Answer a question of today's set. A second answer to the same question is graded but not
    counted (``counted``: false)."""
    values = _form_values(args)
    version = str(args["version_id"]) if args["version_id"] is not None else None
    try:
        outcome, today = practice.daily_answer(current_user, str(args["question_id"]), version, values)
    except AnswerProblem as error:
        raise _answer_problem(error)
    earned = api_queries.practice_points(current_user, outcome.question.id) if outcome.stored else 0
    return {**_outcome_out(outcome, earned), "counted": outcome.stored, "daily": _daily_out(today)}


@blp.route("/me/wrong-answers")
@require(Permission.STUDY)
@blp.arguments(BookArgs, location="query")
@blp.response(200, BookPage)
@responds(blp, 401, 403)
def wrong_answers(args):
    """My wrong-answer book (错题本): questions whose latest answer was wrong, the most recently missed
    first, with the question to retry (answer it with POST /practice/answers, or go through the book
    with GET /practice/next?kind=book)."""
    entries = practice.book(current_user)
    if args["law"] is not None:
        entries = [e for e in entries if e.question.current.law == args["law"]]
    start = (args["page"] - 1) * args["per_page"]
    items = [{"question": question_out(e.question), "missed_at": e.missed_at, "times_wrong": e.times_wrong}
             for e in entries[start:start + args["per_page"]]]
    return page_out(items, len(entries), args)


@blp.route("/me/attempts")
@require(Permission.STUDY)
@blp.arguments(AttemptArgs, location="query")
@blp.response(200, AttemptPage)
@responds(blp, 401, 403)
def my_attempts(args):
    """My exam attempts, the latest first, with their results (the paper and, when the exam's review
    policy allows, keys and explanations: GET /attempts/{id})."""
    found, total = api_queries.attempts_page(current_user, args["exam_id"], args["state"], args["page"],
                                             args["per_page"])
    now = utcnow()
    summaries = [_attempt_summary(a, now) for a in found]  # an overdue attempt is finished (and certified) first
    certs = certificates.for_attempts([a.id for a in found])
    for summary in summaries:
        if summary["id"] in certs:
            summary["certificate"] = certificate_out(certs[summary["id"]], summary["exam_title"])
    return page_out(summaries, total, args)
