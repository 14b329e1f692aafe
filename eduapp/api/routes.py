"""Exams, attempts and points. Scores are in points (two decimals); times are ISO 8601 in UTC."""

from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user
from marshmallow import Schema, fields

from eduapp.api.arguments import Blueprint
from eduapp.api.common import ID, Points
from eduapp.api.errors import ApiError
from eduapp.domain.grading import points_number
from eduapp.domain.problems import InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.i18n import message
from eduapp.models import utcnow
from eduapp.request_time import received_at
from eduapp.security import require
from eduapp.services import attempts, exams
from eduapp.services.attempts import AttemptError

blp = Blueprint("api", __name__, url_prefix="/api/v1", description="Exams, attempts and study points")


def _points(centipoints: int | None) -> int | float | None:
    return points_number(centipoints)


# --- schemas -----------------------------------------------------------------------------------------


class ExamOut(Schema):
    id = fields.Integer()
    title = fields.String()
    is_competition = fields.Boolean()
    state = fields.String(metadata={"description": "upcoming | open | closed"})
    open_at = fields.DateTime()
    close_at = fields.DateTime()
    duration_minutes = fields.Integer()
    attempts_allowed = fields.Integer()
    attempts_used = fields.Integer()
    pass_score = fields.Integer()
    max_score = fields.Integer()
    best_score = Points(allow_none=True)
    passed = fields.Boolean()
    attempt_in_progress = fields.Integer(allow_none=True)


class OptionOut(Schema):
    id = fields.Integer(metadata={"description": "the option's id: send it back as the response"})
    text = fields.String()


class ItemOut(Schema):
    id = fields.Integer()
    position = fields.Integer()
    qtype = fields.String(metadata={"description": "single | multiple | true_false | fill_blank"})
    stem = fields.String(metadata={"description": "Markdown"})
    options = fields.List(fields.Nested(OptionOut))
    blanks = fields.Integer()
    points = fields.Integer()
    response = fields.Raw(allow_none=True)
    seq = fields.Integer()
    flagged = fields.Boolean()
    mark = Points(allow_none=True, metadata={"description": "after review is allowed"})
    correct = fields.Boolean(metadata={"description": "after review is allowed"})
    answer = fields.Raw(metadata={"description": "the key, after review is allowed"})
    explanation = fields.String()
    law = fields.String(allow_none=True)
    article = fields.String(allow_none=True)


class AttemptOut(Schema):
    id = fields.Integer()
    exam_id = fields.Integer()
    exam_title = fields.String()
    number = fields.Integer()
    state = fields.String(metadata={"description": "in_progress | finished"})
    navigation = fields.String()
    started_at = fields.DateTime()
    deadline = fields.DateTime()
    server_time = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    score = Points(allow_none=True)
    max_score = Points()
    passed = fields.Boolean(allow_none=True)
    points_awarded = fields.Integer()
    review = fields.Boolean(metadata={"description": "whether keys, marks and explanations are included"})
    items = fields.List(fields.Nested(ItemOut))


class AnswerIn(Schema):
    response = fields.Raw(required=True, allow_none=True,
                          metadata={"description": "option id, list of option ids, true/false, or a list of "
                                                   "strings (one per blank); null clears"})
    seq = fields.Integer(required=True, strict=True, metadata={"description": "higher for each newer answer"})
    flagged = fields.Boolean(load_default=None, metadata={"description": "marked for review"})


class SavedOut(Schema):
    saved_seq = fields.Integer()


class ResultOut(Schema):
    score = Points()
    max_score = Points()
    passed = fields.Boolean()
    points_awarded = fields.Integer()


# --- helpers -----------------------------------------------------------------------------------------


def _attempt_error(error: AttemptError) -> ApiError:
    return ApiError(error.status, error.code, message(Problem(error.msgid, error.params)))


def _input_error(error: InputError) -> ApiError:
    fields_ = {p.field or "request": message(p) for p in error.problems}
    text = "; ".join(f"{k}: {v}" for k, v in fields_.items())
    return ApiError(422, "invalid", text, fields_)


def _own_attempt(attempt_id: int):
    attempt = attempts.for_user(current_user, attempt_id)
    if attempt is None:
        abort(404)
    return attempt


def _summary_out(summary: attempts.ExamSummary) -> dict:
    return {**vars(summary), "best_score": _points(summary.best_score)}


def attempt_payload(attempt) -> dict:
    now = utcnow()
    if attempt.state == attempts.IN_PROGRESS and now > attempt.deadline:
        attempts.submit(attempt, now=attempt.deadline, by="deadline")
    reveal = attempts.may_review(attempt, now)
    items = attempts.paper(attempt, reveal)
    for item in items:
        if "mark" in item:
            item["mark"] = _points(item["mark"])
    return {
        "id": attempt.id, "exam_id": attempt.exam_id, "exam_title": attempt.exam.title, "number": attempt.number,
        "state": attempt.state, "navigation": attempt.exam.navigation, "started_at": attempt.started_at,
        "deadline": attempt.deadline, "server_time": now, "submitted_at": attempt.submitted_at,
        "score": _points(attempt.score), "max_score": _points(attempt.max_score), "passed": attempt.passed,
        "points_awarded": attempt.points_awarded, "review": reveal, "items": items,
    }


_ATTEMPT_TIMES = ("started_at", "deadline", "server_time", "submitted_at")


def attempt_response(payload: dict, status: int = 200):
    """``AttemptOut().dump(payload)`` as a response, without marshmallow: the paper is sent at every start
    and re-read (3,000 candidates within the opening minute of an exam day), and dumping its 50 nested
    items field by field was a tenth of a start's CPU. ``attempt_payload`` builds exactly the schema's
    keys; the test suite checks that both give the same document. AttemptOut stays the documented
    schema (flask-smorest passes a returned response through as it is)."""
    out = dict(payload)
    for key in _ATTEMPT_TIMES:
        if out[key] is not None:
            out[key] = out[key].isoformat()
    response = jsonify(out)
    response.status_code = status
    return response


# --- views -------------------------------------------------------------------------------------------


@blp.route("/me/exams")
@require(Permission.STUDY)
@blp.response(200, ExamOut(many=True))
def my_exams():
    """The exams I may take: upcoming, open and closed."""
    now = utcnow()
    return [_summary_out(attempts.summary(exam, current_user, now)) for exam in exams.visible_exams(current_user)]


@blp.route(f"/exams/<{ID}:exam_id>/attempts", methods=["POST"])
@require(Permission.STUDY)
@blp.response(201, AttemptOut)
def start_attempt(exam_id: int):
    """Start an attempt, or get the one in progress: its paper, deadline and the server's time."""
    exam = exams.get_for_start(exam_id)
    if exam is None:
        abort(404)
    try:
        attempt = attempts.start(current_user, exam)  # 404 unless the exam is for me
    except AttemptError as error:
        raise _attempt_error(error)
    return attempt_response(attempt_payload(attempt), 201)


@blp.route(f"/attempts/<{ID}:attempt_id>")
@require(Permission.STUDY)
@blp.response(200, AttemptOut)
def get_attempt(attempt_id: int):
    """An attempt of mine; keys, marks and explanations only once the exam's review policy allows."""
    return attempt_response(attempt_payload(_own_attempt(attempt_id)))


@blp.route(f"/attempts/<{ID}:attempt_id>/answers/<{ID}:item_id>", methods=["PUT"])
@require(Permission.STUDY)
@blp.arguments(AnswerIn)
@blp.response(200, SavedOut)
def save_answer(args, attempt_id: int, item_id: int):
    """Save an answer; only a higher seq than the stored one overwrites (retries are harmless)."""
    try:
        saved = attempts.save_own_answer(current_user.id, attempt_id, item_id, args["response"], args["seq"],
                                         flagged=args["flagged"], received_at=received_at())
    except AttemptError as error:
        raise _attempt_error(error)
    except InputError as error:
        raise _input_error(error)
    # SavedOut's one integer, sent as is (flask-smorest passes a response through): the autosave is the exam
    # day's most frequent request, and a marshmallow dump of one field was a fiftieth of it
    return jsonify({"saved_seq": saved})


@blp.route(f"/attempts/<{ID}:attempt_id>/submit", methods=["POST"])
@require(Permission.STUDY)
@blp.response(200, ResultOut)
def submit(attempt_id: int):
    """Submit: grade once; submitting again returns the same result."""
    result = attempts.submit(_own_attempt(attempt_id), received_at=received_at())
    return {"score": _points(result.score), "max_score": _points(result.max_score), "passed": result.passed,
            "points_awarded": result.points_awarded}
